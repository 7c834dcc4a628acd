package org.anatwin.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.Volume;
import org.apache.commons.numbers.core.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembler on the real phantom series of {@code ../shared/data}. */
class SeriesAssemblerIT {
  private final SeriesAssembler assembler =
      new SeriesAssembler(
          SeriesAssembler.TiltPolicy.REFUSE,
          Precision.doubleEquivalenceOfEpsilon(1e-4),
          Precision.doubleEquivalenceOfEpsilon(0.01));

  @TempDir Path work;

  private List<SeriesAssembler.Slice> extract(String archive) throws Exception {
    Path shared =
        Path.of(System.getProperty("anatwin.shared", "../shared")).resolve("data").resolve(archive);
    Path input = Files.createDirectories(work.resolve("input"));
    Process tar =
        new ProcessBuilder("tar", "-xJf", shared.toString(), "-C", input.toString())
            .inheritIO()
            .start();
    assertThat(tar.waitFor()).isZero();
    return slicesUnder(input);
  }

  private static List<SeriesAssembler.Slice> slicesUnder(Path folder) throws Exception {
    List<SeriesAssembler.Slice> slices = new ArrayList<>();
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        slices.add(Slices.of(Files.readAllBytes(f)));
      }
    }
    return slices;
  }

  @Test
  void assemblesTheOneMillimetreSeriesFromPositions() throws Exception {
    List<SeriesAssembler.Slice> slices = extract("ct-skull-phantom-study1-bone-1mm.tar.xz");
    Volume volume =
        assembler.assemble(
            DicomInstance.parse(slices.getFirst().bytes()).seriesInstanceUid(), slices);
    var g = volume.geometry();
    assertThat(new int[] {g.nx(), g.ny(), g.nz()}).containsExactly(512, 512, 140);
    assertThat(g.sx()).isCloseTo(0.4512, within(1e-4));
    assertThat(g.sz()).isCloseTo(1.0, within(1e-3));
    // HU = stored - 1024: air is near -1000 in a corner
    assertThat(volume.at(0, 0, 0)).isLessThan((short) -900);
  }

  @Test
  void aLegacyConvertedEnhancedCtGivesTheSameVolumeAsItsSingleFrames() throws Exception {
    List<SeriesAssembler.Slice> singles = extract("ct-skull-phantom-study1-bone-1mm.tar.xz");
    Volume reference =
        assembler.assemble(
            DicomInstance.parse(singles.getFirst().bytes()).seriesInstanceUid(), singles);
    // PixelMed's reference converter makes Legacy Converted Enhanced CT from the single frames
    Path converted = Files.createDirectories(work.resolve("converted"));
    java.io.File[] inputs;
    try (Stream<Path> files = Files.walk(work.resolve("input"))) {
      inputs = files.filter(Files::isRegularFile).map(Path::toFile).toArray(java.io.File[]::new);
    }
    com.pixelmed.dicom.MultiFrameImageFactory.convertImages(inputs, converted.toFile());
    List<SeriesAssembler.Slice> multiFrame = slicesUnder(converted);
    DicomInstance first = DicomInstance.parse(multiFrame.getFirst().bytes());
    assertThat(first.sopClassUid()).isEqualTo("1.2.840.10008.5.1.4.1.1.2.2");
    assertThat(multiFrame).hasSize(1);

    Volume volume = assembler.assemble(first.seriesInstanceUid(), multiFrame);

    var g = volume.geometry();
    var r = reference.geometry();
    assertThat(new int[] {g.nx(), g.ny(), g.nz()}).containsExactly(r.nx(), r.ny(), r.nz());
    assertThat(g.sz()).isCloseTo(r.sz(), within(1e-6));
    assertThat(g.origin().distance(r.origin())).isLessThan(1e-6);
    assertThat(volume.voxels()).isEqualTo(reference.voxels());
    assertThat(volume.sources()).hasSize(1);
  }

  @Test
  void resamplesTheTiltedSeriesOntoAnOrthogonalGrid() throws Exception {
    List<SeriesAssembler.Slice> slices = extract("ct-skull-phantom-study2-tilt-2.5mm.tar.xz");
    SeriesAssembler resampling =
        new SeriesAssembler(
            SeriesAssembler.TiltPolicy.RESAMPLE,
            Precision.doubleEquivalenceOfEpsilon(1e-4),
            Precision.doubleEquivalenceOfEpsilon(0.01));
    Volume volume =
        resampling.assemble(
            DicomInstance.parse(slices.getFirst().bytes()).seriesInstanceUid(), slices);
    var g = volume.geometry();
    assertThat(g.nz()).isEqualTo(54);
    assertThat(g.sz())
        .as("step along the normal, not Slice Thickness")
        .isCloseTo(2.371, within(0.005));
    assertThat(Double.parseDouble(volume.parameters().get("gantryTiltDegrees")))
        .isCloseTo(18.5, within(0.1));
    assertThat(g.ny()).isGreaterThan(512);
  }

  @Test
  void refusesTheTiltedSeriesWhenThePolicySaysSo() throws Exception {
    List<SeriesAssembler.Slice> slices = extract("ct-skull-phantom-study2-tilt-2.5mm.tar.xz");
    assertThatThrownBy(
            () ->
                assembler.assemble(
                    DicomInstance.parse(slices.getFirst().bytes()).seriesInstanceUid(), slices))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> {
              assertThat(e.code()).isEqualTo("ingest:series.gantry-tilt");
              assertThat(e.getMessage()).contains("18.5");
            });
  }
}
