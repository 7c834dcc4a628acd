package org.anatwin.modeling.internal;

import java.util.Arrays;
import org.anatwin.model.TriangleMesh;

/**
 * A uniform grid over a mesh's triangles (each listed in every cell its box touches), for the
 * queries that must not compare every triangle with every other: self-intersections and wall
 * thickness. Cells are about the size of a triangle, so a cell holds a handful.
 */
final class TriangleGrid {
  private static final int TRIANGLE_BITS = 25;

  final TriangleMesh mesh;
  final double[] origin = new double[3];
  final double cell;
  final int[] size = new int[3];

  /** Sorted (cell << TRIANGLE_BITS | triangle) entries. */
  final long[] entries;

  TriangleGrid(TriangleMesh mesh) {
    if (mesh.triangleCount() >= 1 << TRIANGLE_BITS) {
      throw new IllegalArgumentException("too many triangles for the grid");
    }
    this.mesh = mesh;
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    double[] max = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    Arrays.fill(origin, Double.MAX_VALUE);
    for (int v = 0; v < p.length; v++) {
      origin[v % 3] = Math.min(origin[v % 3], p[v]);
      max[v % 3] = Math.max(max[v % 3], p[v]);
    }
    double edges = 0;
    for (int f = 0; f < t.length; f += 3) {
      edges += distance(p, t[f], t[f + 1]);
    }
    double mean = t.length == 0 ? 1 : edges / (t.length / 3);
    double extent = Math.max(max[0] - origin[0], Math.max(max[1] - origin[1], max[2] - origin[2]));
    // about two triangles across a cell, and at most 2^12 cells along an axis
    double c = Math.max(2 * mean, extent / 4000);
    cell = c > 0 ? c : 1;
    for (int a = 0; a < 3; a++) {
      size[a] = (int) Math.floor((max[a] - origin[a]) / cell) + 1;
    }
    long[] list = new long[2 * mesh.triangleCount() + 16];
    int count = 0;
    int[] lo = new int[3];
    int[] hi = new int[3];
    for (int f = 0; f < mesh.triangleCount(); f++) {
      box(f, lo, hi);
      for (int z = lo[2]; z <= hi[2]; z++) {
        for (int y = lo[1]; y <= hi[1]; y++) {
          for (int x = lo[0]; x <= hi[0]; x++) {
            if (count == list.length) {
              list = Arrays.copyOf(list, list.length * 2);
            }
            list[count++] = (key(x, y, z) << TRIANGLE_BITS) | f;
          }
        }
      }
    }
    entries = Arrays.copyOf(list, count);
    Arrays.parallelSort(entries);
  }

  long key(int x, int y, int z) {
    return x + (long) size[0] * (y + (long) size[1] * z);
  }

  static int triangle(long entry) {
    return (int) (entry & ((1 << TRIANGLE_BITS) - 1));
  }

  static long cellOf(long entry) {
    return entry >>> TRIANGLE_BITS;
  }

  /** The cells (inclusive) that triangle {@code f}'s bounding box touches. */
  void box(int f, int[] lo, int[] hi) {
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    for (int a = 0; a < 3; a++) {
      double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
      for (int corner = 0; corner < 3; corner++) {
        double value = p[3 * t[3 * f + corner] + a];
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      lo[a] = clamp((int) Math.floor((min - origin[a]) / cell), a);
      hi[a] = clamp((int) Math.floor((max - origin[a]) / cell), a);
    }
  }

  int clamp(int index, int axis) {
    return Math.max(0, Math.min(size[axis] - 1, index));
  }

  /** Index of the first entry of {@code cell}, or a negative number when the cell is empty. */
  int first(long cellKey) {
    int at = Arrays.binarySearch(entries, cellKey << TRIANGLE_BITS);
    int index = at >= 0 ? at : -at - 1;
    return index < entries.length && cellOf(entries[index]) == cellKey ? index : -1;
  }

  private static double distance(float[] p, int a, int b) {
    double dx = p[3 * a] - p[3 * b], dy = p[3 * a + 1] - p[3 * b + 1];
    double dz = p[3 * a + 2] - p[3 * b + 2];
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
}
