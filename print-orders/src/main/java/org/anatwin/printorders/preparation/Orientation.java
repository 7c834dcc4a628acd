package org.anatwin.printorders.preparation;

import java.util.ArrayList;
import java.util.List;
import org.anatwin.model.TriangleMesh;

/**
 * How a part lies on the bed. Each candidate direction (the 6 faces, 12 edges and 8 corners of a
 * cube, i.e. every 45-degree step) is turned to point down; the part then needs support under every
 * triangle that faces down more steeply than the printer's overhang angle and does not rest on the
 * bed. The choice minimises the support area plus a penalty on height (taller parts take longer and
 * wobble): {@code support / totalArea + 0.25 * height / diagonal}.
 */
public final class Orientation {
  private Orientation() {}

  /**
   * An orientation: the row-major 3x3 rotation applied to the part, the direction that points down
   * (in the part's own coordinates), the area needing support (mm²) and the height on the bed (mm).
   */
  public record Choice(
      double[] rotation, double[] down, double supportAreaMm2, double heightMm, double score) {}

  /** Every candidate, best first. */
  public static List<Choice> candidates(TriangleMesh mesh, double overhangDegrees) {
    List<Choice> out = new ArrayList<>();
    for (int x = -1; x <= 1; x++) {
      for (int y = -1; y <= 1; y++) {
        for (int z = -1; z <= 1; z++) {
          if (x == 0 && y == 0 && z == 0) {
            continue;
          }
          double n = Math.sqrt(x * x + y * y + z * z);
          out.add(evaluate(mesh, new double[] {x / n, y / n, z / n}, overhangDegrees));
        }
      }
    }
    out.sort(java.util.Comparator.comparingDouble(Choice::score));
    return out;
  }

  /** The best candidate. */
  public static Choice choose(TriangleMesh mesh, double overhangDegrees) {
    return candidates(mesh, overhangDegrees).getFirst();
  }

  /** The orientation with a given direction of the part pointing down. */
  public static Choice evaluate(TriangleMesh mesh, double[] down, double overhangDegrees) {
    double[] r = rotationTaking(down);
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    double minZ = Double.MAX_VALUE;
    double maxZ = -Double.MAX_VALUE;
    double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    for (int v = 0; v < p.length; v += 3) {
      double z = r[6] * p[v] + r[7] * p[v + 1] + r[8] * p[v + 2];
      minZ = Math.min(minZ, z);
      maxZ = Math.max(maxZ, z);
      for (int k = 0; k < 3; k++) {
        lo[k] = Math.min(lo[k], p[v + k]);
        hi[k] = Math.max(hi[k], p[v + k]);
      }
    }
    // a face needs support when it leans further than the overhang angle from the vertical
    double threshold = -Math.sin(Math.toRadians(overhangDegrees));
    double support = 0;
    double total = 0;
    for (int f = 0; f < t.length; f += 3) {
      int a = 3 * t[f], b = 3 * t[f + 1], c = 3 * t[f + 2];
      double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
      double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
      double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      double twice = Math.sqrt(nx * nx + ny * ny + nz * nz);
      if (twice == 0) {
        continue;
      }
      total += twice / 2;
      // the normal's z after rotation
      double zn = (r[6] * nx + r[7] * ny + r[8] * nz) / twice;
      if (zn < threshold) {
        double za = r[6] * p[a] + r[7] * p[a + 1] + r[8] * p[a + 2];
        double zb = r[6] * p[b] + r[7] * p[b + 1] + r[8] * p[b + 2];
        double zc = r[6] * p[c] + r[7] * p[c + 1] + r[8] * p[c + 2];
        // triangles lying on the bed need no support
        if (Math.max(za, Math.max(zb, zc)) - minZ > 0.2) {
          support += twice / 2;
        }
      }
    }
    double diagonal =
        Math.sqrt(
            (hi[0] - lo[0]) * (hi[0] - lo[0])
                + (hi[1] - lo[1]) * (hi[1] - lo[1])
                + (hi[2] - lo[2]) * (hi[2] - lo[2]));
    double height = maxZ - minZ;
    double score = (total == 0 ? 0 : support / total) + 0.25 * height / Math.max(diagonal, 1e-9);
    return new Choice(r, down.clone(), support, height, score);
  }

  /** The proper rotation (row-major 3x3) taking unit vector {@code d} to (0, 0, -1). */
  static double[] rotationTaking(double[] d) {
    // Rodrigues: axis = d x target, angle between them
    double[] target = {0, 0, -1};
    double cx = d[1] * target[2] - d[2] * target[1];
    double cy = d[2] * target[0] - d[0] * target[2];
    double cz = d[0] * target[1] - d[1] * target[0];
    double s = Math.sqrt(cx * cx + cy * cy + cz * cz);
    double c = d[0] * target[0] + d[1] * target[1] + d[2] * target[2];
    if (s < 1e-12) {
      // already down, or straight up: turn half a circle about x
      return c > 0
          ? new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}
          : new double[] {1, 0, 0, 0, -1, 0, 0, 0, -1};
    }
    double kx = cx / s, ky = cy / s, kz = cz / s;
    double v = 1 - c;
    return new double[] {
      c + kx * kx * v,
      kx * ky * v - kz * s,
      kx * kz * v + ky * s,
      ky * kx * v + kz * s,
      c + ky * ky * v,
      ky * kz * v - kx * s,
      kz * kx * v - ky * s,
      kz * ky * v + kx * s,
      c + kz * kz * v
    };
  }

  /**
   * The part scaled, rotated and moved so that its box is centred on the bed at ({@code centreX},
   * {@code centreY}) with its lowest point at z = 0.
   */
  public static TriangleMesh place(
      TriangleMesh mesh, double scale, double[] rotation, double centreX, double centreY) {
    float[] p = mesh.points();
    double[] q = new double[p.length];
    double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    double[] r = rotation;
    for (int v = 0; v < p.length; v += 3) {
      for (int k = 0; k < 3; k++) {
        q[v + k] = scale * (r[3 * k] * p[v] + r[3 * k + 1] * p[v + 1] + r[3 * k + 2] * p[v + 2]);
        lo[k] = Math.min(lo[k], q[v + k]);
        hi[k] = Math.max(hi[k], q[v + k]);
      }
    }
    double[] shift = {centreX - (lo[0] + hi[0]) / 2, centreY - (lo[1] + hi[1]) / 2, -lo[2]};
    float[] out = new float[p.length];
    for (int v = 0; v < p.length; v += 3) {
      for (int k = 0; k < 3; k++) {
        out[v + k] = (float) (q[v + k] + shift[k]);
      }
    }
    int[] triangles = mesh.triangles();
    if (det(r) * scale < 0) {
      triangles = triangles.clone();
      for (int f = 0; f < triangles.length; f += 3) {
        int swap = triangles[f + 1];
        triangles[f + 1] = triangles[f + 2];
        triangles[f + 2] = swap;
      }
    }
    return new TriangleMesh(out, triangles);
  }

  private static double det(double[] r) {
    return r[0] * (r[4] * r[8] - r[5] * r[7])
        - r[1] * (r[3] * r[8] - r[5] * r[6])
        + r[2] * (r[3] * r[7] - r[4] * r[6]);
  }
}
