package org.anatwin.modeling.internal;

import java.util.Arrays;
import org.anatwin.model.TriangleMesh;
import org.jspecify.annotations.Nullable;

/**
 * Distances from points to a triangle mesh, exact (closest point on each candidate triangle), with
 * the triangles in a bounding-volume hierarchy searched nearest box first, so a query far from the
 * surface costs about as little as a near one. Safe for concurrent queries.
 */
public final class SurfaceDistance {
  private static final int LEAF = 4;

  private final float[] p;
  private final int[] t;

  /** Triangle indices, grouped so that every node covers a contiguous range. */
  private final int[] order;

  /** Per node: box min x, y, z, max x, y, z. */
  private final float[] boxes;

  /**
   * Per node: first and end index into {@code order}; children at 2n+1 and 2n+2 for inner nodes.
   */
  private final int[] ranges;

  private final boolean[] leaf;

  public SurfaceDistance(TriangleMesh target) {
    this.p = target.points();
    this.t = target.triangles();
    int n = t.length / 3;
    order = new int[n];
    float[] centroids = new float[3 * n];
    for (int f = 0; f < n; f++) {
      order[f] = f;
      for (int a = 0; a < 3; a++) {
        centroids[3 * f + a] =
            (p[3 * t[3 * f] + a] + p[3 * t[3 * f + 1] + a] + p[3 * t[3 * f + 2] + a]) / 3f;
      }
    }
    int nodes = 1;
    while (nodes < 2 * Math.max(1, (n + LEAF - 1) / LEAF)) {
      nodes <<= 1;
    }
    boxes = new float[6 * 2 * nodes];
    ranges = new int[2 * 2 * nodes];
    leaf = new boolean[2 * nodes];
    build(0, 0, n, centroids);
  }

  /** Bounding-volume hierarchy over the triangles: median split of centroids on the widest axis. */
  private void build(int node, int from, int to, float[] centroids) {
    ranges[2 * node] = from;
    ranges[2 * node + 1] = to;
    float[] box = {
      Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE,
      -Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE
    };
    float[] centre = {
      Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE,
      -Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE
    };
    for (int i = from; i < to; i++) {
      int f = order[i];
      for (int corner = 0; corner < 3; corner++) {
        for (int a = 0; a < 3; a++) {
          float v = p[3 * t[3 * f + corner] + a];
          box[a] = Math.min(box[a], v);
          box[3 + a] = Math.max(box[3 + a], v);
        }
      }
      for (int a = 0; a < 3; a++) {
        centre[a] = Math.min(centre[a], centroids[3 * f + a]);
        centre[3 + a] = Math.max(centre[3 + a], centroids[3 * f + a]);
      }
    }
    System.arraycopy(box, 0, boxes, 6 * node, 6);
    if (to - from <= LEAF || 2 * node + 2 >= leaf.length) {
      leaf[node] = true;
      return;
    }
    int axis = 0;
    for (int a = 1; a < 3; a++) {
      if (centre[3 + a] - centre[a] > centre[3 + axis] - centre[axis]) {
        axis = a;
      }
    }
    int middle = (from + to) >>> 1;
    org.anatwin.model.PointOrder.select(order, centroids, axis, from, to - 1, middle);
    build(2 * node + 1, from, middle, centroids);
    build(2 * node + 2, middle, to, centroids);
  }

  /** Squared distance from a point to a node's box (0 inside). */
  private double boxDistance(int node, double x, double y, double z) {
    int b = 6 * node;
    double dx = Math.max(0, Math.max(boxes[b] - x, x - boxes[b + 3]));
    double dy = Math.max(0, Math.max(boxes[b + 1] - y, y - boxes[b + 4]));
    double dz = Math.max(0, Math.max(boxes[b + 2] - z, z - boxes[b + 5]));
    return dx * dx + dy * dy + dz * dz;
  }

  /** Distance from a point to the mesh. */
  public double distance(double x, double y, double z) {
    return closest(x, y, z, null);
  }

  /**
   * Signed distance from a point to a closed mesh wound outward: positive outside, negative inside,
   * the side taken from the plane of the nearest triangle.
   */
  public double signedDistance(double x, double y, double z) {
    int[] face = new int[1];
    double d = closest(x, y, z, face);
    return sided(x, y, z, d, face[0]);
  }

  /**
   * Signed distance from a point with a unit normal to the nearest triangle facing within the angle
   * whose cosine is {@code minCos} of that normal (as inspection software matches a scanned surface
   * only to the design surface that faces the same way, so the outer side of a thin wall is never
   * measured against its inner side); the plain signed distance where no triangle faces that way
   * within {@code searchMm} beyond the nearest triangle of any facing.
   */
  public double signedDistanceFacing(
      double x,
      double y,
      double z,
      double nx,
      double ny,
      double nz,
      double minCos,
      double searchMm) {
    int[] any = new int[1];
    double nearest = closest(x, y, z, any);
    if (nx == 0 && ny == 0 && nz == 0) {
      return sided(x, y, z, nearest, any[0]);
    }
    int[] face = new int[1];
    // searched no farther than the limit, so a point with no such triangle near costs little
    double d = closest(x, y, z, face, new double[] {nx, ny, nz, minCos, nearest + searchMm});
    if (face[0] < 0) {
      return sided(x, y, z, nearest, any[0]);
    }
    return sided(x, y, z, d, face[0]);
  }

  private double sided(double x, double y, double z, double d, int f) {
    int a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    double side = (x - p[a]) * nx + (y - p[a + 1]) * ny + (z - p[a + 2]) * nz;
    return side < 0 ? -d : d;
  }

  /** Whether triangle f's normal is within the angle (cosine {@code facing[3]}) of the normal. */
  private boolean faces(int f, double[] facing) {
    int a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    double length = Math.sqrt(nx * nx + ny * ny + nz * nz);
    return length > 0 && (nx * facing[0] + ny * facing[1] + nz * facing[2]) >= facing[3] * length;
  }

  private double closest(double x, double y, double z, int @Nullable [] face) {
    return closest(x, y, z, face, null);
  }

  private double closest(
      double x, double y, double z, int @Nullable [] face, double @Nullable [] facing) {
    double best = facing == null ? Double.MAX_VALUE : facing[4];
    int bestFace = -1;
    int[] stack = new int[128];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      int node = stack[--top];
      double bound = boxDistance(node, x, y, z);
      if (bound >= best * best) {
        continue;
      }
      if (leaf[node]) {
        for (int i = ranges[2 * node]; i < ranges[2 * node + 1]; i++) {
          if (facing != null && !faces(order[i], facing)) {
            continue;
          }
          double d = toTriangle(order[i], x, y, z);
          if (d < best) {
            best = d;
            bestFace = order[i];
          }
        }
        continue;
      }
      int left = 2 * node + 1;
      int right = 2 * node + 2;
      // the nearer child last, so it is searched first
      boolean leftNearer = boxDistance(left, x, y, z) <= boxDistance(right, x, y, z);
      if (top + 2 > stack.length) {
        stack = Arrays.copyOf(stack, stack.length * 2);
      }
      stack[top++] = leftNearer ? right : left;
      stack[top++] = leftNearer ? left : right;
    }
    if (face != null) {
      face[0] = bestFace;
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
