package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one-shot {@code mesh} command, run from the packaged service jar as the launcher runs it, on
 * the real skull phantom: a closed model file and its QA report as JSON; bad arguments get a code.
 */
class MeshCommandIT {
  record Run(int exit, String out, String err) {}

  private static Run mesh(String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx4g",
                "-Djava.library.path=" + System.getProperty("java.library.path"),
                "--enable-native-access=ALL-UNNAMED",
                "-Dloader.main=org.anatwin.app.MeshCommand",
                "-cp",
                Path.of("target", "anatwin.jar").toAbsolutePath().toString(),
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
    command.addAll(List.of(args));
    Path err = Files.createTempFile("mesh-err", ".txt");
    Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), out, Files.readString(err));
  }

  @Test
  void aFolderOfDicomFilesBecomesAClosedModelAndAJsonReport() throws Exception {
    Path folder =
        SharedData.extract(
            "ct-skull-phantom-study1-bone-1mm.tar.xz", ServiceIT.tempDir("anatwin-it-cli"));
    Path out = ServiceIT.tempDir("anatwin-it-cli-out").resolve("skull.stl");

    Run run =
        mesh(folder.toString(), "--preset", "bone", "--decimate", "0.2", "-o", out.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode report = JsonMapper.builder().build().readTree(run.out().strip());
    assertThat(report.get("boundaryEdges").asInt()).isZero();
    assertThat(report.get("algorithm").asString())
        .isEqualTo(org.anatwin.modeling.Modeling.DECIMATION);
    assertThat(report.get("parameters").get("targetFraction").asString()).isEqualTo("0.2");
    byte[] stl = Files.readAllBytes(out);
    long triangles =
        java.nio.ByteBuffer.wrap(stl, 80, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
            & 0xffffffffL;
    assertThat(triangles).isEqualTo(report.get("triangles").asLong());
    assertThat(stl.length).isEqualTo(84 + 50 * (int) triangles);
    assertThat(report.get("repairs").toString()).contains("decimated from");
  }

  private static final Path SEG = SharedData.sharedData().resolve("seg-dcmqi");

  @Test
  void aSegDrawnOnTheSeriesBecomesADicomModelNamingItsSourceImagesTheSameTwice() throws Exception {
    Path work = ServiceIT.tempDir("anatwin-it-cli-seg");
    Path ct = SEG.resolve("ct-3slice");
    Path first = work.resolve("liver.dcm");
    Path second = work.resolve("again.dcm");

    Run run =
        mesh(ct.toString(), "--seg", SEG.resolve("liver.dcm").toString(), "-o", first.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode report = JsonMapper.builder().build().readTree(run.out().strip());
    JsonNode liver = report.get("meshes").get(0);
    assertThat(report.get("meshes").size()).isEqualTo(1);
    assertThat(liver.get("label").asString()).isEqualTo("Liver");
    assertThat(liver.get("watertight").asBoolean()).isTrue();
    assertThat(liver.get("selfIntersections").asInt()).isZero();
    assertThat(liver.get("volumeChange").asDouble()).isBetween(-0.1, 0.1);
    assertThat(liver.get("maxDeviationFromUnsmoothedMm").asDouble()).isPositive();
    assertThat(liver.get("frameOfReferenceUid").asString())
        .isEqualTo("1.2.392.200103.20080913.113635.3.2009.6.22.21.44.34.23882.1");

    com.pixelmed.dicom.AttributeList model = new com.pixelmed.dicom.AttributeList();
    model.read(first.toFile());
    assertThat(
            com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
                model, com.pixelmed.dicom.TagFromName.SOPClassUID))
        .isEqualTo(org.anatwin.modeling.DicomModels.ENCAPSULATED_STL);
    var sources =
        (com.pixelmed.dicom.SequenceAttribute)
            model.get(new com.pixelmed.dicom.AttributeTag(0x0042, 0x0013));
    // the three CT images and the SEG
    assertThat(sources.getNumberOfItems()).isEqualTo(4);
    assertThat(
            com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
                sources.getItem(3).getAttributeList(),
                com.pixelmed.dicom.TagFromName.ReferencedSOPClassUID))
        .isEqualTo(org.anatwin.modeling.Segmentations.SEGMENTATION_STORAGE);
    Process check =
        new ProcessBuilder("dciodvfy", first.toString()).redirectErrorStream(true).start();
    String verified = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(verified.lines().filter(l -> l.startsWith("Error"))).as(verified).isEmpty();

    // a second run in a new JVM gives the same mesh id and the same bytes
    Run again =
        mesh(ct.toString(), "--seg", SEG.resolve("liver.dcm").toString(), "-o", second.toString());
    assertThat(again.exit()).as(again.err()).isZero();
    JsonNode repeated = JsonMapper.builder().build().readTree(again.out().strip());
    assertThat(repeated.get("meshes").get(0).get("mesh").asString())
        .isEqualTo(liver.get("mesh").asString());
    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
  }

  @Test
  void overlappingSegmentsGiveOneAsciiStlEachThatAdmeshReadsWithOurVolume() throws Exception {
    Path work = ServiceIT.tempDir("anatwin-it-cli-parts");
    Run run =
        mesh(
            SEG.resolve("ct-3slice").toString(),
            "--seg",
            SEG.resolve("partial_overlaps.dcm").toString(),
            "-o",
            work.resolve("part.ascii.stl").toString());
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode meshes = JsonMapper.builder().build().readTree(run.out().strip()).get("meshes");
    assertThat(meshes.size()).isEqualTo(5);
    for (JsonNode mesh : meshes) {
      Path file = work.resolve("part-" + mesh.get("segment").asInt() + ".ascii.stl");
      assertThat(Files.readString(file)).startsWith("solid anatwin");
      Process admesh =
          new ProcessBuilder("admesh", file.toString()).redirectErrorStream(true).start();
      String text = new String(admesh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(admesh.waitFor(1, TimeUnit.MINUTES)).isTrue();
      java.util.regex.Matcher volume =
          java.util.regex.Pattern.compile("Volume\\s*:\\s*([0-9.eE+-]+)").matcher(text);
      assertThat(volume.find()).as(text).isTrue();
      assertThat(Double.parseDouble(volume.group(1)))
          .isCloseTo(
              mesh.get("volumeMm3").asDouble(),
              org.assertj.core.api.Assertions.withinPercentage(0.1));
    }
  }

  @Test
  void badArgumentsAreRefusedWithACode() throws Exception {
    Run noIso = mesh("/nonexistent", "-o", "x.stl");
    assertThat(noIso.exit()).isEqualTo(2);
    assertThat(noIso.err()).startsWith("cli:usage");
    Run preset = mesh("/tmp", "--preset", "cartilage", "-o", "x.stl");
    assertThat(preset.exit()).isEqualTo(2);
    assertThat(preset.err()).startsWith("cli:preset.unknown");
    Run both = mesh("/tmp", "--iso", "300", "--seg", "x.dcm", "-o", "x.stl");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).startsWith("cli:usage");
    Run notSeg =
        mesh(
            SEG.resolve("ct-3slice").toString(),
            "--seg",
            SEG.resolve("ct-3slice/01.dcm").toString(),
            "-o",
            "x.stl");
    assertThat(notSeg.exit()).isEqualTo(2);
    assertThat(notSeg.err()).startsWith("modeling:seg.not-a-segmentation");
  }
}
