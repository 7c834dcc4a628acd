package org.anatwin.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.anatwin.model.TriangleMesh;
import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.geometry.euclidean.threed.rotation.QuaternionRotation;
import org.junit.jupiter.api.Test;

/**
 * Point-to-plane ICP on a lumpy closed surface (no symmetry to slide along), far from the origin as
 * patient coordinates are: a known rigid motion is recovered from noisy, partial copies.
 */
class SurfaceRegistrationTests {
  private static final Vector3D CENTRE = Vector3D.of(40, -120, 900);

  /** A lumpy sphere of radius about 40 mm as a latitude-longitude triangle grid. */
  static TriangleMesh lumpy(int rings, int segments) {
    float[] p = new float[3 * (rings + 1) * segments];
    for (int i = 0; i <= rings; i++) {
      double theta = Math.PI * i / rings;
      for (int j = 0; j < segments; j++) {
        double phi = 2 * Math.PI * j / segments;
        // lumps that no half-turn about a principal axis maps onto themselves
        double r =
            40
                + 6 * Math.sin(3 * theta) * Math.cos(2 * phi)
                + 3 * Math.cos(5 * phi) * Math.sin(theta)
                + 4 * Math.cos(theta) * Math.cos(3 * phi);
        int v = 3 * (i * segments + j);
        p[v] = (float) (CENTRE.getX() + 1.3 * r * Math.sin(theta) * Math.cos(phi));
        p[v + 1] = (float) (CENTRE.getY() + r * Math.sin(theta) * Math.sin(phi));
        p[v + 2] = (float) (CENTRE.getZ() + 0.8 * r * Math.cos(theta));
      }
    }
    int[] t = new int[6 * rings * segments];
    int f = 0;
    for (int i = 0; i < rings; i++) {
      for (int j = 0; j < segments; j++) {
        int a = i * segments + j;
        int b = i * segments + (j + 1) % segments;
        int c = (i + 1) * segments + j;
        int d = (i + 1) * segments + (j + 1) % segments;
        t[f++] = a;
        t[f++] = c;
        t[f++] = b;
        t[f++] = b;
        t[f++] = c;
        t[f++] = d;
      }
    }
    return new TriangleMesh(p, t);
  }

  /**
   * The fixed surface's vertices moved by the inverse of {@code truth} (so truth maps them back),
   * with Gaussian noise and the vertices beyond {@code cropX} (mm from the centre along x) dropped.
   */
  static TriangleMesh moved(
      TriangleMesh fixed, AffineTransformMatrix3D truth, double noise, double cropX) {
    AffineTransformMatrix3D inverse = truth.inverse();
    Random random = new Random(11);
    float[] p = fixed.points();
    java.util.List<Float> kept = new java.util.ArrayList<>();
    for (int v = 0; v < p.length; v += 3) {
      if (p[v] - CENTRE.getX() > cropX) {
        continue;
      }
      Vector3D q = inverse.apply(Vector3D.of(p[v], p[v + 1], p[v + 2]));
      kept.add((float) (q.getX() + noise * random.nextGaussian()));
      kept.add((float) (q.getY() + noise * random.nextGaussian()));
      kept.add((float) (q.getZ() + noise * random.nextGaussian()));
    }
    float[] points = new float[kept.size()];
    for (int i = 0; i < points.length; i++) {
      points[i] = kept.get(i);
    }
    // only the points matter to ICP; one triangle keeps the mesh well formed
    return new TriangleMesh(points, new int[] {0, 1, 2});
  }

  static AffineTransformMatrix3D rigid(Vector3D axis, double degrees, Vector3D shift) {
    // rotation about the surface's centre, then the shift
    return AffineTransformMatrix3D.createTranslation(CENTRE.add(shift))
        .multiply(QuaternionRotation.fromAxisAngle(axis, Math.toRadians(degrees)).toMatrix())
        .multiply(AffineTransformMatrix3D.createTranslation(CENTRE.negate()));
  }

  /** Largest distance, over the fixed vertices, between where truth and the result put them. */
  static double targetError(
      TriangleMesh fixed, AffineTransformMatrix3D truth, SurfaceRegistration result) {
    AffineTransformMatrix3D inverse = truth.inverse();
    double worst = 0;
    float[] p = fixed.points();
    for (int v = 0; v < p.length; v += 3) {
      Vector3D original = Vector3D.of(p[v], p[v + 1], p[v + 2]);
      worst = Math.max(worst, result.apply(inverse.apply(original)).distance(original));
    }
    return worst;
  }

