package org.anatwin.registration.internal;

/**
 * A static 3-d tree over points (x, y, z triplets) for nearest-neighbour queries: built once by
 * median splits on the widest axis, stored as a permutation of the point indices, queried without
 * allocation. Safe for concurrent queries.
 */
public final class KdTree {
  private static final int LEAF = 8;

  private final float[] points;
  private final int[] order;

  /** Per node (implicit, over ranges of {@code order}): split axis, or -1 for a leaf. */
  private final byte[] axis;

  private final float[] split;

  public KdTree(float[] points) {
    this.points = points;
    int n = points.length / 3;
    order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    int nodes = 1;
    while (nodes < 2 * Math.max(1, n / LEAF + 1)) {
      nodes <<= 1;
    }
    axis = new byte[2 * nodes];
    split = new float[2 * nodes];
    java.util.Arrays.fill(axis, (byte) -1);
    build(1, 0, n);
  }

  private void build(int node, int from, int to) {
    if (to - from <= LEAF || 2 * node + 1 >= axis.length) {
      return;
    }
    float[] lo = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
    float[] hi = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
    for (int i = from; i < to; i++) {
      for (int a = 0; a < 3; a++) {
        float value = points[3 * order[i] + a];
        lo[a] = Math.min(lo[a], value);
        hi[a] = Math.max(hi[a], value);
      }
    }
    int a = 0;
    for (int b = 1; b < 3; b++) {
      if (hi[b] - lo[b] > hi[a] - lo[a]) {
        a = b;
      }
    }
    int middle = (from + to) >>> 1;
    org.anatwin.model.PointOrder.select(order, points, a, from, to - 1, middle);
    axis[node] = (byte) a;
    split[node] = points[3 * order[middle] + a];
    build(2 * node, from, middle);
    build(2 * node + 1, middle, to);
  }

  /** The index of the point nearest to (x, y, z). */
  public int nearest(double x, double y, double z) {
    double[] best = {Double.MAX_VALUE};
    int[] found = {-1};
    search(1, 0, order.length, x, y, z, best, found);
    return found[0];
  }

  private void search(
      int node, int from, int to, double x, double y, double z, double[] best, int[] found) {
    if (from >= to) {
      return;
    }
    if (node >= axis.length || axis[node] < 0) {
      for (int i = from; i < to; i++) {
        int p = 3 * order[i];
        double dx = points[p] - x, dy = points[p + 1] - y, dz = points[p + 2] - z;
        double d = dx * dx + dy * dy + dz * dz;
        if (d < best[0]) {
          best[0] = d;
          found[0] = order[i];
        }
      }
      return;
    }
    int a = axis[node];
    double q = a == 0 ? x : a == 1 ? y : z;
    double delta = q - split[node];
    int middle = (from + to) >>> 1;
    if (delta < 0) {
      search(2 * node, from, middle, x, y, z, best, found);
      if (delta * delta < best[0]) {
        search(2 * node + 1, middle, to, x, y, z, best, found);
      }
    } else {
      search(2 * node + 1, middle, to, x, y, z, best, found);
      if (delta * delta < best[0]) {
        search(2 * node, from, middle, x, y, z, best, found);
      }
    }
  }
}
