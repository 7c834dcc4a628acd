package org.anatwin.registration;

import java.util.List;
import org.anatwin.model.TriangleMesh;
import org.anatwin.registration.internal.PointToPlaneIcp;
import org.anatwin.registration.internal.PrincipalAxes;
import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.geometry.euclidean.threed.rotation.QuaternionRotation;
import org.apache.commons.numbers.core.Precision;

/** Entry point of the registration module. */
public final class Registrations {
  /** Name and version of the surface registration, as recorded in lineage. */
  public static final String ICP = "anatwin.registration.point-to-plane-icp";

  public static final String ICP_VERSION = "1";

  private Registrations() {}

  /**
   * How to register surfaces: keep the closest {@code keep} fraction of pairs (partial overlap),
   * sample sizes from coarse to fine, iterations per level, and the thresholds beyond which the
   * result needs a person's review (overlap below {@code minOverlap}, residual above {@code
   * maxRmsMm}).
   */
  public record IcpOptions(
      double keep, int[] levels, int maxIterations, double minOverlap, double maxRmsMm) {
    public static IcpOptions defaults() {
      return new IcpOptions(0.9, new int[] {2_000, 10_000, 50_000}, 50, 0.6, 1.0);
    }
  }

  /**
   * Rigid point-to-plane ICP of {@code moving} onto {@code fixed} (both in patient coordinates,
   * mm). With {@code sameFrame} (the two series share a Frame of Reference UID) the start is the
   * identity; otherwise the principal axes of the two surfaces are aligned, each of the four proper
   * sign choices is tried coarsely, and the best continues.
   */
  public static SurfaceRegistration registerSurfaces(
      TriangleMesh fixed, TriangleMesh moving, boolean sameFrame, IcpOptions options) {
    if (fixed.triangleCount() == 0 || moving.vertexCount() < 6) {
      throw new RegistrationException(
          "registration:surface.empty", "both surfaces need triangles and at least 6 vertices");
    }
    PointToPlaneIcp icp = new PointToPlaneIcp(fixed);
    List<double[]> starts = new java.util.ArrayList<>();
    String initialisation;
    if (sameFrame) {
      starts.add(new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
      initialisation = "identity (shared frame of reference)";
    } else {
      starts.addAll(PrincipalAxes.starts(fixed.points(), moving.points()));
      initialisation = "principal axes, best of " + starts.size() + " starts";
    }
    PointToPlaneIcp.Result best = null;
    for (double[] start : starts) {
      PointToPlaneIcp.Result coarse =
          icp.register(moving.points(), start, options.keep(), new int[] {options.levels()[0]}, 20);
      if (best == null || score(coarse) < score(best)) {
        best = coarse;
      }
    }
    return refine(icp, moving, best.matrix(), initialisation, 20 * starts.size(), options);
  }

  /**
   * Rigid point-to-plane ICP of {@code moving} onto {@code fixed} from a given start (a 3x4
   * row-major matrix, e.g. a landmark registration's), named {@code initialisation} in the result.
   */
  public static SurfaceRegistration refineSurfaces(
      TriangleMesh fixed,
      TriangleMesh moving,
      double[] start,
      String initialisation,
      IcpOptions options) {
    if (fixed.triangleCount() == 0 || moving.vertexCount() < 6) {
      throw new RegistrationException(
          "registration:surface.empty", "both surfaces need triangles and at least 6 vertices");
    }
    return refine(new PointToPlaneIcp(fixed), moving, start, initialisation, 0, options);
  }

  private static SurfaceRegistration refine(
      PointToPlaneIcp icp,
      TriangleMesh moving,
      double[] start,
      String initialisation,
      int coarseIterations,
      IcpOptions options) {
    PointToPlaneIcp.Result result =
        icp.register(
            moving.points(), start, options.keep(), options.levels(), options.maxIterations());
    double[] m = result.matrix();
    AffineTransformMatrix3D transform =
        AffineTransformMatrix3D.of(
            m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11]);
    boolean review =
        !result.converged()
            || !(result.overlap() >= options.minOverlap())
            || !(result.rms() <= options.maxRmsMm());
    return new SurfaceRegistration(
        transform,
        result.rms(),
        result.overlap(),
        result.iterations() + coarseIterations,
        result.converged(),
        result.pairs(),
        initialisation,
        review);
  }

  /**
   * Lower is better: the mean distance of every sample to the fixed surface, trimmed or not, so a
   * start that fits a part well and the rest badly loses.
   */
  private static double score(PointToPlaneIcp.Result r) {
    return Double.isNaN(r.meanDistance()) ? Double.MAX_VALUE : r.meanDistance();
  }

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
    double[][] vectors = org.anatwin.registration.internal.Eigen.symmetric(n, values);
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
}
