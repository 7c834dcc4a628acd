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
    assertThat(report.get("isoHu").asDouble()).isEqualTo(300);
    byte[] stl = Files.readAllBytes(out);
    long triangles =
        java.nio.ByteBuffer.wrap(stl, 80, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
            & 0xffffffffL;
    assertThat(triangles).isEqualTo(report.get("triangles").asLong());
    assertThat(stl.length).isEqualTo(84 + 50 * (int) triangles);
    assertThat(report.get("repairs").toString()).contains("decimated from");
  }

  @Test
  void badArgumentsAreRefusedWithACode() throws Exception {
    Run noIso = mesh("/nonexistent", "-o", "x.stl");
    assertThat(noIso.exit()).isEqualTo(2);
    assertThat(noIso.err()).startsWith("cli:usage");
    Run preset = mesh("/tmp", "--preset", "cartilage", "-o", "x.stl");
    assertThat(preset.exit()).isEqualTo(2);
    assertThat(preset.err()).startsWith("cli:preset.unknown");
  }
}
