package org.anatwin.modeling.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.anatwin.model.TriangleMesh;

/**
 * Binary and ASCII STL. Binary: an 80-byte header (no patient data, ever), the triangle count and
 * per triangle a unit normal and three vertices as little-endian floats, in millimetres.
 */
public final class Stl {
  private Stl() {}

  /**
   * ASCII STL: {@code solid anatwin}, one facet per triangle with its unit normal, coordinates as
   * the shortest decimal that reads back to the same float (so ASCII and binary carry the same
   * geometry), {@code endsolid anatwin}.
   */
  public static byte[] writeAscii(TriangleMesh mesh) {
    int n = mesh.triangleCount();
    StringBuilder out = new StringBuilder(64 + 260 * n).append("solid anatwin\n");
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    for (int f = 0; f < n; f++) {
      int a = 3 * t[3 * f];
      int b = 3 * t[3 * f + 1];
      int c = 3 * t[3 * f + 2];
      float[] normal = normal(p, a, b, c);
      out.append("  facet normal ")
          .append(normal[0])
          .append(' ')
          .append(normal[1])
          .append(' ')
          .append(normal[2])
          .append("\n    outer loop\n");
      for (int v : new int[] {a, b, c}) {
        out.append("      vertex ")
            .append(p[v])
            .append(' ')
            .append(p[v + 1])
            .append(' ')
            .append(p[v + 2])
            .append('\n');
      }
      out.append("    endloop\n  endfacet\n");
    }
    return out.append("endsolid anatwin\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static float[] normal(float[] p, int a, int b, int c) {
    double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
    return len > 0
        ? new float[] {(float) (nx / len), (float) (ny / len), (float) (nz / len)}
        : new float[3];
  }

  public static byte[] write(TriangleMesh mesh) {
    int n = mesh.triangleCount();
    ByteBuffer out = ByteBuffer.allocate(84 + 50 * n).order(ByteOrder.LITTLE_ENDIAN);
    byte[] header = new byte[80];
    byte[] text =
        "Anatwin mesh, patient coordinates (LPS), millimetres".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, header, 0, text.length);
    out.put(header).putInt(n);
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    for (int f = 0; f < n; f++) {
      int a = 3 * t[3 * f];
      int b = 3 * t[3 * f + 1];
      int c = 3 * t[3 * f + 2];
      float[] normal = normal(p, a, b, c);
      out.putFloat(normal[0]).putFloat(normal[1]).putFloat(normal[2]);
      for (int v : new int[] {a, b, c}) {
        out.putFloat(p[v]).putFloat(p[v + 1]).putFloat(p[v + 2]);
      }
      out.putShort((short) 0);
    }
    return out.array();
  }
}
