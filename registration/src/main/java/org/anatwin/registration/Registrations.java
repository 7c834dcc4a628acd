package org.anatwin.registration;

import java.util.List;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.geometry.euclidean.threed.rotation.QuaternionRotation;
import org.apache.commons.numbers.core.Precision;

/** Entry point of the registration module. */
public final class Registrations {
  private static final int JACOBI_SWEEPS = 64;

  private Registrations() {}

  /**
   * Horn's closed-form absolute orientation (J. Opt. Soc. Am. A 4(4), 1987): the rotation is the
   * unit quaternion of the largest eigenvalue of the 4x4 matrix built from the cross-covariance of
   * the centred point sets; the translation maps the moving centroid onto the fixed one.
   *
   * @param precision decides when the landmarks are too close to a line to fix a rotation
   */
  public static RigidRegistration createLandmarkRegistration(
      List<Vector3D> fixed, List<Vector3D> moving, Precision.DoubleEquivalence precision) {
    if (fixed.size() != moving.size()) {
      throw new RegistrationException(
          "registration:landmarks.unpaired",
          fixed.size() + " fixed and " + moving.size() + " moving landmarks: they must be pairs");
    }
    if (fixed.size() < 3) {
      throw new RegistrationException(
          "registration:landmarks.too-few",
          "a rigid registration needs at least 3 landmark pairs, not " + fixed.size());
    }
    Vector3D fc = centroid(fixed);
    Vector3D mc = centroid(moving);
    double[][] s = new double[3][3];
    for (int i = 0; i < fixed.size(); i++) {
      double[] m = moving.get(i).subtract(mc).toArray();
      double[] f = fixed.get(i).subtract(fc).toArray();
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
          s[r][c] += m[r] * f[c];
        }
      }
    }
    double[][] n = {
      {s[0][0] + s[1][1] + s[2][2], s[1][2] - s[2][1], s[2][0] - s[0][2], s[0][1] - s[1][0]},
      {s[1][2] - s[2][1], s[0][0] - s[1][1] - s[2][2], s[0][1] + s[1][0], s[2][0] + s[0][2]},
      {s[2][0] - s[0][2], s[0][1] + s[1][0], -s[0][0] + s[1][1] - s[2][2], s[1][2] + s[2][1]},
      {s[0][1] - s[1][0], s[2][0] + s[0][2], s[1][2] + s[2][1], -s[0][0] - s[1][1] + s[2][2]}
    };
    double[] values = new double[4];
    double[][] vectors = symmetricEigen(n, values);
    int[] order =
        java.util.stream.IntStream.range(0, 4)
            .boxed()
            .sorted((a, b) -> Double.compare(values[b], values[a]))
            .mapToInt(Integer::intValue)
            .toArray();
    if (precision.eq(values[order[0]], values[order[1]])) {
      throw new RegistrationException(
          "registration:landmarks.degenerate",
          "the landmarks lie (nearly) on a line or a point: the rotation is not determined");
    }
    int best = order[0];
    QuaternionRotation rotation =
        QuaternionRotation.of(
            vectors[0][best], vectors[1][best], vectors[2][best], vectors[3][best]);
    Vector3D translation = fc.subtract(rotation.apply(mc));
    double sum = 0;
    for (int i = 0; i < fixed.size(); i++) {
      sum += rotation.apply(moving.get(i)).add(translation).distanceSq(fixed.get(i));
    }
    return new RigidRegistration(
        rotation, translation, Math.sqrt(sum / fixed.size()), fixed.size());
  }

  private static Vector3D centroid(List<Vector3D> points) {
    Vector3D.Sum sum = Vector3D.Sum.create();
    points.forEach(sum::add);
    return sum.get().multiply(1.0 / points.size());
  }

  /** Cyclic Jacobi rotations; returns eigenvectors as columns and fills {@code values}. */
  static double[][] symmetricEigen(double[][] input, double[] values) {
    int n = input.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = input[i].clone();
    }
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      v[i][i] = 1;
    }
    for (int sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          off += a[p][q] * a[p][q];
        }
      }
      if (off == 0) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      values[i] = a[i][i];
    }
    return v;
  }
}
