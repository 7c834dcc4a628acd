package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.TriangleMesh;
import org.anatwin.model.Volume;
import org.anatwin.modeling.Modeling;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The tilted phantom study (-18.5 degrees) resampled onto an orthogonal grid gives the same skull
 * as the untilted study of the same phantom: both share one frame of reference, so their 300 HU
 * surfaces must coincide where both studies cover the skull.
 */
class TiltCorrectionIT extends ServiceIT {
  @Autowired Ingest ingest;
  @org.springframework.boot.test.web.server.LocalServerPort int port;

  private Volume importAndAssemble(String archive) throws Exception {
    Path folder = SharedData.extract(archive, tempDir("anatwin-it-tilt"));
    ImportReport report = ingest.importFolder(folder, new Actor("it-admin", "admin"));
    assertThat(report.rejected()).isEmpty();
    return ingest.volumeOf(SeriesInstanceUid.of(report.series().iterator().next()));
  }

  @Test
  void theResampledTiltedSkullLiesOnTheUntiltedOne() throws Exception {
    Volume straight = importAndAssemble("ct-skull-phantom-study1-bone-1mm.tar.xz");
    Volume tilted = importAndAssemble("ct-skull-phantom-study2-tilt-2.5mm.tar.xz");
    assertThat(tilted.frameOfReference()).isEqualTo(straight.frameOfReference());
    assertThat(tilted.parameters()).containsKey("gantryTiltDegrees");
    GraphQlClient client = new GraphQlClient(port);
    var volume =
        client
            .data(
                client.token("planner"),
                "query($uid: String!) { series(uid: $uid) { volume { dimensions spacing direction gantryTiltDegrees frameOfReferenceUid } } }",
                Map.of("uid", tilted.series().value()))
            .get("series")
            .get("volume");
    assertThat(volume.get("gantryTiltDegrees").asDouble())
        .isCloseTo(18.5, org.assertj.core.api.Assertions.within(0.1));
    assertThat(volume.get("dimensions").get(2).asInt()).isEqualTo(54);
    assertThat(volume.get("frameOfReferenceUid").asString())
        .isEqualTo(straight.frameOfReference().value());
    var ct =
        client.data(
            client.token("planner"),
            "{ patients(modality: \"CT\", studyDateFrom: \"1900-01-01\") { edges { node { id } } } }",
            Map.of());
    var mr =
        client.data(
            client.token("planner"),
            "{ patients(modality: \"MR\") { edges { node { id } } } }",
            Map.of());
    assertThat(ct.get("patients").get("edges").size()).isPositive();
    assertThat(mr.get("patients").get("edges").size()).isZero();
    var badDate =
        client
            .post(
                client.token("planner"),
                "{ patients(studyDateFrom: \"last week\") { edges { cursor } } }",
                Map.of())
            .body();
    assertThat(badDate.get("errors").get(0).get("extensions").get("code").asString())
        .isEqualTo("ingest:query.date");

    TriangleMesh reference =
        Modeling.createSurface(
                Modeling.createThresholdLabelMap(straight, 300, Short.MAX_VALUE),
                straight.frameOfReference())
            .mesh();
    TriangleMesh moving =
        Modeling.createSurface(
                Modeling.createThresholdLabelMap(tilted, 300, Short.MAX_VALUE),
                tilted.frameOfReference())
            .mesh();

    // compare away from the caps that padding adds where each scan ends: 5 mm inside both z ranges
    double[] a = straight.geometry().patientBounds();
    double[] b = tilted.geometry().patientBounds();
    double zLow = Math.max(a[2], b[2]) + 5;
    double zHigh = Math.min(a[5], b[5]) - 5;
    NearestPoints index = new NearestPoints(reference.points(), 2.0);
    float[] p = moving.points();
    double[] distances = new double[p.length / 3];
    int n = 0;
    for (int v = 0; v < p.length; v += 3) {
      if (p[v + 2] > zLow && p[v + 2] < zHigh) {
        distances[n++] = index.distance(p[v], p[v + 1], p[v + 2]);
      }
    }
    double[] used = Arrays.copyOf(distances, n);
    Arrays.sort(used);
    double mean = Arrays.stream(used).average().orElseThrow();
    double p95 = used[(int) Math.floor(0.95 * (n - 1))];
    System.out.printf(
        "tilt correction: %d vertices, mean %.3f mm, p95 %.3f mm from the untilted skull%n",
        n, mean, p95);
    assertThat(n).as("vertices compared").isGreaterThan(10_000);
    assertThat(mean).as("mean distance, mm").isLessThanOrEqualTo(0.8);
    assertThat(p95).as("95th percentile distance, mm").isLessThanOrEqualTo(1.5);
  }

  /** Nearest reference vertex by a uniform grid of buckets; exact within the searched cells. */
  static final class NearestPoints {
    private final float[] points;
    private final double cell;
    private final Map<Long, int[]> buckets = new HashMap<>();

    NearestPoints(float[] points, double cell) {
      this.points = points;
      this.cell = cell;
      Map<Long, int[]> growing = new HashMap<>();
      Map<Long, Integer> sizes = new HashMap<>();
      for (int v = 0; v < points.length / 3; v++) {
        long key = key(points[3 * v], points[3 * v + 1], points[3 * v + 2]);
        int[] list = growing.computeIfAbsent(key, k -> new int[4]);
        int size = sizes.getOrDefault(key, 0);
        if (size == list.length) {
          list = Arrays.copyOf(list, size * 2);
          growing.put(key, list);
        }
        list[size] = v;
        sizes.put(key, size + 1);
      }
      growing.forEach((k, list) -> buckets.put(k, Arrays.copyOf(list, sizes.get(k))));
    }

    private long key(double x, double y, double z) {
      return pack(
          (long) Math.floor(x / cell), (long) Math.floor(y / cell), (long) Math.floor(z / cell));
    }

    private static long pack(long i, long j, long k) {
      return ((i + 100_000) << 40) | ((j + 100_000) << 20) | (k + 100_000);
    }

    /** Distance to the nearest reference vertex, searching rings of cells until it is certain. */
    double distance(double x, double y, double z) {
      long ci = (long) Math.floor(x / cell);
      long cj = (long) Math.floor(y / cell);
      long ck = (long) Math.floor(z / cell);
      double best = Double.MAX_VALUE;
      for (int ring = 0; ring < 50; ring++) {
        for (long i = ci - ring; i <= ci + ring; i++) {
          for (long j = cj - ring; j <= cj + ring; j++) {
            for (long k = ck - ring; k <= ck + ring; k++) {
              if (Math.max(Math.abs(i - ci), Math.max(Math.abs(j - cj), Math.abs(k - ck)))
                  != ring) {
                continue;
              }
              int[] list = buckets.get(pack(i, j, k));
              if (list == null) {
                continue;
              }
              for (int v : list) {
                double dx = points[3 * v] - x;
                double dy = points[3 * v + 1] - y;
                double dz = points[3 * v + 2] - z;
                best = Math.min(best, dx * dx + dy * dy + dz * dz);
              }
            }
          }
        }
        if (best < Double.MAX_VALUE && Math.sqrt(best) <= ring * cell) {
          break;
        }
      }
      return Math.sqrt(best);
    }
  }
}
