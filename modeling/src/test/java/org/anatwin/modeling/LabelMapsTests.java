package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.anatwin.model.ContentHash;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.junit.jupiter.api.Test;

/**
 * The label-map operations on small synthetic volumes (0.5 x 0.5 x 0.8 mm voxels): sizes in
 * millimetres come out as millimetres whatever the anisotropy, and each operation is reproducible.
 */
class LabelMapsTests {
  private static final int N = 80;
  private static final int NZ = 50;
  private static final double S = 0.5;
  private static final double SZ = 0.8;
  private static final VolumeGeometry GRID =
      new VolumeGeometry(
          N,
          N,
          NZ,
          S,
          S,
          SZ,
          Vector3D.of(-20, -20, -20),
          Vector3D.Unit.PLUS_X,
          Vector3D.Unit.PLUS_Y,
          Vector3D.Unit.PLUS_Z);

  /** The voxel centre of (i, j, k) in patient coordinates. */
  private static Vector3D centre(int v) {
    int i = v % N;
    int j = (v / N) % N;
    int k = v / (N * N);
    return Vector3D.of(-20 + i * S, -20 + j * S, -20 + k * SZ);
  }

  private static Volume volume(Predicate<Vector3D> bone) {
    short[] hu = new short[N * N * NZ];
    for (int v = 0; v < hu.length; v++) {
      hu[v] = (short) (bone.test(centre(v)) ? 1000 : 0);
    }
    return volume(hu);
  }

  private static Volume volume(short[] hu) {
    return new Volume(
        "volume-labelmaps",
        SeriesInstanceUid.of("1.2.826.0.1.3680043.10.77"),
        FrameOfReferenceUid.of("1.2.826.0.1.3680043.10.78"),
        GRID,
        hu,
        List.of(
            new SourceInstance(
                SopInstanceUid.of("1.2.826.0.1.3680043.10.79"), ContentHash.of(new byte[0]))),
        "test",
        "1",
        Map.of());
  }

  private static LabelMap labels(Predicate<Vector3D> inside) {
    Volume volume = volume(inside);
    return LabelMaps.regionGrowing(volume, 500, 2000, List.of(seedOf(volume)));
  }

  private static Vector3D seedOf(Volume volume) {
    for (int v = 0; v < volume.voxels().length; v++) {
      if (volume.voxels()[v] > 500) {
        return centre(v);
      }
    }
    throw new AssertionError("empty");
  }

  private static Predicate<Vector3D> ball(Vector3D centre, double radius) {
    return p -> p.distance(centre) <= radius;
  }

  private static double volumeMm3(LabelMap labels) {
    return labels.labelledVoxels() * S * S * SZ;
  }

  @Test
  void dilatingAndErodingABallChangesItsRadiusByTheRadiusInMillimetres() {
    LabelMap ball = labels(ball(Vector3D.ZERO, 10));
    // the radius of the ball with the labelled volume; voxel centres put it within half a voxel
    double dilated = equivalentRadius(LabelMaps.morphology(ball, LabelMaps.Morphology.DILATE, 2.0));
    double eroded = equivalentRadius(LabelMaps.morphology(ball, LabelMaps.Morphology.ERODE, 2.0));
    assertThat(equivalentRadius(ball)).isCloseTo(10, within(0.25));
    assertThat(dilated).isCloseTo(12, within(0.25));
    assertThat(eroded).isCloseTo(8, within(0.25));
  }

  private static double equivalentRadius(LabelMap labels) {
    return Math.cbrt(3 * volumeMm3(labels) / (4 * Math.PI));
  }

