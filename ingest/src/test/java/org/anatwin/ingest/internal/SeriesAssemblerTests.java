package org.anatwin.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.Volume;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.numbers.core.Precision;
import org.junit.jupiter.api.Test;

class SeriesAssemblerTests {
  private static final SeriesInstanceUid SERIES = SeriesInstanceUid.of("1.2.826.0.1.3680043.10.3");
  private final SeriesAssembler assembler =
      new SeriesAssembler(
          SeriesAssembler.TiltPolicy.REFUSE,
          Precision.doubleEquivalenceOfEpsilon(1e-4),
          Precision.doubleEquivalenceOfEpsilon(0.01));

  private static SeriesAssembler withSpacingPolicy(SeriesAssembler.SpacingPolicy policy) {
    return new SeriesAssembler(
        SeriesAssembler.TiltPolicy.REFUSE,
        policy,
        Precision.doubleEquivalenceOfEpsilon(1e-4),
        Precision.doubleEquivalenceOfEpsilon(0.01));
  }

  private static List<SeriesAssembler.Slice> slices(double... zs) {
    List<SeriesAssembler.Slice> out = new ArrayList<>();
    for (int k = 0; k < zs.length; k++) {
      out.add(Slices.of(Slices.slice(k, -10, 20, zs[k], "TEST")));
    }
    return out;
  }

  @Test
  void sortsSlicesAlongTheNormalAndTakesSpacingFromPositionsNotThickness() {
    // given out of order; Slice Thickness says 5 mm, positions say 2 mm
    Volume volume = assembler.assemble(SERIES, slices(4, 0, 2));
    var g = volume.geometry();
    assertThat(new int[] {g.nx(), g.ny(), g.nz()}).containsExactly(4, 3, 3);
    assertThat(g.sx()).isEqualTo(0.25);
    assertThat(g.sy()).isEqualTo(0.5);
    assertThat(g.sz()).isCloseTo(2.0, within(1e-9));
    assertThat(g.origin().distance(Vector3D.of(-10, 20, 0))).isLessThan(1e-9);
    // slice at z=0 was written second (k=1): its first pixel is 1024+100 stored, 100 HU
    assertThat(volume.at(0, 0, 0)).isEqualTo((short) 100);
    assertThat(volume.at(3, 2, 2)).isEqualTo((short) (0 + 11));
    assertThat(volume.sources()).hasSize(3);
  }

  @Test
  void leavesOutALocalizerInTheSeriesAndRecordsIt() {
    List<SeriesAssembler.Slice> withScout = new ArrayList<>(slices(4, 0, 2));
    withScout.add(1, Slices.of(Slices.localizer(9)));
    Volume volume = assembler.assemble(SERIES, withScout);
    Volume without = assembler.assemble(SERIES, slices(4, 0, 2));
    assertThat(volume.geometry()).isEqualTo(without.geometry());
    assertThat(volume.voxels()).containsExactly(without.voxels());
    assertThat(volume.sources()).hasSize(3);
    assertThat(volume.parameters()).containsEntry("localizersLeftOut", "1");
    assertThat(without.parameters()).doesNotContainKey("localizersLeftOut");
  }

  @Test
  void refusesASeriesOfLocalizersOnly() {
    assertThatThrownBy(
            () ->
                assembler.assemble(
                    SERIES,
                    List.of(Slices.of(Slices.localizer(1)), Slices.of(Slices.localizer(2)))))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:series.too-few-slices"));
  }

  @Test
  void theVolumeIdDependsOnTheInstancesNotOnTheirOrder() {
    assertThat(assembler.assemble(SERIES, slices(0, 2, 4)).id())
        .isEqualTo(assembler.assemble(SERIES, slices(0, 2, 4).reversed()).id());
  }

