package org.anatwin.modeling.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.anatwin.model.TriangleMesh;

/**
 * Binary STL: an 80-byte header (no patient data, ever), the triangle count and per triangle a unit
 * normal and three vertices as little-endian floats, in millimetres.
 */
public final class Stl {
  private Stl() {}

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
      double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
      double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
      double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
      if (len > 0) {
        nx /= len;
        ny /= len;
        nz /= len;
      }
      out.putFloat((float) nx).putFloat((float) ny).putFloat((float) nz);
      for (int v : new int[] {a, b, c}) {
        out.putFloat(p[v]).putFloat(p[v + 1]).putFloat(p[v + 2]);
      }
      out.putShort((short) 0);
    }
    return out.array();
  }
}
