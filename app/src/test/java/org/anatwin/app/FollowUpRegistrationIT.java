package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The living twin on real data: the tilted second study of the skull phantom becomes version 2 of
 * the twin, registered onto version 1 on arrival; two builds racing on one twin give one version
 * and one clear conflict.
 */
class FollowUpRegistrationIT extends ServiceIT {
  @Autowired Ingest ingest;
  @org.springframework.boot.test.web.server.LocalServerPort int port;

  private static final String BUILD =
      """
      mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s}) {
        id number parent { id } registration
        structures { name mesh { id } }
        registrations { id structure matrix rotationDegrees rmsMm overlap converged needsReview initialisation dicomSha256 download }
      } }""";

  private String importSeries(String archive) throws Exception {
    Path folder = SharedData.extract(archive, tempDir("anatwin-it-followup"));
    ImportReport report = ingest.importFolder(folder, new Actor("it-admin", "admin"));
    assertThat(report.rejected()).isEmpty();
    return report.series().iterator().next();
  }

  @Test
  void theTiltedFollowUpBecomesVersionTwoRegisteredOntoVersionOne() throws Exception {
    String first = importSeries("ct-skull-phantom-study1-bone-1mm.tar.xz");
    String second = importSeries("ct-skull-phantom-study2-tilt-2.5mm.tar.xz");
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");

    JsonNode v1 = client.data(planner, BUILD, Map.of("s", first)).get("buildTwinVersion");
    JsonNode v2 = client.data(planner, BUILD, Map.of("s", second)).get("buildTwinVersion");

    assertThat(v2.get("number").asInt()).isEqualTo(v1.get("number").asInt() + 1);
    assertThat(v2.get("parent").get("id").asString()).isEqualTo(v1.get("id").asString());
    JsonNode registration = v2.get("registrations").get(0);
    System.out.println("follow-up registration: " + registration);
    assertThat(registration.get("structure").asString()).isEqualTo("bone");
    assertThat(registration.get("initialisation").asString()).startsWith("identity");
    assertThat(registration.get("converged").asBoolean()).isTrue();
    assertThat(registration.get("needsReview").asBoolean()).isFalse();
    assertThat(v2.get("registration").asString()).isEqualTo("ACCEPTED");
    // the phantom did not move between the studies
    assertThat(registration.get("rotationDegrees").asDouble()).isLessThanOrEqualTo(0.5);

    // displacement measured at the mesh, not the matrix's translation column
    double[] m = new double[12];
    for (int i = 0; i < 12; i++) {
      m[i] = registration.get("matrix").get(i).asDouble();
    }
    String meshId = v2.get("structures").get(0).get("mesh").get("id").asString();
    TriangleMesh mesh =
        Modeling.fromStl(client.get(planner, "/files/meshes/" + meshId + ".stl").body());
    float[] p = mesh.points();
    double worst = 0;
    double sum = 0;
    for (int v = 0; v < p.length; v += 3) {
      double dx = m[0] * p[v] + m[1] * p[v + 1] + m[2] * p[v + 2] + m[3] - p[v];
      double dy = m[4] * p[v] + m[5] * p[v + 1] + m[6] * p[v + 2] + m[7] - p[v + 1];
      double dz = m[8] * p[v] + m[9] * p[v + 1] + m[10] * p[v + 2] + m[11] - p[v + 2];
      double d = Math.sqrt(dx * dx + dy * dy + dz * dz);
      worst = Math.max(worst, d);
      sum += d;
    }
    System.out.printf(
        "follow-up registration: rotation %.3f deg, rms %.3f mm, overlap %.3f, mesh displacement mean %.3f max %.3f mm%n",
        registration.get("rotationDegrees").asDouble(),
        registration.get("rmsMm").asDouble(),
        registration.get("overlap").asDouble(),
        sum / (p.length / 3),
        worst);
    assertThat(worst).as("largest displacement of a vertex, mm").isLessThanOrEqualTo(1.5);

    // the registration as a DICOM Spatial Registration object, valid for dciodvfy, not for
    // designers
    var reg = client.get(planner, registration.get("download").asString());
    assertThat(reg.statusCode()).isEqualTo(200);
    // stored when the version was built: the download is that blob
    assertThat(org.anatwin.model.ContentHash.of(reg.body()).hex())
        .isEqualTo(registration.get("dicomSha256").asString());
    Path regFile = tempDir("anatwin-it-reg").resolve("registration.dcm");
    java.nio.file.Files.write(regFile, reg.body());
    Process check =
        new ProcessBuilder("dciodvfy", regFile.toString()).redirectErrorStream(true).start();
    String verified =
        new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(check.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
    assertThat(verified).contains("SpatialRegistration");
    assertThat(verified.lines().filter(l -> l.startsWith("Error"))).as(verified).isEmpty();
    assertThat(
            client
                .get(client.token("designer"), registration.get("download").asString())
                .statusCode())
        .isEqualTo(403);

    // the diff of version 2 against version 1, in version 1's frame, and its colour-mapped PLY
    String diffQuery =
        """
        query($v: ID!, $a: ID!) { twinVersion(id: $v) { diff(against: $a) {
          structure vertexCount meanMm meanAbsoluteMm p95AbsoluteMm maxMm hausdorffMm download } } }""";
    JsonNode diff =
        client
            .data(
                planner,
                diffQuery,
                Map.of("v", v2.get("id").asString(), "a", v1.get("id").asString()))
            .get("twinVersion")
            .get("diff")
            .get(0);
    System.out.println("follow-up diff: " + diff);
    assertThat(diff.get("structure").asString()).isEqualTo("bone");
    assertThat(diff.get("vertexCount").asInt()).isEqualTo(mesh.vertexCount());
    assertThat(diff.get("meanAbsoluteMm").asDouble()).isLessThan(1.0);
    var ply = client.get(planner, diff.get("download").asString());
    assertThat(ply.statusCode()).isEqualTo(200);
    assertThat(new String(ply.body(), 0, 400, java.nio.charset.StandardCharsets.US_ASCII))
        .contains("property float distance");
    // a version against itself differs by nothing
    JsonNode same =
        client
            .data(
                planner,
                diffQuery,
                Map.of("v", v1.get("id").asString(), "a", v1.get("id").asString()))
            .get("twinVersion")
            .get("diff")
            .get(0);
    assertThat(same.get("hausdorffMm").asDouble()).isLessThan(1e-3);

    reproduceTheRegistration(client, registration.get("id").asString());
  }

  @Autowired org.anatwin.storage.Storage storage;

  /**
   * The registration re-derived from the source blobs: both meshes' chains and the ICP itself are
   * re-run and the transform's hash matches; after its recorded {@code keep} is altered, the ICP is
   * the step named.
   */
  private void reproduceTheRegistration(GraphQlClient client, String registration)
      throws Exception {
    String reproduce =
        """
        query($e: ID!) { reproduce(entity: $e) { matched firstDifference { algorithm status note }
          steps { algorithm status checks { kind property matches } } } }""";
    String quality = client.token("quality");
    Map<String, Object> of = Map.of("e", registration);
    JsonNode report = client.data(quality, reproduce, of).get("reproduce");
    assertThat(report.get("matched").asBoolean()).as(report.toString()).isTrue();
    JsonNode icp = null;
    for (JsonNode step : report.get("steps")) {
      if (step.get("algorithm").asString().equals(org.anatwin.registration.Registrations.ICP)) {
        icp = step;
      }
    }
    assertThat(icp).as(report.toString()).isNotNull();
    assertThat(icp.get("status").asString()).isEqualTo("MATCHED");
    assertThat(icp.get("checks").toString())
        .contains("\"property\":\"transformSha256\"")
        .doesNotContain("\"matches\":false");

    String find =
        """
        MATCH (:Registration {id: $r})-[:WAS_GENERATED_BY]->(a:Activity)
        RETURN a.id AS id, a.parameters AS parameters""";
    var activity =
        storage.graph().read(tx -> tx.run(find, Map.of("r", registration)).single().asMap());
    String recorded = (String) activity.get("parameters");
    String altered = recorded.replaceFirst("\"keep\":\"[0-9.]+\"", "\"keep\":\"0.5\"");
    assertThat(altered).isNotEqualTo(recorded);
    String set = "MATCH (a:Activity {id: $id}) SET a.parameters = $p";
    try {
      storage
          .graph()
          .write(tx -> tx.run(set, Map.of("id", activity.get("id"), "p", altered)).consume());
      JsonNode differing = client.data(quality, reproduce, of).get("reproduce");
      assertThat(differing.get("matched").asBoolean()).isFalse();
      assertThat(differing.get("firstDifference").get("algorithm").asString())
          .isEqualTo(org.anatwin.registration.Registrations.ICP);
      assertThat(differing.get("firstDifference").get("note").asString())
          .contains("versioning:derivation.parameter");
    } finally {
      storage
          .graph()
          .write(tx -> tx.run(set, Map.of("id", activity.get("id"), "p", recorded)).consume());
    }
  }

  @Test
  void twoBuildsRacingOnOneTwinGiveOneVersionAndOneConflict() throws Exception {
    Path phantom = tempDir("anatwin-it-race");
    Ingest.writePhantom(phantom);
    ImportReport report =
        ingest.importFolder(phantom.resolve("femur"), new Actor("it-admin", "admin"));
    String series = report.series().iterator().next();
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String query =
        """
        mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: "femur", minimumHu: 620}]}) { id number } }""";
    CountDownLatch start = new CountDownLatch(1);
    List<Future<JsonNode>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (int i = 0; i < 2; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return client.post(planner, query, Map.of("s", series)).body();
                }));
      }
      start.countDown();
      List<JsonNode> bodies = new ArrayList<>();
      for (Future<JsonNode> result : results) {
        bodies.add(result.get());
      }
      long built =
          bodies.stream().filter(b -> b.get("data") != null && !b.get("data").isNull()).count();
      List<String> codes =
          bodies.stream()
              .filter(b -> b.get("errors") != null)
              .map(b -> b.get("errors").get(0).get("extensions").get("code").asString())
              .toList();
      assertThat(built).as(bodies.toString()).isEqualTo(1);
      assertThat(codes).containsExactly("versioning:version.conflict");
    }
  }

  /**
   * A follow-up that does not fit its parent (the phantom's skull built onto a version made from
   * its femur) is flagged NEEDS_REVIEW, never accepted silently; a radiologist accepts it with a
   * reason, a designer may not, and a second acceptance is refused.
   */
  @Test
  void aPoorRegistrationWaitsForAPersonsAcceptance() throws Exception {
    Path phantom = tempDir("anatwin-it-review");
    Ingest.writePhantom(phantom);
    Actor admin = new Actor("it-admin", "admin");
    String femur = ingest.importFolder(phantom.resolve("femur"), admin).series().iterator().next();
    String skull = ingest.importFolder(phantom.resolve("skull"), admin).series().iterator().next();
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    // over HTTP: the skull's build may take longer than Tomcat's default async timeout (30 s)
    String build =
        """
        mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: "bone", minimumHu: 620}]}) {
          id registration registrations { structure needsReview reviewedBy dicomSha256 } } }""";
    client.data(planner, build, Map.of("s", femur));
    JsonNode flagged = client.data(planner, build, Map.of("s", skull)).get("buildTwinVersion");
    assertThat(flagged.get("registration").asString()).isEqualTo("NEEDS_REVIEW");
    assertThat(flagged.get("registrations").get(0).get("needsReview").asBoolean()).isTrue();
    // named as this build names the structure, whatever name the parent's mesh was first stored
    // under
    assertThat(flagged.get("registrations").get(0).get("structure").asString()).isEqualTo("bone");
    assertThat(flagged.get("registrations").get(0).get("dicomSha256").isNull())
        .as("no DICOM registration is stored while it waits for review")
        .isTrue();

    String accept =
        """
        mutation($v: ID!) { acceptRegistration(versionId: $v, structure: "bone", reason: "the skull replaces the femur on purpose") {
          registration registrations { reviewedBy reviewReason dicomSha256 } } }""";
    Map<String, Object> version = Map.of("v", flagged.get("id").asString());
    JsonNode denied = client.post(client.token("designer"), accept, version).body();
    assertThat(denied.get("errors")).isNotNull();
    JsonNode accepted =
        client.data(client.token("radiologist"), accept, version).get("acceptRegistration");
    assertThat(accepted.get("registration").asString()).isEqualTo("ACCEPTED");
    assertThat(accepted.get("registrations").get(0).get("reviewedBy").isNull()).isFalse();
    assertThat(accepted.get("registrations").get(0).get("dicomSha256").asString()).hasSize(64);
    JsonNode again = client.post(client.token("radiologist"), accept, version).body();
    assertThat(again.get("errors").get(0).get("extensions").get("code").asString())
        .isEqualTo("versioning:registration.not-pending");
  }
}
