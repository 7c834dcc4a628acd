package org.anatwin.modeling.internal;

import org.anatwin.model.VolumeGeometry;
import org.jspecify.annotations.Nullable;

/**
 * Binary dilation and erosion with a ball of a radius in millimetres, through the exact squared
 * Euclidean distance transform of Felzenszwalb and Huttenlocher (lower envelope of parabolas, one
 * axis after the other, with the grid's spacing on each axis). Work stays inside the labelled
 * voxels' bounding box widened by the radius, so memory follows the object, not the scan. Outside
 * the grid counts as background for dilation and as foreground for erosion (an object cut by the
 * scan's edge is not eroded from the cut), as ITK's binary morphology does.
 */
public final class DistanceTransform {
  /** Distances at or above this are "no source voxel on this line yet". */
  private static final double FINITE = Float.MAX_VALUE / 2;

  private DistanceTransform() {}

  public static byte[] dilate(VolumeGeometry g, byte[] labels, double radius) {
    Box box = Box.around(g, labels, radius);
    byte[] out = new byte[labels.length];
    if (box == null) {
      return out;
    }
    float[] d = box.load(g, labels, true);
    transform(box, d, g);
    double limit = radius * radius * (1 + 1e-9);
    box.store(g, d, out, value -> value <= limit);
    return out;
  }

  public static byte[] erode(VolumeGeometry g, byte[] labels, double radius) {
    Box box = Box.around(g, labels, 1e-9);
    byte[] out = new byte[labels.length];
    if (box == null) {
      return out;
    }
    box = box.widened(g, 1);
    // distance to the nearest background voxel
    float[] d = box.load(g, labels, false);
    transform(box, d, g);
    double limit = radius * radius * (1 + 1e-9);
    box.store(g, d, out, value -> value > limit);
    for (int v = 0; v < labels.length; v++) {
      if (labels[v] == 0) {
        out[v] = 0;
      }
    }
    return out;
  }

  /** Squared distances, in place, to the voxels whose value is 0. */
  private static void transform(Box box, float[] d, VolumeGeometry g) {
    int[] n = {box.size[0], box.size[1], box.size[2]};
    double[] spacing = {g.sx(), g.sy(), g.sz()};
    int longest = Math.max(n[0], Math.max(n[1], n[2]));
    double[] f = new double[longest];
    double[] result = new double[longest];
    int[] v = new int[longest];
    double[] z = new double[longest + 1];
    for (int axis = 0; axis < 3; axis++) {
      int a1 = (axis + 1) % 3;
      int a2 = (axis + 2) % 3;
      int[] stride = {1, n[0], n[0] * n[1]};
      for (int p = 0; p < n[a1]; p++) {
        for (int q = 0; q < n[a2]; q++) {
          int base = p * stride[a1] + q * stride[a2];
          for (int i = 0; i < n[axis]; i++) {
            f[i] = d[base + i * stride[axis]];
          }
          envelope(f, n[axis], spacing[axis], result, v, z);
          for (int i = 0; i < n[axis]; i++) {
            d[base + i * stride[axis]] = (float) result[i];
          }
        }
      }
    }
  }

  /** One-dimensional squared distance transform of {@code f} with sample spacing {@code s}. */
  private static void envelope(double[] f, int n, double s, double[] out, int[] v, double[] z) {
    int k = 0;
    int first = -1;
    for (int q = 0; q < n; q++) {
      if (f[q] < FINITE) {
        first = q;
        break;
      }
    }
    if (first < 0) {
      java.util.Arrays.fill(out, 0, n, Float.MAX_VALUE);
      return;
    }
    v[0] = first;
    z[0] = Double.NEGATIVE_INFINITY;
    z[1] = Double.POSITIVE_INFINITY;
    for (int q = first + 1; q < n; q++) {
      if (f[q] >= FINITE) {
        continue;
      }
      double x = q * s;
      double sNext = intersection(f, q, v[k], s);
      while (sNext <= z[k]) {
        // z[0] is minus infinity: this stops at k = 0 at the latest
        k--;
        sNext = intersection(f, q, v[k], s);
      }
      k++;
      v[k] = q;
      z[k] = sNext;
      z[k + 1] = Double.POSITIVE_INFINITY;
    }
    k = 0;
    for (int q = 0; q < n; q++) {
      double x = q * s;
      while (z[k + 1] < x) {
        k++;
      }
      double y = v[k] * s;
      out[q] = (x - y) * (x - y) + f[v[k]];
    }
  }

