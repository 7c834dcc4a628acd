package org.anatwin.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.geometry.euclidean.threed.rotation.QuaternionRotation;
import org.apache.commons.numbers.core.Precision;
import org.junit.jupiter.api.Test;

class RegistrationsTests {
  private static final Precision.DoubleEquivalence PRECISION =
      Precision.doubleEquivalenceOfEpsilon(1e-9);

  @Test
  void recoversAKnownRotationAndTranslationFromLandmarks() {
    QuaternionRotation truth =
        QuaternionRotation.fromAxisAngle(Vector3D.of(1, 2, 3), Math.toRadians(37));
    Vector3D shift = Vector3D.of(12.5, -4, 30);
    Random random = new Random(7);
    List<Vector3D> moving =
        java.util.stream.IntStream.range(0, 12)
            .mapToObj(
                i ->
                    Vector3D.of(
                        random.nextDouble() * 100,
                        random.nextDouble() * 100,
                        random.nextDouble() * 100))
            .toList();
    List<Vector3D> fixed = moving.stream().map(p -> truth.apply(p).add(shift)).toList();

    RigidRegistration result = Registrations.createLandmarkRegistration(fixed, moving, PRECISION);

    assertThat(result.rmsResidual()).isLessThan(1e-9);
    for (int i = 0; i < moving.size(); i++) {
      assertThat(result.apply(moving.get(i)).distance(fixed.get(i))).isLessThan(1e-9);
      assertThat(result.transform().apply(moving.get(i)).distance(fixed.get(i))).isLessThan(1e-9);
    }
    assertThat(result.translation().distance(shift)).isLessThan(1e-9);
  }

  @Test
  void reportsTheResidualOfNoisyLandmarks() {
    List<Vector3D> moving =
        List.of(
            Vector3D.of(0, 0, 0),
            Vector3D.of(10, 0, 0),
            Vector3D.of(0, 10, 0),
            Vector3D.of(0, 0, 10));
    List<Vector3D> fixed =
        List.of(
            Vector3D.of(0.5, 0, 0),
            Vector3D.of(10, 0, 0),
            Vector3D.of(0, 10, 0),
            Vector3D.of(0, 0, 10));
    RigidRegistration result = Registrations.createLandmarkRegistration(fixed, moving, PRECISION);
    assertThat(result.rmsResidual()).isBetween(0.1, 0.5);
    assertThat(result.pairs()).isEqualTo(4);
  }

  @Test
  void refusesTooFewUnpairedOrCollinearLandmarks() {
    List<Vector3D> two = List.of(Vector3D.ZERO, Vector3D.of(1, 0, 0));
    assertThatThrownBy(() -> Registrations.createLandmarkRegistration(two, two, PRECISION))
        .isInstanceOfSatisfying(
            RegistrationException.class,
            e -> assertThat(e.code()).isEqualTo("registration:landmarks.too-few"));
    List<Vector3D> three = List.of(Vector3D.ZERO, Vector3D.of(1, 0, 0), Vector3D.of(2, 0, 0));
    assertThatThrownBy(() -> Registrations.createLandmarkRegistration(three, two, PRECISION))
        .isInstanceOfSatisfying(
            RegistrationException.class,
            e -> assertThat(e.code()).isEqualTo("registration:landmarks.unpaired"));
    assertThatThrownBy(
            () ->
                Registrations.createLandmarkRegistration(
                    three, three, Precision.doubleEquivalenceOfEpsilon(1e-6)))
        .isInstanceOfSatisfying(
            RegistrationException.class,
            e -> assertThat(e.code()).isEqualTo("registration:landmarks.degenerate"));
  }

  @Test
  void jacobiFindsTheEigenvaluesOfASymmetricMatrix() {
    double[][] m = {{4, 1, 0, 0}, {1, 3, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};
    double[] values = new double[4];
    org.anatwin.registration.internal.Eigen.symmetric(m, values);
    java.util.Arrays.sort(values);
    assertThat(values[3]).isCloseTo((7 + Math.sqrt(5)) / 2, within(1e-12));
    assertThat(values[2]).isCloseTo((7 - Math.sqrt(5)) / 2, within(1e-12));
  }
}