  @Test
  void openingRemovesAThinSpurAndClosingBridgesANarrowGap() {
    // a ball with a 1 mm thick plate sticking out
    LabelMap spur =
        labels(
            ball(Vector3D.ZERO, 8)
                .or(
                    p ->
                        p.getX() > 0
                            && p.getX() < 18
                            && Math.abs(p.getY()) < 0.6
                            && Math.abs(p.getZ()) < 4));
    LabelMap opened = LabelMaps.morphology(spur, LabelMaps.Morphology.OPEN, 1.5);
    assertThat(opened.labels()[index(15, 0, 0)]).isZero();
    assertThat(opened.labels()[index(0, 0, 0)]).isOne();

    // two balls 1 mm apart: closing with 1.5 mm joins them into one object
    Predicate<Vector3D> pair = ball(Vector3D.of(-6, 0, 0), 5.5).or(ball(Vector3D.of(6, 0, 0), 5.5));
    Volume volume = volume(pair);
    LabelMap two = LabelMaps.regionGrowing(volume, 500, 2000, List.of(Vector3D.of(-6, 0, 0)));
    assertThat(two.labels()[index(6, 0, 0)]).as("the second ball is not connected").isZero();
    LabelMap both =
        LabelMaps.keepSeeded(
            LabelMaps.morphology(
                LabelMaps.regionGrowing(
                    volume, 500, 2000, List.of(Vector3D.of(-6, 0, 0), Vector3D.of(6, 0, 0))),
                LabelMaps.Morphology.CLOSE,
                1.5),
            List.of(Vector3D.of(-6, 0, 0)));
    assertThat(both.labels()[index(6, 0, 0)]).as("closed: one object").isOne();
    assertThat(both.labels()[index(0, 0, 0)]).isOne();
  }

  @Test
  void keepingTheLargestObjectsAndTheSeededOnes() {
    Volume three =
        volume(
            ball(Vector3D.of(-12, 0, 0), 6)
                .or(ball(Vector3D.of(6, -10, 0), 4))
                .or(ball(Vector3D.of(8, 10, 0), 3)));
    LabelMap all = LabelMaps.regionGrowing(three, 500, 2000, List.of(Vector3D.of(-12, 0, 0)));
    LabelMap everything =
        LabelMaps.regionGrowing(
            three,
            500,
            2000,
            List.of(Vector3D.of(-12, 0, 0), Vector3D.of(6, -10, 0), Vector3D.of(8, 10, 0)));
    assertThat(all.labelledVoxels()).isLessThan(everything.labelledVoxels());
    LabelMap two = LabelMaps.keepLargest(everything, 2);
    assertThat(two.labels()[index(-12, 0, 0)]).isOne();
    assertThat(two.labels()[index(6, -10, 0)]).isOne();
    assertThat(two.labels()[index(8, 10, 0)]).isZero();
    LabelMap seeded = LabelMaps.keepSeeded(everything, List.of(Vector3D.of(8, 10, 0)));
    assertThat(seeded.labels()[index(8, 10, 0)]).isOne();
    assertThat(seeded.labels()[index(-12, 0, 0)]).isZero();
    assertThat(LabelMaps.keepLargest(everything, 1).labelledVoxels())
        .isEqualTo(all.labelledVoxels());
  }

  @Test
  void holesAreFilledButTheOutsideStaysOutside() {
    LabelMap shell = labels(p -> p.norm() <= 12 && p.norm() >= 8);
    LabelMap filled = LabelMaps.fillHoles(shell);
    LabelMap solid = labels(ball(Vector3D.ZERO, 12));
    assertThat(filled.labels()).isEqualTo(solid.labels());
    assertThat(filled.labels()[index(19, 19, 0)]).isZero();
  }

  @Test
  void croppingKeepsTheVoxelsInTheBoxOnTheSameGrid() {
    LabelMap ball = labels(ball(Vector3D.ZERO, 10));
    LabelMap half = LabelMaps.crop(ball, Vector3D.of(0, -30, -30), Vector3D.of(30, 30, 30));
    assertThat(half.geometry()).isEqualTo(ball.geometry());
    assertThat((double) half.labelledVoxels())
        .isCloseTo(ball.labelledVoxels() / 2.0, within(0.06 * ball.labelledVoxels()));
    assertThat(half.labels()[index(-5, 0, 0)]).isZero();
    assertThat(half.labels()[index(5, 0, 0)]).isOne();
  }