  /** Where the parabolas rooted at samples {@code q} and {@code p} meet. */
  private static double intersection(double[] f, int q, int p, double s) {
    double x = q * s;
    double y = p * s;
    return ((f[q] + x * x) - (f[p] + y * y)) / (2 * (x - y));
  }

  /** A box of voxels (origin and size per axis) inside the grid. */
  private record Box(int[] origin, int[] size) {
    static @Nullable Box around(VolumeGeometry g, byte[] labels, double radius) {
      int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
      int[] hi = {-1, -1, -1};
      for (int k = 0, v = 0; k < g.nz(); k++) {
        for (int j = 0; j < g.ny(); j++) {
          for (int i = 0; i < g.nx(); i++, v++) {
            if (labels[v] != 0) {
              lo[0] = Math.min(lo[0], i);
              lo[1] = Math.min(lo[1], j);
              lo[2] = Math.min(lo[2], k);
              hi[0] = Math.max(hi[0], i);
              hi[1] = Math.max(hi[1], j);
              hi[2] = Math.max(hi[2], k);
            }
          }
        }
      }
      if (hi[0] < 0) {
        return null;
      }
      double[] spacing = {g.sx(), g.sy(), g.sz()};
      int[] n = {g.nx(), g.ny(), g.nz()};
      int[] origin = new int[3];
      int[] size = new int[3];
      for (int a = 0; a < 3; a++) {
        int margin = (int) Math.ceil(radius / spacing[a]);
        origin[a] = Math.max(0, lo[a] - margin);
        size[a] = Math.min(n[a] - 1, hi[a] + margin) - origin[a] + 1;
      }
      return new Box(origin, size);
    }

    Box widened(VolumeGeometry g, int voxels) {
      int[] n = {g.nx(), g.ny(), g.nz()};
      int[] o = new int[3];
      int[] s = new int[3];
      for (int a = 0; a < 3; a++) {
        o[a] = Math.max(0, origin[a] - voxels);
        s[a] = Math.min(n[a] - 1, origin[a] + size[a] - 1 + voxels) - o[a] + 1;
      }
      return new Box(o, s);
    }

    /**
     * The box's voxels as distances to start from: 0 on the voxels to measure from (labelled ones
     * when {@code fromLabels}, background ones otherwise), "infinite" elsewhere.
     */
    float[] load(VolumeGeometry g, byte[] labels, boolean fromLabels) {
      float[] d = new float[Math.multiplyExact(Math.multiplyExact(size[0], size[1]), size[2])];
      for (int k = 0, b = 0; k < size[2]; k++) {
        for (int j = 0; j < size[1]; j++) {
          int v = origin[0] + g.nx() * ((origin[1] + j) + g.ny() * (origin[2] + k));
          for (int i = 0; i < size[0]; i++, b++, v++) {
            boolean source = (labels[v] != 0) == fromLabels;
            d[b] = source ? 0 : Float.MAX_VALUE;
          }
        }
      }
      return d;
    }

    void store(VolumeGeometry g, float[] d, byte[] out, java.util.function.DoublePredicate inside) {
      for (int k = 0, b = 0; k < size[2]; k++) {
        for (int j = 0; j < size[1]; j++) {
          int v = origin[0] + g.nx() * ((origin[1] + j) + g.ny() * (origin[2] + k));
          for (int i = 0; i < size[0]; i++, b++, v++) {
            out[v] = inside.test(d[b]) ? (byte) 1 : 0;
          }
        }
      }
    }
  }
}
