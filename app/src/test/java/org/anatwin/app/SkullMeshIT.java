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
import org.anatwin.model.TriangleMesh;
import org.anatwin.model.Volume;
import org.anatwin.modeling.MeshReport;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Surface;
import org.anatwin.registration.Registrations;
import org.anatwin.registration.SurfaceRegistration;
import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.geometry.euclidean.threed.rotation.QuaternionRotation;
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

  /**
   * A synthetic follow-up: the skull's vertices moved by a known rigid motion (10 degrees about an
   * oblique axis through the skull, then 5 mm), with 0.1 mm of noise and the top 20 % of the skull
   * cut away, registered back onto the skull from the identity.
   */
  @Test
  void aMovedNoisyPartialSkullIsRegisteredBackWithinATenthOfADegreeAndMillimetre()
      throws Exception {
    Path folder =
        SharedData.extract(
            "ct-skull-phantom-study1-bone-1mm.tar.xz", tempDir("anatwin-it-skull-icp"));
    ImportReport report = ingest.importFolder(folder, new Actor("it-admin", "admin"));
    Volume volume = ingest.volumeOf(SeriesInstanceUid.of(report.series().iterator().next()));
    TriangleMesh skull = Modeling.createIsoSurface(volume, 300, 0).mesh();
    float[] p = skull.points();
    double[] centre = new double[3];
    for (int v = 0; v < p.length; v++) {
      centre[v % 3] += p[v] / (p.length / 3.0);
    }
    Vector3D c = Vector3D.of(centre[0], centre[1], centre[2]);
    AffineTransformMatrix3D truth =
        AffineTransformMatrix3D.createTranslation(c.add(Vector3D.of(3, -4, 0)))
            .multiply(
                QuaternionRotation.fromAxisAngle(Vector3D.of(1, 1, 1), Math.toRadians(10))
                    .toMatrix())
            .multiply(AffineTransformMatrix3D.createTranslation(c.negate()));
    AffineTransformMatrix3D inverse = truth.inverse();
    float[] zs = new float[p.length / 3];
    for (int v = 0; v < zs.length; v++) {
      zs[v] = p[3 * v + 2];
    }
    float[] sortedZ = zs.clone();
    java.util.Arrays.sort(sortedZ);
    float cut = sortedZ[(int) (0.8 * (sortedZ.length - 1))];
    java.util.Random noise = new java.util.Random(5);
    java.util.List<Vector3D> kept = new java.util.ArrayList<>();
    for (int v = 0; v < zs.length; v++) {
      if (zs[v] <= cut) {
        Vector3D q = inverse.apply(Vector3D.of(p[3 * v], p[3 * v + 1], p[3 * v + 2]));
        kept.add(
            q.add(
                Vector3D.of(
                    0.1 * noise.nextGaussian(),
                    0.1 * noise.nextGaussian(),
                    0.1 * noise.nextGaussian())));
      }
    }
    float[] moving = new float[3 * kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      moving[3 * i] = (float) kept.get(i).getX();
      moving[3 * i + 1] = (float) kept.get(i).getY();
      moving[3 * i + 2] = (float) kept.get(i).getZ();
    }

    SurfaceRegistration result =
        Registrations.registerSurfaces(
            skull,
            new TriangleMesh(moving, new int[] {0, 1, 2}),
            true,
            Registrations.IcpOptions.defaults());

    // rotation error: the angle of result * truth^-1; translation error at the skull's centre
    AffineTransformMatrix3D error = result.transform().multiply(inverse);
    double[] e = error.toArray();
    double rotationError = Math.toDegrees(Math.acos(Math.min(1, (e[0] + e[5] + e[10] - 1) / 2)));
    double translationError = result.apply(inverse.apply(c)).distance(c);
    double tre = 0;
    for (int v = 0; v < p.length; v += 3) {
      Vector3D original = Vector3D.of(p[v], p[v + 1], p[v + 2]);
      tre = Math.max(tre, result.apply(inverse.apply(original)).distance(original));
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "synthetic follow-up: rotation error %.4f deg, translation error %.4f mm, target error"
            + " (max over the skull) %.4f mm, rms %.3f mm, %d iterations%n",
        rotationError,
        translationError,
        tre,
        result.rmsMm(),
        result.iterations());
    assertThat(result.needsReview()).isFalse();
    assertThat(rotationError).isLessThanOrEqualTo(0.1);
    assertThat(translationError).isLessThanOrEqualTo(0.1);
    assertThat(tre).isLessThanOrEqualTo(0.2);
  }

  private static double number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("'%s' in admesh's output:%n%s", regex, text).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