  @Test
  void theSameOperationTwiceGivesTheSameIdAndVoxelsAndNamesItsInput() {
    LabelMap ball = labels(ball(Vector3D.ZERO, 6));
    LabelMap first = LabelMaps.morphology(ball, LabelMaps.Morphology.CLOSE, 1.0);
    LabelMap second = LabelMaps.morphology(ball, LabelMaps.Morphology.CLOSE, 1.0);
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.labels()).isEqualTo(first.labels());
    assertThat(first.sourceId()).isEqualTo(ball.id());
    assertThat(first.algorithm()).isEqualTo(LabelMaps.MORPHOLOGY);
    assertThat(first.parameters()).containsEntry("operation", "close");
    assertThat(LabelMaps.morphology(ball, LabelMaps.Morphology.CLOSE, 2.0).id())
        .isNotEqualTo(first.id());
  }

  @Test
  void badParametersAndSeedsAreRefusedWithCodes() {
    Volume volume = volume(ball(Vector3D.ZERO, 6));
    assertThatThrownBy(
            () -> LabelMaps.regionGrowing(volume, 500, 2000, List.of(Vector3D.of(15, 15, 15))))
        .hasFieldOrPropertyWithValue("code", "modeling:region.seed-outside");
    assertThatThrownBy(
            () -> LabelMaps.regionGrowing(volume, 500, 2000, List.of(Vector3D.of(500, 0, 0))))
        .hasFieldOrPropertyWithValue("code", "modeling:region.seed-outside");
    LabelMap ball = labels(ball(Vector3D.ZERO, 6));
    assertThatThrownBy(() -> LabelMaps.morphology(ball, LabelMaps.Morphology.DILATE, 0))
        .hasFieldOrPropertyWithValue("code", "modeling:morphology.radius");
    assertThatThrownBy(() -> LabelMaps.keepLargest(ball, 0))
        .hasFieldOrPropertyWithValue("code", "modeling:components.count");
  }

  @Test
  void theVesselPresetTakesTheContrastAndLeavesTheBoneItTouches() {
    // a contrast-filled ball (300 HU) touching a bone ball (1000 HU), in water (0 HU)
    short[] hu = new short[N * N * NZ];
    for (int v = 0; v < hu.length; v++) {
      Vector3D p = centre(v);
      hu[v] =
          (short)
              (p.distance(Vector3D.of(6, 0, 0)) <= 6
                  ? 1000
                  : p.distance(Vector3D.of(-5, 0, 0)) <= 6 ? 300 : 0);
    }
    Volume volume = volume(hu);
    Modeling.Preset vessels = Modeling.Preset.named("vessels").orElseThrow();
    LabelMap contrast =
        Modeling.createThresholdLabelMap(volume, vessels.minimumHu(), vessels.maximumHu());
    assertThat(contrast.labels()[index(-5, 0, 0)]).isOne();
    assertThat(contrast.labels()[index(6, 0, 0)]).isZero();
    Surface surface = Modeling.createIsoSurface(volume, contrast, vessels.minimumHu(), 0);
    assertThat(surface.report().watertight()).isTrue();
    assertThat(surface.report().maxX()).as("stops at the bone").isLessThan(0.5);
    assertThat(Modeling.Preset.named("cartilage")).isEmpty();
  }

  /** Voxel index of the point (x, y, z) mm (nearest centre). */
  private static int index(double x, double y, double z) {
    int i = (int) Math.round((x + 20) / S);
    int j = (int) Math.round((y + 20) / S);
    int k = (int) Math.round((z + 20) / SZ);
    return i + N * (j + N * k);
  }

  @Test
  void diceIsTwiceTheOverlapOverTheSizesAndComparesOnlyOneGrid() {
    LabelMap ball = labels(p -> p.norm() <= 8);
    LabelMap shifted = labels(p -> p.subtract(Vector3D.of(2, 0, 0)).norm() <= 8);
    assertThat(LabelMaps.dice(ball, ball)).isEqualTo(1.0);
    long overlap = 0;
    for (int i = 0; i < ball.labels().length; i++) {
      overlap += ball.labels()[i] != 0 && shifted.labels()[i] != 0 ? 1 : 0;
    }
    assertThat(LabelMaps.dice(ball, shifted))
        .isEqualTo(2.0 * overlap / (ball.labelledVoxels() + shifted.labelledVoxels()))
        .isLessThan(1.0);
    LabelMap other =
        new LabelMap(
            "other",
            "volume",
            new VolumeGeometry(
                N,
                N,
                NZ,
                S,
                S,
                S,
                Vector3D.ZERO,
                Vector3D.Unit.PLUS_X,
                Vector3D.Unit.PLUS_Y,
                Vector3D.Unit.PLUS_Z),
            new byte[N * N * NZ],
            "test",
            "1",
            Map.of(),
            0);
    assertThatThrownBy(() -> LabelMaps.dice(ball, other))
        .hasFieldOrPropertyWithValue("code", "modeling:dice.grids");
  }
}