  @Test
  void aNoisyPartialCopyInTheSameFrameIsPutBackWithinAFifthOfAMillimetre() {
    TriangleMesh fixed = lumpy(180, 360);
    AffineTransformMatrix3D truth = rigid(Vector3D.of(1, 2, 0.5), 10, Vector3D.of(3, -4, 0));
    TriangleMesh moving = moved(fixed, truth, 0.1, 30);

    SurfaceRegistration result =
        Registrations.registerSurfaces(fixed, moving, true, Registrations.IcpOptions.defaults());

    assertThat(result.converged()).isTrue();
    assertThat(result.needsReview()).isFalse();
    assertThat(targetError(fixed, truth, result)).isLessThanOrEqualTo(0.2);
    double angle = new SurfaceRegistration(truth, 0, 1, 0, true, 0, "", false).rotationDegrees();
    assertThat(Math.abs(result.rotationDegrees() - angle)).isLessThanOrEqualTo(0.1);
    assertThat(result.rmsMm()).isLessThan(0.2);
  }

  /**
   * Far off (150 degrees) with 40 % of the surface missing, so the identity start cannot find it
   * and the principal axes of the part are not those of the whole: four landmarks placed with 2 mm
   * of error give Horn's start, and ICP on the surfaces finishes within 0.2 mm.
   */
  @Test
  void landmarksStartWhatTheSurfacesFinish() {
    TriangleMesh fixed = lumpy(120, 240);
    AffineTransformMatrix3D truth = rigid(Vector3D.of(0.2, 1, -0.4), 150, Vector3D.of(-20, 35, 10));
    TriangleMesh moving = moved(fixed, truth, 0.05, 8);
    AffineTransformMatrix3D inverse = truth.inverse();
    java.util.Random random = new java.util.Random(5);
    java.util.List<Vector3D> onFixed = new java.util.ArrayList<>();
    java.util.List<Vector3D> onMoving = new java.util.ArrayList<>();
    for (Vector3D offset :
        java.util.List.of(
            Vector3D.of(-25, 10, 5),
            Vector3D.of(0, -30, 12),
            Vector3D.of(5, 20, -25),
            Vector3D.of(-10, 0, 30))) {
      Vector3D f = CENTRE.add(offset);
      onFixed.add(f);
      Vector3D error =
          Vector3D.of(random.nextGaussian(), random.nextGaussian(), random.nextGaussian());
      onMoving.add(inverse.apply(f).add(error.normalize().multiply(2)));
    }
    RigidRegistration start =
        Registrations.createLandmarkRegistration(
            onFixed,
            onMoving,
            org.apache.commons.numbers.core.Precision.doubleEquivalenceOfEpsilon(1e-9));
    SurfaceRegistration fromIdentity =
        Registrations.registerSurfaces(fixed, moving, true, Registrations.IcpOptions.defaults());

    SurfaceRegistration result =
        Registrations.refineSurfaces(
            fixed,
            moving,
            java.util.Arrays.copyOf(start.transform().toArray(), 12),
            "landmarks",
            Registrations.IcpOptions.defaults());

    assertThat(targetError(fixed, truth, fromIdentity)).as("identity start").isGreaterThan(5);
    assertThat(start.rmsResidual()).isBetween(0.5, 3.0);
    assertThat(result.initialisation()).isEqualTo("landmarks");
    assertThat(targetError(fixed, truth, result)).isLessThanOrEqualTo(0.2);
  }

  @Test
  void unrelatedFramesStartFromThePrincipalAxes() {
    TriangleMesh fixed = lumpy(120, 240);
    AffineTransformMatrix3D truth = rigid(Vector3D.of(0.3, -1, 0.2), 120, Vector3D.of(50, 20, -30));
    TriangleMesh moving = moved(fixed, truth, 0.05, 1000);

    SurfaceRegistration result =
        Registrations.registerSurfaces(fixed, moving, false, Registrations.IcpOptions.defaults());

    assertThat(result.initialisation()).startsWith("principal axes");
    assertThat(targetError(fixed, truth, result)).isLessThanOrEqualTo(0.2);
  }

  @Test
  void aSurfaceThatDoesNotMatchIsFlaggedForReview() {
    TriangleMesh fixed = lumpy(120, 240);
    // the moving surface is a plain sphere of another size: ICP ends somewhere, never silently
    TriangleMesh other = moved(fixed, rigid(Vector3D.of(0, 0, 1), 0, Vector3D.ZERO), 0, 1000);
    float[] p = other.points();
    for (int v = 0; v < p.length; v += 3) {
      Vector3D d = Vector3D.of(p[v], p[v + 1], p[v + 2]).subtract(CENTRE);
      Vector3D s = CENTRE.add(d.normalize().multiply(20));
      p[v] = (float) s.getX();
      p[v + 1] = (float) s.getY();
      p[v + 2] = (float) s.getZ();
    }
    SurfaceRegistration result =
        Registrations.registerSurfaces(fixed, other, true, Registrations.IcpOptions.defaults());
    assertThat(result.needsReview()).isTrue();
  }

  @Test
  void anEmptySurfaceIsRefused() {
    TriangleMesh fixed = lumpy(10, 20);
    assertThatThrownBy(
            () ->
                Registrations.registerSurfaces(
                    fixed,
                    new TriangleMesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, new int[] {0, 1, 2}),
                    true,
                    Registrations.IcpOptions.defaults()))
        .hasFieldOrPropertyWithValue("code", "registration:surface.empty");
  }
}
