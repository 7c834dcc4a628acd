package org.anatwin.modeling.internal;

import java.util.Arrays;
import org.anatwin.model.TriangleMesh;

/**
 * Unsigned distances from points to a triangle mesh, exact (closest point on each candidate
 * triangle), with the triangles binned in a uniform grid so each query looks at nearby cells only.
 */
public final class SurfaceDistance {
  private final float[] p;
  private final int[] t;
  private final double cell;
  private final double[] min = new double[3];
  private final int[] dims = new int[3];
  private final int[] start;
  private final int[] items;

  public SurfaceDistance(TriangleMesh target) {
    this.p = target.points();
    this.t = target.triangles();
    int n = t.length / 3;
    double[] max = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    Arrays.fill(min, Double.MAX_VALUE);
    for (int v = 0; v < p.length; v += 3) {
      for (int a = 0; a < 3; a++) {
        min[a] = Math.min(min[a], p[v + a]);
        max[a] = Math.max(max[a], p[v + a]);
      }
    }
    double edges = 0;
    for (int f = 0; f < n; f++) {
      edges += dist(t[3 * f], t[3 * f + 1]);
    }
    this.cell = Math.max(1e-6, 2 * edges / Math.max(1, n));
    for (int a = 0; a < 3; a++) {
      dims[a] = Math.max(1, (int) Math.ceil((max[a] - min[a]) / cell) + 1);
    }
    long cells = (long) dims[0] * dims[1] * dims[2];
    if (cells > 64_000_000) {
      throw new IllegalArgumentException("mesh too sparse for the distance grid: " + cells);
    }
    int[] counts = new int[(int) cells + 1];
    int[][] ranges = new int[n][];
    for (int f = 0; f < n; f++) {
      ranges[f] = range(f);
      forEachCell(ranges[f], c -> counts[c + 1]++);
    }
    for (int c = 0; c < cells; c++) {
      counts[c + 1] += counts[c];
    }
    this.start = counts.clone();
    this.items = new int[counts[(int) cells]];
    int[] fill = counts.clone();
    for (int f = 0; f < n; f++) {
      int face = f;
      forEachCell(ranges[f], c -> items[fill[c]++] = face);
    }
  }

  private double dist(int a, int b) {
    double dx = p[3 * a] - p[3 * b],
        dy = p[3 * a + 1] - p[3 * b + 1],
        dz = p[3 * a + 2] - p[3 * b + 2];
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  private int[] range(int f) {
    int[] r = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0, 0};
    for (int k = 0; k < 3; k++) {
      int v = 3 * t[3 * f + k];
      for (int a = 0; a < 3; a++) {
        int c = index(p[v + a], a);
        r[a] = Math.min(r[a], c);
        r[a + 3] = Math.max(r[a + 3], c);
      }
    }
    return r;
  }

  private int index(double x, int axis) {
    return Math.max(0, Math.min(dims[axis] - 1, (int) Math.floor((x - min[axis]) / cell)));
  }

  private void forEachCell(int[] r, java.util.function.IntConsumer action) {
    for (int z = r[2]; z <= r[5]; z++) {
      for (int y = r[1]; y <= r[4]; y++) {
        for (int x = r[0]; x <= r[3]; x++) {
          action.accept(x + dims[0] * (y + dims[1] * z));
        }
      }
    }
  }

  /** Distance from a point to the mesh. */
  public double distance(double x, double y, double z) {
    int cx = index(x, 0), cy = index(y, 1), cz = index(z, 2);
    double best = Double.MAX_VALUE;
    int maxRing = Math.max(dims[0], Math.max(dims[1], dims[2]));
    for (int ring = 0; ring <= maxRing; ring++) {
      for (int k = cz - ring; k <= cz + ring; k++) {
        for (int j = cy - ring; j <= cy + ring; j++) {
          for (int i = cx - ring; i <= cx + ring; i++) {
            boolean shell =
                Math.abs(i - cx) == ring || Math.abs(j - cy) == ring || Math.abs(k - cz) == ring;
            if (!shell || i < 0 || j < 0 || k < 0 || i >= dims[0] || j >= dims[1] || k >= dims[2]) {
              continue;
            }
            int c = i + dims[0] * (j + dims[1] * k);
            for (int s = start[c]; s < start[c + 1]; s++) {
              best = Math.min(best, toTriangle(items[s], x, y, z));
            }
          }
        }
      }
      // every triangle not yet seen is at least `ring` cells away from the query's cell
      if (best <= ring * cell) {
        return best;
      }
    }
    return best;
  }

  /** Largest distance of the points (x, y, z triplets) to the mesh; 0 for no points. */
  public double maxDistance(float[] points) {
    return java.util.stream.IntStream.range(0, points.length / 3)
        .parallel()
        .mapToDouble(v -> distance(points[3 * v], points[3 * v + 1], points[3 * v + 2]))
        .max()
        .orElse(0);
  }

  /** Mean distance of the points (x, y, z triplets) to the mesh. */
  public double meanDistance(float[] points) {
    double sum = 0;
    for (int v = 0; v < points.length; v += 3) {
      sum += distance(points[v], points[v + 1], points[v + 2]);
    }
    return sum / (points.length / 3);
  }

  /** Distance from a point to one triangle (closest point by Voronoi regions). */
  private double toTriangle(int f, double px, double py, double pz) {
    int a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    double ax = p[a], ay = p[a + 1], az = p[a + 2];
    double abx = p[b] - ax, aby = p[b + 1] - ay, abz = p[b + 2] - az;
    double acx = p[c] - ax, acy = p[c + 1] - ay, acz = p[c + 2] - az;
    double apx = px - ax, apy = py - ay, apz = pz - az;
    double d1 = abx * apx + aby * apy + abz * apz;
    double d2 = acx * apx + acy * apy + acz * apz;
    if (d1 <= 0 && d2 <= 0) {
      return len(apx, apy, apz);
    }
    double bpx = px - p[b], bpy = py - p[b + 1], bpz = pz - p[b + 2];
    double d3 = abx * bpx + aby * bpy + abz * bpz;
    double d4 = acx * bpx + acy * bpy + acz * bpz;
    if (d3 >= 0 && d4 <= d3) {
      return len(bpx, bpy, bpz);
    }
    double vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0) {
      double v = d1 / (d1 - d3);
      return len(apx - v * abx, apy - v * aby, apz - v * abz);
    }
    double cpx = px - p[c], cpy = py - p[c + 1], cpz = pz - p[c + 2];
    double d5 = abx * cpx + aby * cpy + abz * cpz;
    double d6 = acx * cpx + acy * cpy + acz * cpz;
    if (d6 >= 0 && d5 <= d6) {
      return len(cpx, cpy, cpz);
    }
    double vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0) {
      double w = d2 / (d2 - d6);
      return len(apx - w * acx, apy - w * acy, apz - w * acz);
    }
    double va = d3 * d6 - d5 * d4;
    if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
      double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
      double bcx = p[c] - p[b], bcy = p[c + 1] - p[b + 1], bcz = p[c + 2] - p[b + 2];
      return len(bpx - w * bcx, bpy - w * bcy, bpz - w * bcz);
    }
    double denom = 1 / (va + vb + vc);
    double v = vb * denom;
    double w = vc * denom;
    return len(apx - abx * v - acx * w, apy - aby * v - acy * w, apz - abz * v - acz * w);
  }

  private static double len(double x, double y, double z) {
    return Math.sqrt(x * x + y * y + z * z);
  }
}
