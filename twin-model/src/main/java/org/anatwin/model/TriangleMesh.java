package org.anatwin.model;

/**
 * An indexed triangle mesh in patient coordinates (LPS, mm): {@code points} holds x, y, z per
 * vertex, {@code triangles} three vertex indices per face, wound counter-clockwise seen from
 * outside.
 */
public record TriangleMesh(float[] points, int[] triangles) {
  public TriangleMesh {
    if (points.length % 3 != 0 || triangles.length % 3 != 0) {
      throw ModelException.invalid("mesh-arrays", points.length + "/" + triangles.length);
    }
    int vertices = points.length / 3;
    for (int index : triangles) {
      if (index < 0 || index >= vertices) {
        throw ModelException.invalid("mesh-index", Integer.toString(index));
      }
    }
  }

  public int vertexCount() {
    return points.length / 3;
  }

  public int triangleCount() {
    return triangles.length / 3;
  }
}
