package org.anatwin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.junit.jupiter.api.Test;

class VolumeGeometryTests {
  @Test
  void mapsVoxelIndicesToPatientCoordinatesAlongTheSeriesDirections() {
    // columns run towards patient posterior, rows towards foot: a sagittal-like grid
    VolumeGeometry g =
        new VolumeGeometry(
            10,
            20,
            5,
            0.5,
            0.8,
            2.0,
            Vector3D.of(-10, 5, 40),
            Vector3D.Unit.PLUS_Y,
            Vector3D.Unit.MINUS_Z,
            Vector3D.Unit.MINUS_X);
    Vector3D p = g.indexToPatient().apply(Vector3D.of(2, 3, 4));
    assertThat(p.distance(Vector3D.of(-10 - 4 * 2.0, 5 + 2 * 0.5, 40 - 3 * 0.8))).isLessThan(1e-12);
    double[] bounds = g.patientBounds();
    assertThat(bounds).containsExactly(-18, 5, 40 - 19 * 0.8, -10, 5 + 9 * 0.5, 40);
  }

  @Test
  void refusesDirectionsThatAreNotOrthogonal() {
    assertThatThrownBy(
            () ->
                new VolumeGeometry(
                    2,
                    2,
                    2,
                    1,
                    1,
                    1,
                    Vector3D.ZERO,
                    Vector3D.Unit.PLUS_X,
                    Vector3D.of(1, 1, 0).normalize(),
                    Vector3D.Unit.PLUS_Z))
        .isInstanceOfSatisfying(
            ModelException.class,
            e -> assertThat(e.code()).isEqualTo("model:volume-directions.invalid"));
  }

  @Test
  void refusesEmptyGridsAndNonPositiveSpacing() {
    assertThatThrownBy(
            () ->
                new VolumeGeometry(
                    0,
                    2,
                    2,
                    1,
                    1,
                    1,
                    Vector3D.ZERO,
                    Vector3D.Unit.PLUS_X,
                    Vector3D.Unit.PLUS_Y,
                    Vector3D.Unit.PLUS_Z))
        .isInstanceOf(ModelException.class);
    assertThatThrownBy(
            () ->
                new VolumeGeometry(
                    2,
                    2,
                    2,
                    1,
                    0,
                    1,
                    Vector3D.ZERO,
                    Vector3D.Unit.PLUS_X,
                    Vector3D.Unit.PLUS_Y,
                    Vector3D.Unit.PLUS_Z))
        .isInstanceOf(ModelException.class);
  }
}
