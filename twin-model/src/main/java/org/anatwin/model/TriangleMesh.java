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

  /**
   * Unit vertex normals (x, y, z per vertex), each the area-weighted sum of its triangles' normals;
   * zero for a vertex on no triangle or whose triangles cancel.
   */
  public float[] vertexNormals() {
    float[] p = points;
    double[] sum = new double[p.length];
    for (int f = 0; f < triangles.length; f += 3) {
      int a = 3 * triangles[f], b = 3 * triangles[f + 1], c = 3 * triangles[f + 2];
      double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
      double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
      double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      for (int corner : new int[] {a, b, c}) {
        sum[corner] += nx;
        sum[corner + 1] += ny;
        sum[corner + 2] += nz;
      }
    }
    float[] out = new float[p.length];
    for (int v = 0; v < p.length; v += 3) {
      double length =
          Math.sqrt(sum[v] * sum[v] + sum[v + 1] * sum[v + 1] + sum[v + 2] * sum[v + 2]);
      if (length > 0) {
        out[v] = (float) (sum[v] / length);
        out[v + 1] = (float) (sum[v + 1] / length);
        out[v + 2] = (float) (sum[v + 2] / length);
      }
    }
    return out;
  }
}