  @Test
  void resamplesUnevenSpacingOntoAnEvenGridNoCoarserThanTheSmallestStep() {
    SeriesAssembler resampling = withSpacingPolicy(SeriesAssembler.SpacingPolicy.RESAMPLE);
    // steps of 2 and 3 mm over 5 mm: 3 intervals of 5/3 mm, slices at both ends
    Volume volume = resampling.assemble(SERIES, slices(0, 2, 5));
    var g = volume.geometry();
    assertThat(g.nz()).isEqualTo(4);
    assertThat(g.sz()).isCloseTo(5.0 / 3, within(1e-9));
    assertThat(volume.at(0, 0, 0)).isEqualTo((short) 0);
    // 1.667 mm: between z=0 (0 HU) and z=2 (100 HU) at 5/6
    assertThat(volume.at(0, 0, 1)).isEqualTo((short) 83);
    // 3.333 mm: between z=2 (100 HU) and z=5 (200 HU) at 4/9
    assertThat(volume.at(0, 0, 2)).isEqualTo((short) 144);
    assertThat(volume.at(1, 0, 3)).isEqualTo((short) 201);
    assertThat(volume.parameters()).containsKey("resampling");
    assertThat(volume.sources()).hasSize(3);
  }

  @Test
  void refusesUnevenSpacingWhenThePolicySaysSo() {
    SeriesAssembler refusing = withSpacingPolicy(SeriesAssembler.SpacingPolicy.REFUSE);
    assertThatThrownBy(() -> refusing.assemble(SERIES, slices(0, 2, 5)))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:series.uneven-spacing"));
  }

  @Test
  void refusesTwoSlicesAtOnePosition() {
    assertThatThrownBy(() -> assembler.assemble(SERIES, slices(0, 2, 2)))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:series.duplicate-position"));
  }

  @Test
  void refusesAShearedSeries() {
    List<SeriesAssembler.Slice> sheared = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      sheared.add(Slices.of(Slices.slice(k, -10, 20 + 0.8 * k, 2 * k, "TEST")));
    }
    assertThatThrownBy(() -> assembler.assemble(SERIES, sheared))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:series.gantry-tilt"));
  }

  @Test
  void namesAMissingSliceInsteadOfStretchingTheVolume() {
    assertThatThrownBy(() -> assembler.assemble(SERIES, slices(0, 2, 6, 8)))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ingest:series.missing-slice");
              assertThat(e.getMessage()).contains("lacks 1 slice");
            });
  }

  @Test
  void shiftsASheredSeriesBackOntoAnOrthogonalGrid() {
    SeriesAssembler resampling =
        new SeriesAssembler(
            SeriesAssembler.TiltPolicy.RESAMPLE,
            Precision.doubleEquivalenceOfEpsilon(1e-4),
            Precision.doubleEquivalenceOfEpsilon(0.01));
    List<SeriesAssembler.Slice> sheared = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      sheared.add(Slices.of(Slices.slice(k, -10, 20 + 0.8 * k, 2 * k, "TEST")));
    }
    Volume volume = resampling.assemble(SERIES, sheared);
    var g = volume.geometry();
    // rows grow by the total shift, 1.6 mm over 0.5 mm rows: 4 more
    assertThat(new int[] {g.nx(), g.ny(), g.nz()}).containsExactly(4, 7, 3);
    assertThat(g.sz()).isCloseTo(2.0, within(1e-9));
    assertThat(g.slice().distance(Vector3D.Unit.PLUS_Z)).isLessThan(1e-12);
    // slice 1 moved 1.6 rows: output row 2 samples input rows 0 and 1 at 0.6 / 0.4 (HU 100 and 104)
    assertThat(volume.at(0, 2, 1)).isEqualTo((short) 102);
    // slice 0 is not moved
    assertThat(volume.at(3, 2, 0)).isEqualTo((short) 11);
    assertThat(volume.parameters()).containsKey("gantryTiltDegrees");
    assertThat(Double.parseDouble(volume.parameters().get("gantryTiltDegrees")))
        .isCloseTo(Math.toDegrees(Math.atan2(0.8, 2)), within(1e-3));
  }

  @Test
  void refusesASingleSlice() {
    assertThatThrownBy(() -> assembler.assemble(SERIES, slices(0)))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:series.too-few-slices"));
  }
}
