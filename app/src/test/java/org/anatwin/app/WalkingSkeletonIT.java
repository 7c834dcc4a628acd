package org.anatwin.app;

import static org.anatwin.app.GraphQlClient.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.ContentHash;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.Volume;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The thin path end to end on the real phantom CT (140 slices): import, version 1 with a bone mesh,
 * print order approved and printed on the simulated printer, and the artefact's lineage back to
 * every source instance, all through the running service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalkingSkeletonIT extends ServiceIT {
  private static final Path CT = tempDir("anatwin-it-ct");

  @LocalServerPort int port;
  @Autowired Ingest ingest;
  @Autowired Storage storage;

  GraphQlClient client;
  ImportReport firstImport;
  String seriesUid;
  Map<String, String> sourceHashes;

  @BeforeAll
  void importPhantomCt() throws Exception {
    client = new GraphQlClient(port);
    SharedData.extract("ct-skull-phantom-study1-bone-1mm.tar.xz", CT);
    firstImport = ingest.importFolder(CT, new Actor("it-admin", "admin"));
    seriesUid = firstImport.series().iterator().next();
    sourceHashes = new java.util.HashMap<>();
    for (var slice : ingest.volumeOf(SeriesInstanceUid.of(seriesUid)).sources()) {
      sourceHashes.put(slice.sopInstanceUid().value(), slice.datasetHash().hex());
    }
  }

  @Test
  void importStoresEverySliceOfTheSeries() {
    assertThat(firstImport.rejected()).isEmpty();
    // other tests of this JVM's service may have imported the same series first
    assertThat(firstImport.stored() + firstImport.duplicates()).isEqualTo(140);
    assertThat(firstImport.series()).hasSize(1);
    assertThat(sourceHashes).hasSize(140);
  }

  @Test
  void importingTheSameFolderTwiceCreatesNoNodesOrBlobs() throws IOException {
    // audit events are counted apart: the service's background work (e.g. the print job poller
    // of other tests' jobs) may append its own meanwhile
    String others = "MATCH (n) WHERE NOT n:AuditEvent RETURN count(n) AS c";
    String imports =
        "MATCH (e:AuditEvent {action: 'dicom.import', actor: 'it-admin'}) RETURN count(e) AS c";
    long nodes = count(others);
    long audited = count(imports);
    long blobs = blobCount();
    ImportReport again = ingest.importFolder(CT, new Actor("it-admin", "admin"));
    assertThat(again.stored()).isZero();
    assertThat(again.duplicates()).isEqualTo(140);
    assertThat(count(others)).isEqualTo(nodes); // no node but the import's audit event
    assertThat(count(imports)).isEqualTo(audited + 1);
    assertThat(blobCount()).isEqualTo(blobs);
  }

  @Test
  void anonymousRequestsAreRefused() throws Exception {
    assertThat(client.post(null, "{ twins { id } }", Map.of()).status()).isEqualTo(401);
    assertThat(client.get("not-a-token", "/files/meshes/x.stl").statusCode()).isEqualTo(401);
  }

  @Test
  void artefactLineageNamesExactlyTheSourceInstancesAndTheMeshIsClosedAndInPlace()
      throws Exception {
    String planner = client.token("planner");
    JsonNode version =
        client
            .data(
                planner,
                """
        mutation($series: String!) {
          buildTwinVersion(input: {seriesUid: $series}) {
            id number twinId structures { name mesh { id sha256 qa { watertight shells selfIntersections eulerCharacteristic wallThicknessMm } download } }
          }
        }""",
                Map.of("series", seriesUid))
            .get("buildTwinVersion");
    JsonNode mesh = version.get("structures").get(0).get("mesh");
    assertThat(mesh.get("qa").get("watertight").asBoolean()).isTrue();
    assertThat(mesh.get("qa").get("selfIntersections").asInt()).isZero();
    assertThat(mesh.get("qa").get("wallThicknessMm").asDouble()).isBetween(0.1, 20.0);

    // a planner reads the twin
    JsonNode twins =
        client
            .data(
                planner,
                "query($t: ID!) { twin(id: $t) { id versions(first: 100) { nodes { id structures { mesh { id } } } } } }",
                Map.of("t", version.get("twinId").asString()))
            .get("twin");
    assertThat(twins.findValuesAsString("id"))
        .contains(version.get("id").asString(), mesh.get("id").asString());

    // a teaching model at 80 %: the skull's thinnest walls (about 1 mm) still print (the FDM
    // gate is 0.8 mm), and slicing it (twice: here and when it is reproduced) takes half as long
    String order =
        client
            .data(
                planner,
                """
        mutation($mesh: ID!) { createPrintOrder(input: {meshIds: [$mesh], intendedUse: EDUCATION, material: "PLA", scale: 0.8}) { id state } }""",
                Map.of("mesh", mesh.get("id").asString()))
            .get("createPrintOrder")
            .get("id")
            .asString();
    JsonNode approved =
        client
            .data(
                client.token("radiologist"),
                """
        mutation($id: ID!) { approvePrintOrder(id: $id, decision: {approved: true, meaning: "approved for printing", reason: "bone segmentation reviewed"}) { state } }""",
                Map.of("id", order))
            .get("approvePrintOrder");
    assertThat(approved.get("state").asString()).isEqualTo("APPROVED");
    String technician = client.token("technician");
    String prepare =
        "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"simulated-fdm-1\") { state } }";
    // the order is signed, but no radiologist has approved the segmentation yet
    assertThat(errorCode(client.post(technician, prepare, Map.of("id", order))))
        .isEqualTo("print-orders:prepare.segmentation-unapproved");
    String approveSegmentation =
        """
        mutation($v: ID!) { approveSegmentation(versionId: $v, decision: {approved: true, meaning: "segmentation approved", reason: "bone contour checked on every slice"}) {
          segmentationState segmentationReview { by role meaning } } }""";
    Map<String, Object> versionArg = Map.of("v", version.get("id").asString());
    assertThat(GraphQlClient.errorClass(client.post(planner, approveSegmentation, versionArg)))
        .isEqualTo("FORBIDDEN");
    JsonNode reviewed =
        client
            .data(client.token("radiologist"), approveSegmentation, versionArg)
            .get("approveSegmentation");
    assertThat(reviewed.get("segmentationState").asString()).isEqualTo("APPROVED");
    assertThat(reviewed.get("segmentationReview").get("by").asString())
        .isEqualTo("demo-radiologist");
    assertThat(errorCode(client.post(client.token("radiologist"), approveSegmentation, versionArg)))
        .isEqualTo("versioning:segmentation.decided");
    client.data(technician, prepare, Map.of("id", order));
    JsonNode job =
        client
            .data(
                technician,
                "mutation($id: ID!) { submitPrintJob(orderId: $id) { state printer { id } artefacts { id serialNumber printer { id } order { printer { id } meshes { id } } } } }",
                Map.of("id", order))
            .get("submitPrintJob");
    assertThat(job.get("printer").get("id").asString()).isEqualTo("simulated-fdm-1");
    JsonNode printed = job.get("artefacts").get(0);
    assertThat(printed.get("printer").get("id").asString()).isEqualTo("simulated-fdm-1");
    assertThat(printed.get("order").get("printer").get("id").asString())
        .isEqualTo("simulated-fdm-1");
    assertThat(printed.get("order").get("meshes").get(0).get("id").asString())
        .isEqualTo(mesh.get("id").asString());
    // the simulated printer prints on receipt: the job is done, the order printed
    assertThat(job.get("state").asString()).isEqualTo("DONE");
    String artefact = job.get("artefacts").get(0).get("id").asString();
    assertThat(job.get("artefacts").get(0).get("serialNumber").asString())
        .matches("AT-\\d{4}-\\d{6}");

    JsonNode lineage =
        client
            .data(
                client.token("quality"),
                """
        query($of: ID!) { lineage(of: $of, direction: UPSTREAM) {
          nodes { id kind sop: property(name: "sopInstanceUid") hash: property(name: "datasetSha256") }
          edges { from to relation } } }""",
                Map.of("of", artefact))
            .get("lineage");
    Map<String, String> instances = new java.util.HashMap<>();
    Set<String> kinds = new HashSet<>();
    for (JsonNode node : lineage.get("nodes")) {
      kinds.add(node.get("kind").asString());
      if (node.get("kind").asString().equals("Instance")) {
        instances.put(node.get("sop").asString(), node.get("hash").asString());
      }
    }
    assertThat(instances).isEqualTo(sourceHashes);
    assertThat(kinds)
        .contains(
            "Artefact",
            "Mesh",
            "LabelMap",
            "Volume",
            "Approval",
            "SegmentationReview",
            "PrintOrder",
            "Activity",
            "Agent");
    assertThat(lineage.findValuesAsString("id"))
        .contains("person:demo-radiologist", "printer:simulated-fdm-1", "person:demo-planner");
    // whoever stored the source instances first (this test's import, or a C-STORE sender of
    // another test sharing the store) is named in the lineage
    java.util.List<String> senders =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            """
                            MATCH (i:Instance)-[:WAS_GENERATED_BY]->(:Activity)-[:WAS_ASSOCIATED_WITH]->(ag:Agent)
                            WHERE i.sopInstanceUid IN $sops AND NOT ag.id STARTS WITH 'software:'
                            RETURN DISTINCT ag.id AS id
                            """,
                            Map.of("sops", java.util.List.copyOf(sourceHashes.keySet())))
                        .list(r -> r.get("id").asString()));
    assertThat(senders).isNotEmpty();
    assertThat(lineage.findValuesAsString("id")).containsAll(senders);

    reproduceMatchesUntilASegmentationParameterIsAltered(artefact, mesh.get("id").asString());

    HttpResponse<byte[]> stl = client.get(planner, mesh.get("download").asString());
    assertThat(stl.statusCode()).isEqualTo(200);
    assertThat(ContentHash.of(stl.body()).hex()).isEqualTo(mesh.get("sha256").asString());
    assertThat(stl.headers().firstValue("ETag"))
        .contains("\"" + mesh.get("sha256").asString() + "\"");
    StlFile file = StlFile.read(stl.body());
    assertThat(file.boundaryEdges()).as("edges used by one triangle").isZero();
    assertThat(file.overusedEdges()).as("edges used by more than two triangles").isZero();

    Volume volume = ingest.volumeOf(SeriesInstanceUid.of(seriesUid));
    double[] bounds = volume.geometry().patientBounds();
    double[] voxel = {volume.geometry().sx(), volume.geometry().sy(), volume.geometry().sz()};
    for (int axis = 0; axis < 3; axis++) {
      assertThat((double) file.min()[axis]).isGreaterThanOrEqualTo(bounds[axis] - voxel[axis]);
      assertThat((double) file.max()[axis]).isLessThanOrEqualTo(bounds[axis + 3] + voxel[axis]);
    }
    // the skull leaves the scanned range: padding closes the surface within one slice of an end
    assertThat(Math.min(Math.abs(file.min()[2] - bounds[2]), Math.abs(file.max()[2] - bounds[5])))
        .isLessThanOrEqualTo(voxel[2]);
  }

  /**
   * Re-derives the printed artefact from the source blobs: every hash matches; with the threshold
   * recorded in the graph altered, the segmentation is named as the first step that differs.
   */
  private void reproduceMatchesUntilASegmentationParameterIsAltered(String artefact, String mesh)
      throws Exception {
    String reproduce =
        """
        query($e: ID!) { reproduce(entity: $e) { matched firstDifference { algorithm status }
          steps { algorithm status checks { kind property recorded reproduced matches } } } }""";
    Map<String, Object> of = Map.of("e", artefact);
    assertThat(GraphQlClient.errorClass(client.post(client.token("planner"), reproduce, of)))
        .isEqualTo("FORBIDDEN");
    String quality = client.token("quality");
    JsonNode report = client.data(quality, reproduce, of).get("reproduce");
    assertThat(report.get("matched").asBoolean()).as(report.toString()).isTrue();
    Map<String, Set<String>> statuses = new java.util.HashMap<>();
    Set<String> checked = new HashSet<>();
    for (JsonNode step : report.get("steps")) {
      statuses
          .computeIfAbsent(step.get("algorithm").asString(), a -> new HashSet<>())
          .add(step.get("status").asString());
      for (JsonNode check : step.get("checks")) {
        assertThat(check.get("matches").asBoolean()).as(check.toString()).isTrue();
        checked.add(check.get("kind").asString() + "." + check.get("property").asString());
      }
    }
    for (String rerun :
        java.util.List.of(
            "anatwin.dicom.receive",
            "anatwin.series-to-volume",
            "anatwin.threshold",
            "anatwin.iso-surface.vtk-flying-edges",
            "anatwin.print.prepare")) {
      assertThat(statuses.get(rerun)).as(rerun).containsExactly("MATCHED");
    }
    assertThat(statuses.get("anatwin.print-job")).containsExactly("RECORDED");
    assertThat(checked)
        .contains(
            "Instance.datasetSha256",
            "Volume.sha256",
            "LabelMap.sha256",
            "Mesh.sha256",
            "Preparation.threeMfSha256",
            "Preparation.gcodeSha256");

    String find =
        """
        MATCH (:Mesh {id: $mesh})-[:WAS_DERIVED_FROM]->(:LabelMap)-[:WAS_GENERATED_BY]->(a:Activity)
        RETURN a.id AS id, a.parameters AS parameters""";
    var threshold = storage.graph().read(tx -> tx.run(find, Map.of("mesh", mesh)).single().asMap());
    String recorded = (String) threshold.get("parameters");
    Map<String, String> parameters =
        new java.util.TreeMap<>(org.anatwin.storage.LineageWriter.decode(recorded));
    parameters.put(
        "minimumHu", Integer.toString(Integer.parseInt(parameters.get("minimumHu")) + 1));
    String altered =
        "{"
            + String.join(
                ",",
                parameters.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                    .toList())
            + "}";
    String set = "MATCH (a:Activity {id: $id}) SET a.parameters = $p";
    try {
      storage
          .graph()
          .write(tx -> tx.run(set, Map.of("id", threshold.get("id"), "p", altered)).consume());
      JsonNode differing = client.data(quality, reproduce, of).get("reproduce");
      assertThat(differing.get("matched").asBoolean()).isFalse();
      assertThat(differing.get("firstDifference").get("algorithm").asString())
          .isEqualTo("anatwin.threshold");
      assertThat(differing.get("firstDifference").get("status").asString()).isEqualTo("DIFFERED");
    } finally {
      storage
          .graph()
          .write(tx -> tx.run(set, Map.of("id", threshold.get("id"), "p", recorded)).consume());
    }
  }

  private long count(String cypher) {
    return storage.graph().read(tx -> tx.run(cypher).single().get("c").asLong());
  }

  private long blobCount() throws IOException {
    try (Stream<Path> files = Files.walk(HOME.resolve("blobs").resolve("sha256"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
