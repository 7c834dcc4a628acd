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

  /** The meshes as one (their vertices and triangles one after the other). */
  public static TriangleMesh join(java.util.List<TriangleMesh> meshes) {
    int points = 0;
    int triangles = 0;
    for (TriangleMesh m : meshes) {
      points += m.points().length;
      triangles += m.triangles().length;
    }
    float[] xyz = new float[points];
    int[] tri = new int[triangles];
    int at = 0;
    int tat = 0;
    for (TriangleMesh m : meshes) {
      int base = at / 3;
      System.arraycopy(m.points(), 0, xyz, at, m.points().length);
      for (int i : m.triangles()) {
        tri[tat++] = base + i;
      }
      at += m.points().length;
    }
    return new TriangleMesh(xyz, tri);
  }

  /**
   * This mesh scaled by {@code factor} about the origin (this mesh itself when the factor is 1).
   */
  public TriangleMesh scaled(double factor) {
    if (factor == 1) {
      return this;
    }
    float[] p = points.clone();
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (p[i] * factor);
    }
    return new TriangleMesh(p, triangles);
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
