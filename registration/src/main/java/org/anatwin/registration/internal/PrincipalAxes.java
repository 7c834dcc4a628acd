package org.anatwin.registration.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Start transforms for surfaces in unrelated frames: centroids matched and principal axes (of the
 * vertices' covariance) aligned; the axes' signs are ambiguous, so the four sign choices that keep
 * a proper rotation are all returned, for the caller to try.
 */
public final class PrincipalAxes {
  private PrincipalAxes() {}

  /** Four 3x4 row-major start transforms mapping {@code moving} onto {@code fixed}. */
  public static List<double[]> starts(float[] fixed, float[] moving) {
    double[] fc = new double[3];
    double[][] fa = axes(fixed, fc);
    double[] mc = new double[3];
    double[][] ma = axes(moving, mc);
    List<double[]> out = new ArrayList<>();
    int[][] signs = {{1, 1, 1}, {-1, -1, 1}, {-1, 1, -1}, {1, -1, -1}};
    for (int[] s : signs) {
      // R = F * diag(s) * M^T, with axes as columns
      double[] m = new double[12];
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
          double v = 0;
          for (int k = 0; k < 3; k++) {
            v += fa[r][k] * s[k] * ma[c][k];
          }
          m[4 * r + c] = v;
        }
      }
      for (int r = 0; r < 3; r++) {
        m[4 * r + 3] = fc[r] - (m[4 * r] * mc[0] + m[4 * r + 1] * mc[1] + m[4 * r + 2] * mc[2]);
      }
      out.add(m);
    }
    return out;
  }

  /** Principal axes as columns, largest variance first, right-handed; fills the centroid. */
  private static double[][] axes(float[] points, double[] centroid) {
    int n = points.length / 3;
    for (int v = 0; v < points.length; v++) {
      centroid[v % 3] += points[v] / (double) n;
    }
    double[][] covariance = new double[3][3];
    for (int v = 0; v < n; v++) {
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
          covariance[r][c] += (points[3 * v + r] - centroid[r]) * (points[3 * v + c] - centroid[c]);
        }
      }
    }
    double[] values = new double[3];
    double[][] vectors = Eigen.symmetric(covariance, values);
    Integer[] order = {0, 1, 2};
    java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double[][] out = new double[3][3];
    for (int c = 0; c < 3; c++) {
      for (int r = 0; r < 3; r++) {
        out[r][c] = vectors[r][order[c]];
      }
    }
    // third axis = first x second, so the frame is right-handed
    out[0][2] = out[1][0] * out[2][1] - out[2][0] * out[1][1];
    out[1][2] = out[2][0] * out[0][1] - out[0][0] * out[2][1];
    out[2][2] = out[0][0] * out[1][1] - out[1][0] * out[0][1];
    return out;
  }
}
