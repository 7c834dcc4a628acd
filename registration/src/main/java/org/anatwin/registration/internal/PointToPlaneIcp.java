package org.anatwin.registration.internal;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.anatwin.model.TriangleMesh;
import org.jspecify.annotations.Nullable;

/**
 * Point-to-plane ICP (Chen and Medioni; linearised as in Low, 2004) of moving points onto a fixed
 * mesh: nearest fixed vertex by k-d tree, its area-weighted normal, a robust trim (pairs farther
 * than three median distances, then the farthest {@code 1 - keep} of the rest, are left out, so a
 * partial overlap does not pull), a 6x6 least-squares step solved exactly, coarse to fine over
 * evenly strided samples of the moving vertices. Deterministic: the same inputs give the same
 * transform, whatever the thread scheduling.
 */
public final class PointToPlaneIcp {
  /** The state of a run: the 4x4 (row-major 3x4) transform and its figures. */
  public record Result(
      double[] matrix,
      double rms,
      double overlap,
      int iterations,
      boolean converged,
      int pairs,
      double meanDistance) {}

  private final float[] fixedPoints;
  private final float[] fixedNormals;
  private final KdTree tree;

  public PointToPlaneIcp(TriangleMesh fixed) {
    fixedPoints = fixed.points();
    fixedNormals = fixed.vertexNormals();
    tree = new KdTree(fixedPoints);
  }

