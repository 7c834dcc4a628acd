package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.Volume;
import org.anatwin.modeling.MeshReport;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Surface;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The real skull phantom at 300 HU, surfaced from the CT itself: one closed, manifold mesh, and
 * {@code admesh} (an independent STL checker) finds the same volume and nothing to repair.
 */
class SkullMeshIT extends ServiceIT {
  @Autowired Ingest ingest;

  @Test
  void theSkullIsoSurfaceIsClosedManifoldAndAdmeshAgreesOnItsVolume() throws Exception {
    Path folder =
        SharedData.extract("ct-skull-phantom-study1-bone-1mm.tar.xz", tempDir("anatwin-it-skull"));
    ImportReport report = ingest.importFolder(folder, new Actor("it-admin", "admin"));
    assertThat(report.rejected()).isEmpty();
    Volume volume = ingest.volumeOf(SeriesInstanceUid.of(report.series().iterator().next()));

    Surface surface = Modeling.createIsoSurface(volume, 300, 0);
    MeshReport ours = surface.report();
    assertThat(ours.watertight()).isTrue();
    assertThat(ours.manifold()).isTrue();
    assertThat(ours.selfIntersections()).as("self-intersecting triangle pairs").isZero();
    assertThat(ours.consistentlyOriented()).isTrue();
    assertThat(ours.degenerateTriangles()).isZero();
    System.out.printf(
        java.util.Locale.ROOT,
        "skull: %d triangles, %d shells, Euler characteristic %d, wall %.2f mm%n",
        ours.triangles(),
        ours.shells(),
        ours.eulerCharacteristic(),
        ours.wallThicknessMm());

    Path stl = tempDir("anatwin-it-skull-stl").resolve("skull.stl");
    Files.write(stl, Modeling.toStl(surface.mesh()));
    Process admesh = new ProcessBuilder("admesh", stl.toString()).redirectErrorStream(true).start();
    String out = new String(admesh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(admesh.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(admesh.exitValue()).as(out).isZero();

    assertThat(number(out, "Volume\\s+:\\s+([0-9.eE+-]+)"))
        .as("admesh's volume against ours, mm3")
        .isCloseTo(ours.volume(), within(ours.volume() * 0.001));
    assertThat((int) number(out, "Number of parts\\s+:\\s+(\\d+)")).isEqualTo(ours.shells());
    assertThat((int) number(out, "Total disconnected facets\\s+:\\s+(\\d+)")).isZero();
    assertThat((int) number(out, "Backwards edges\\s+:\\s+(\\d+)")).isZero();
    assertThat((int) number(out, "Degenerate facets\\s+:\\s+(\\d+)")).isZero();
    assertThat((int) number(out, "Facets removed\\s+:\\s+(\\d+)")).isZero();
    assertThat((int) number(out, "Facets added\\s+:\\s+(\\d+)")).isZero();
  }

  @Test
  void decimationToATenthKeepsTheSkullsVolumeAndSurface() throws Exception {
    Path folder =
        SharedData.extract(
            "ct-skull-phantom-study1-bone-1mm.tar.xz", tempDir("anatwin-it-skull-decimate"));
    ImportReport report = ingest.importFolder(folder, new Actor("it-admin", "admin"));
    Volume volume = ingest.volumeOf(SeriesInstanceUid.of(report.series().iterator().next()));
    Surface full = Modeling.createIsoSurface(volume, 300, 0);

    Surface decimated = Modeling.decimate(full, 0.1, 1.0);

    MeshReport r = decimated.report();
    assertThat(r.triangles()).isLessThanOrEqualTo(full.report().triangles() / 10 + 2);
    assertThat(r.boundaryEdges()).as("closed: %s", r).isZero();
    // meshoptimizer can pinch the two sides of the thinnest bone together; the repairs separate
    // most such sheets, a few edges stay shared by four triangles (known gap, see the notes) and
    // the print QA gate refuses such a mesh
    assertThat(r.nonManifoldEdges()).as("non-manifold edges left: %s", r).isLessThanOrEqualTo(16);
    assertThat(r.shells()).isEqualTo(full.report().shells());
    assertThat(r.volume()).isCloseTo(full.report().volume(), within(full.report().volume() * 0.01));
    assertThat(Modeling.meanSurfaceDistance(full.mesh(), decimated.mesh()))
        .as("mean distance of the full mesh's vertices to the decimated surface, mm")
        .isLessThanOrEqualTo(0.05);
  }

  private static double number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("'%s' in admesh's output:%n%s", regex, text).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