  /**
   * Registers {@code moving} from the start transform {@code start} (3x4 row-major), keeping the
   * closest {@code keep} fraction of pairs in each iteration.
   */
  public Result register(
      float[] moving, double[] start, double keep, int[] levels, int maxIterations) {
    double[] m = start.clone();
    int total = 0;
    boolean converged = false;
    double rms = Double.NaN;
    double overlap = 0;
    int pairs = 0;
    double mean = Double.NaN;
    for (int level = 0; level < levels.length; level++) {
      int count = Math.min(levels[level], moving.length / 3);
      int stride = Math.max(1, (moving.length / 3) / count);
      float[] sample = new float[3 * ((moving.length / 3 + stride - 1) / stride)];
      for (int v = 0, s = 0; v < moving.length / 3; v += stride, s += 3) {
        sample[s] = moving[3 * v];
        sample[s + 1] = moving[3 * v + 1];
        sample[s + 2] = moving[3 * v + 2];
      }
      converged = false;
      boolean last = level == levels.length - 1;
      for (int iteration = 0; iteration < maxIterations; iteration++) {
        total++;
        Step step = step(sample, m, keep);
        rms = step.rms;
        overlap = step.overlap;
        pairs = step.pairs;
        mean = step.mean;
        double[] delta = step.delta;
        double[] x = step.x;
        if (delta == null || x == null) {
          break;
        }
        m = compose(delta, m);
        double angle = Math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
        double shift = Math.sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5]);
        if (angle < (last ? 1e-6 : 1e-5) && shift < (last ? 1e-4 : 1e-3)) {
          converged = true;
          break;
        }
      }
    }
    return new Result(m, rms, overlap, total, converged, pairs, mean);
  }

  /** One linearised step from transform {@code m}: the increment and the pairs' figures. */
  private Step step(float[] sample, double[] m, double keep) {
    int n = sample.length / 3;
    double[] distance = new double[n];
    int[] partner = new int[n];
    double[][] moved = new double[n][];
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              double[] p = apply(m, sample[3 * i], sample[3 * i + 1], sample[3 * i + 2]);
              int q = tree.nearest(p[0], p[1], p[2]);
              partner[i] = q;
              moved[i] = p;
              double dx = p[0] - fixedPoints[3 * q];
              double dy = p[1] - fixedPoints[3 * q + 1];
              double dz = p[2] - fixedPoints[3 * q + 2];
              distance[i] = Math.sqrt(dx * dx + dy * dy + dz * dz);
            });
    double[] sorted = distance.clone();
    Arrays.sort(sorted);
    double all = 0;
    for (double d : sorted) {
      all += d;
    }
    double median = sorted[n / 2];
    double limit = Math.min(3 * Math.max(median, 1e-6), sorted[(int) Math.max(0, keep * n - 1)]);
    // rotations about the pairs' centroid keep the 6x6 system well conditioned far from the origin
    double cx = 0, cy = 0, cz = 0;
    int inside = 0;
    for (int i = 0; i < n; i++) {
      if (distance[i] <= limit) {
        cx += moved[i][0];
        cy += moved[i][1];
        cz += moved[i][2];
        inside++;
      }
    }
    if (inside > 0) {
      cx /= inside;
      cy /= inside;
      cz /= inside;
    }
    double[] ata = new double[36];
    double[] atb = new double[6];
    double sum = 0;
    int used = 0;
    for (int i = 0; i < n; i++) {
      if (distance[i] > limit) {
        continue;
      }
      int q = partner[i];
      double nx = fixedNormals[3 * q], ny = fixedNormals[3 * q + 1], nz = fixedNormals[3 * q + 2];
      double[] p = {moved[i][0] - cx, moved[i][1] - cy, moved[i][2] - cz};
      double r =
          (fixedPoints[3 * q] - moved[i][0]) * nx
              + (fixedPoints[3 * q + 1] - moved[i][1]) * ny
              + (fixedPoints[3 * q + 2] - moved[i][2]) * nz;
      double[] a = {
        p[1] * nz - p[2] * ny, p[2] * nx - p[0] * nz, p[0] * ny - p[1] * nx, nx, ny, nz
      };
      for (int row = 0; row < 6; row++) {
        atb[row] += a[row] * r;
        for (int col = 0; col < 6; col++) {
          ata[6 * row + col] += a[row] * a[col];
        }
      }
      sum += r * r;
      used++;
    }
    Step step = new Step();
    step.mean = all / n;
    step.rms = used == 0 ? Double.NaN : Math.sqrt(sum / used);
    step.overlap = (double) used / n;
    step.pairs = used;
    if (used < 6) {
      return step;
    }
    double[] x = solve(ata, atb);
    if (x == null) {
      return step;
    }
    step.x = x;
    // x' = R (x - c) + c + t
    double[] delta = rigid(x);
    double[] rc =
        apply(
            new double[] {
              delta[0], delta[1], delta[2], 0, delta[4], delta[5], delta[6], 0, delta[8], delta[9],
              delta[10], 0
            },
            cx,
            cy,
            cz);
    delta[3] += cx - rc[0];
    delta[7] += cy - rc[1];
    delta[11] += cz - rc[2];
    step.delta = delta;
    return step;
  }

  private static final class Step {
    double rms;
    double mean;
    double overlap;
    int pairs;
    double @Nullable [] x;
    double @Nullable [] delta;
  }

  /** The rigid transform of rotation vector (x0, x1, x2) and translation (x3, x4, x5). */
  private static double[] rigid(double[] x) {
    double angle = Math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    double[] r = new double[12];
    if (angle < 1e-15) {
      r[0] = r[5] = r[10] = 1;
    } else {
      double kx = x[0] / angle, ky = x[1] / angle, kz = x[2] / angle;
      double c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
      r[0] = t * kx * kx + c;
      r[1] = t * kx * ky - s * kz;
      r[2] = t * kx * kz + s * ky;
      r[4] = t * kx * ky + s * kz;
      r[5] = t * ky * ky + c;
      r[6] = t * ky * kz - s * kx;
      r[8] = t * kx * kz - s * ky;
      r[9] = t * ky * kz + s * kx;
      r[10] = t * kz * kz + c;
    }
    r[3] = x[3];
    r[7] = x[4];
    r[11] = x[5];
    return r;
  }

  /** {@code a} after {@code b} (both 3x4 row-major). */
  static double[] compose(double[] a, double[] b) {
    double[] out = new double[12];
    for (int row = 0; row < 3; row++) {
      for (int col = 0; col < 4; col++) {
        double v = col == 3 ? a[4 * row + 3] : 0;
        for (int k = 0; k < 3; k++) {
          v += a[4 * row + k] * b[4 * k + col];
        }
        out[4 * row + col] = v;
      }
    }
    return out;
  }

  static double[] apply(double[] m, double x, double y, double z) {
    return new double[] {
      m[0] * x + m[1] * y + m[2] * z + m[3],
      m[4] * x + m[5] * y + m[6] * z + m[7],
      m[8] * x + m[9] * y + m[10] * z + m[11]
    };
  }

  /** Gaussian elimination with partial pivoting; null when the system is singular. */
  private static double @Nullable [] solve(double[] matrix, double[] rhs) {
    int n = rhs.length;
    double[] a = matrix.clone();
    double[] b = rhs.clone();
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(a[n * row + col]) > Math.abs(a[n * pivot + col])) {
          pivot = row;
        }
      }
      if (Math.abs(a[n * pivot + col]) < 1e-12) {
        return null;
      }
      if (pivot != col) {
        for (int k = 0; k < n; k++) {
          double swap = a[n * col + k];
          a[n * col + k] = a[n * pivot + k];
          a[n * pivot + k] = swap;
        }
        double swap = b[col];
        b[col] = b[pivot];
        b[pivot] = swap;
      }
      for (int row = col + 1; row < n; row++) {
        double f = a[n * row + col] / a[n * col + col];
        for (int k = col; k < n; k++) {
          a[n * row + k] -= f * a[n * col + k];
        }
        b[row] -= f * b[col];
      }
    }
    double[] x = new double[n];
    for (int row = n - 1; row >= 0; row--) {
      double v = b[row];
      for (int k = row + 1; k < n; k++) {
        v -= a[n * row + k] * x[k];
      }
      x[row] = v / a[n * row + row];
    }
    return x;
  }
}
