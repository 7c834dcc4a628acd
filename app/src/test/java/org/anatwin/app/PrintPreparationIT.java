package org.anatwin.app;

import static org.anatwin.app.GraphQlClient.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.ContentHash;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The phantom's skull ordered at 1:4, approved by a second person, prepared (QA gate, orientation,
 * placement) and sliced by the real CuraEngine; each refusal on the way has its own code.
 */
class PrintPreparationIT extends ServiceIT {
  @Autowired Ingest ingest;
  @org.springframework.boot.test.web.server.LocalServerPort int port;

  private static final String ORDER =
      """
      mutation($m: [ID!]!, $s: Float) { createPrintOrder(input: {meshIds: $m, intendedUse: EDUCATION, material: "PLA", scale: $s}) { id state } }""";
  private static final String APPROVE =
      """
      mutation($id: ID!, $ok: Boolean!) { approvePrintOrder(id: $id, decision: {approved: $ok, meaning: "approved for printing", reason: "segmentation reviewed"}) { state } }""";
  private static final String PREPARE =
      """
      mutation($id: ID!) { preparePrintOrder(id: $id, printerId: "simulated-fdm-1") { state preparation {
        id heightMm supportAreaMm2 orientation layers layerHeightMm initialLayerHeightMm printTimeSeconds filamentMm3
        slicer profile profileSha256 gcodeSha256 threeMfSha256 gcodeDownload threeMfDownload plateDownload } } }""";

  @Autowired org.anatwin.printorders.PrintOrders printOrders;
  @Autowired org.anatwin.storage.Storage storage;
  @Autowired org.anatwin.audit.AuditLog auditLog;

  /** The phantom skull's twin version (built once per test; the same mesh each time). */
  private JsonNode skullVersion(GraphQlClient client, String planner) throws Exception {
    Path phantom = tempDir("anatwin-it-print");
    Ingest.writePhantom(phantom);
    String series =
        ingest
            .importFolder(phantom.resolve("skull"), new Actor("it-admin", "admin"))
            .series()
            .iterator()
            .next();
    JsonNode version =
        client
            .data(
                planner,
                """
                mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: "skull", minimumHu: 620}]}) {
                  id structures { mesh { id bounds { minX minY minZ maxX maxY maxZ } qa { wallThicknessMm selfIntersections } } } } }""",
                Map.of("s", series))
            .get("buildTwinVersion");
    // a radiologist signs the segmentation, without which nothing of it is printed
    client.data(
        client.token("radiologist"),
        """
        mutation($v: ID!) { approveSegmentation(versionId: $v, decision: {approved: true, meaning: "segmentation approved", reason: "skull contour checked"}) { id } }""",
        Map.of("v", version.get("id").asString()));
    return version;
  }

  @Test
  void theSkullAtOneToFourIsSlicedIntoLayersOfItsHeight() throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String radiologist = client.token("radiologist");
    String technician = client.token("technician");
    JsonNode version = skullVersion(client, planner);
    JsonNode mesh = version.get("structures").get(0).get("mesh");
    System.out.println("print: skull mesh " + mesh);
    String meshId = mesh.get("id").asString();

    // an approval is the radiologist's own signature (RejectionsIT: nobody signs their own order)
    String admin = client.token("admin");
    String own = order(client, admin, meshId, 0.25);
    assertThat(errorCode(client.post(admin, APPROVE, Map.of("id", own, "ok", true))))
        .isEqualTo("api:forbidden");
    String order = order(client, planner, meshId, 0.25);
    assertThat(errorCode(client.post(technician, PREPARE, Map.of("id", order))))
        .isEqualTo("print-orders:prepare.unapproved");
    assertThat(client.data(radiologist, APPROVE, Map.of("id", order, "ok", true)).toString())
        .contains("APPROVED");
    assertThat(errorCode(client.post(radiologist, APPROVE, Map.of("id", order, "ok", true))))
        .isEqualTo("print-orders:approval.not-pending");
    String rejected = order(client, planner, meshId, 0.25);
    client.data(radiologist, APPROVE, Map.of("id", rejected, "ok", false));
    assertThat(errorCode(client.post(radiologist, APPROVE, Map.of("id", rejected, "ok", true))))
        .isEqualTo("print-orders:approval.rejected");

    JsonNode prepared =
        client.data(technician, PREPARE, Map.of("id", order)).get("preparePrintOrder");
    System.out.println("print: prepared " + prepared);
    assertThat(prepared.get("state").asString()).isEqualTo("PREPARED");
    JsonNode p = prepared.get("preparation");
    double height = p.get("heightMm").asDouble();
    double expectedLayers =
        1 + (height - p.get("initialLayerHeightMm").asDouble()) / p.get("layerHeightMm").asDouble();
    assertThat(p.get("layers").asDouble())
        .isCloseTo(expectedLayers, org.assertj.core.data.Offset.offset(1.0));
    // 1:4 of the skull's smallest extent at most, its largest at least... the height is one of them
    double[] extent = extent(mesh);
    assertThat(height).isBetween(0.25 * extent[0] - 0.01, 0.25 * extent[2] + 0.01);
    assertThat(p.get("printTimeSeconds").asLong()).isPositive();
    assertThat(p.get("slicer").asString()).startsWith("CuraEngine ");
    var gcode = client.get(technician, p.get("gcodeDownload").asString());
    assertThat(gcode.statusCode()).isEqualTo(200);
    assertThat(ContentHash.of(gcode.body()).hex()).isEqualTo(p.get("gcodeSha256").asString());
    assertThat(new String(gcode.body(), StandardCharsets.ISO_8859_1))
        .contains(";LAYER_COUNT:" + p.get("layers").asInt());
    var threeMf = client.get(technician, p.get("threeMfDownload").asString());
    TriangleMesh packaged = Modeling.importMesh(threeMf.body(), "3mf", 10_000_000).mesh();
    assertThat(Modeling.report(packaged).maxZ() - Modeling.report(packaged).minZ())
        .isCloseTo(height, org.assertj.core.data.Offset.offset(0.01));

    // the preparation's lineage: the mesh, the order, its approval, CuraEngine
    JsonNode lineage =
        client
            .data(
                client.token("quality"),
                "query($of: ID!) { lineage(of: $of, depth: 2) { nodes { id kind } } }",
                Map.of("of", p.get("id").asString()))
            .get("lineage");
    assertThat(lineage.findValuesAsString("id")).contains(meshId, order);
    assertThat(lineage.findValuesAsString("kind")).contains("Approval");
    assertThat(lineage.toString()).contains("software:cura-engine");

    // the QA gate: walls too thin at 1:40
    String tiny = order(client, planner, meshId, 0.025);
    client.data(radiologist, APPROVE, Map.of("id", tiny, "ok", true));
    assertThat(errorCode(client.post(technician, PREPARE, Map.of("id", tiny))))
        .isEqualTo("print-orders:prepare.thin-wall");
    // the QA gate: two interpenetrating spheres uploaded as one design intersect themselves
    String versionId = version.get("id").asString();
    double[] c = centre(mesh);
    TriangleMesh a = TwinPlansIT.sphere(c, 12, 3);
    TriangleMesh b = TwinPlansIT.sphere(new double[] {c[0] + 10, c[1], c[2]}, 12, 3);
    String unique = Long.toString(System.nanoTime(), 36);
    Map<String, Object> design = new HashMap<>();
    design.put("v", versionId);
    design.put("n", "crossed " + unique);
    design.put(
        "c",
        Base64.getEncoder()
            .encodeToString(Modeling.toStl(TriangleMesh.join(java.util.List.of(a, b)))));
    JsonNode crossed =
        client
            .data(
                client.token("designer"),
                "mutation($v: ID!, $n: String!, $c: String!) { uploadDesign(input: {versionId: $v, name: $n, kind: MODEL, content: $c}) { id qa { selfIntersections } } }",
                design)
            .get("uploadDesign");
    assertThat(crossed.get("qa").get("selfIntersections").asLong()).isPositive();
    String bad = order(client, planner, crossed.get("id").asString(), 1.0);
    client.data(radiologist, APPROVE, Map.of("id", bad, "ok", true));
    assertThat(errorCode(client.post(technician, PREPARE, Map.of("id", bad))))
        .isEqualTo("print-orders:prepare.qa-gate");
  }

  /**
   * The job goes to a printer speaking OctoPrint's REST API; its progress is polled into job
   * events; the service "restarts" (a fresh PrintOrders on the same store) mid-print and resumes
   * polling; the finished job yields the artefact, whose lineage reaches the source instances.
   */
  @Test
  void anOctoPrintJobIsFollowedAcrossARestartToItsArtefact() throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String technician = client.token("technician");
    JsonNode version = skullVersion(client, planner);
    String meshId = version.get("structures").get(0).get("mesh").get("id").asString();
    try (FakeOctoPrint octo = new FakeOctoPrint("it-octo-key")) {
      var setting =
          new PrintingProperties.PrinterSetting(
              "OctoPrint test printer",
              "octoprint",
              octo.url(),
              "it-octo-key",
              0,
              0,
              0,
              null,
              null,
              null,
              null,
              null,
              null);
      printOrders.register(
          CoreConfiguration.printer("octoprint-it", setting, tempDir("anatwin-it-octo")));
      String order = order(client, planner, meshId, 0.25);
      client.data(client.token("radiologist"), APPROVE, Map.of("id", order, "ok", true));
      JsonNode prepared =
          client
              .data(
                  technician,
                  "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"octoprint-it\") { preparation { gcodeSha256 } } }",
                  Map.of("id", order))
              .get("preparePrintOrder");
      java.util.concurrent.BlockingQueue<JsonNode> pushed =
          new java.util.concurrent.LinkedBlockingQueue<>();
      var socket =
          client.subscribe(
              technician,
              "subscription($o: ID!) { printJobEvents(orderId: $o) { seq state completion } }",
              Map.of("o", order),
              pushed);
      JsonNode job =
          client
              .data(
                  technician,
                  "mutation($o: ID!) { submitPrintJob(orderId: $o) { id state } }",
                  Map.of("o", order))
              .get("submitPrintJob");
      String jobId = job.get("id").asString();
      // what the printer received: our key, the G-code named after the job, select and print
      assertThat(octo.uploadedName).isEqualTo(jobId + ".gcode");
      assertThat(ContentHash.of(octo.uploaded).hex())
          .isEqualTo(prepared.get("preparation").get("gcodeSha256").asString());
      assertThat(octo.selectAndPrint).isTrue();
      assertThat(octo.refusedKeys).isZero();

      octo.progress("Printing", 30);
      printOrders.poll();
      printOrders.poll();
      // a restart: a new instance on the same store, with the printer configured again
      var restarted =
          new org.anatwin.printorders.PrintOrders(
              storage, auditLog, java.time.Clock.systemUTC(), tempDir("anatwin-it-printers"), null);
      restarted.register(
          CoreConfiguration.printer("octoprint-it", setting, tempDir("anatwin-it-octo")));
      octo.progress("Printing", 60);
      restarted.poll();
      octo.progress("Operational", 100);
      restarted.poll();
      restarted.poll();

      JsonNode done =
          client
              .data(
                  client.token("quality"),
                  """
                  query($o: ID!) { printOrder(id: $o) { state jobs { id state events { seq state completion }
                    artefacts { id serialNumber } } } }""",
                  Map.of("o", order))
              .get("printOrder");
      System.out.println("octoprint job: " + done);
      assertThat(done.get("state").asString()).isEqualTo("PRINTED");
      JsonNode events = done.get("jobs").get(0).get("events");
      java.util.List<String> seen = new java.util.ArrayList<>();
      for (int i = 0; i < events.size(); i++) {
        JsonNode e = events.get(i);
        assertThat(e.get("seq").asInt()).as("no gap").isEqualTo(i + 1);
        seen.add(e.get("state").asString() + " " + (int) e.get("completion").asDouble());
      }
      assertThat(seen).as("nothing recorded twice").doesNotHaveDuplicates();
      assertThat(seen).first().isEqualTo("QUEUED 0");
      assertThat(seen).contains("PRINTING 30", "PRINTING 60");
      assertThat(seen).last().isEqualTo("DONE 100");
      String artefact = done.get("jobs").get(0).get("artefacts").get(0).get("id").asString();
      JsonNode lineage =
          client
              .data(
                  client.token("quality"),
                  "query($of: ID!) { lineage(of: $of, direction: UPSTREAM) { nodes { id kind } } }",
                  Map.of("of", artefact))
              .get("lineage");
      assertThat(lineage.findValuesAsString("kind"))
          .contains("Instance", "Preparation", "Approval");
      assertThat(lineage.findValuesAsString("id")).contains("printer:octoprint-it");
      // the live service pushed what it recorded (the restarted instance has no subscribers)
      java.util.List<String> pushedStates = new java.util.ArrayList<>();
      for (JsonNode e; (e = pushed.poll(5, java.util.concurrent.TimeUnit.SECONDS)) != null; ) {
        JsonNode p = e.get("payload").get("data").get("printJobEvents");
        pushedStates.add(p.get("state").asString() + " " + (int) p.get("completion").asDouble());
      }
      assertThat(pushedStates).contains("QUEUED 0", "PRINTING 30").doesNotHaveDuplicates();
      socket.abort();

      // a second order is withdrawn while printing: the printer is told to stop, no artefact
      String second = order(client, planner, meshId, 0.25);
      client.data(client.token("radiologist"), APPROVE, Map.of("id", second, "ok", true));
      client.data(
          technician,
          "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"octoprint-it\") { state } }",
          Map.of("id", second));
      client.data(
          technician,
          "mutation($o: ID!) { submitPrintJob(orderId: $o) { id } }",
          Map.of("o", second));
      octo.progress("Printing", 20);
      printOrders.poll();
      JsonNode withdrawn =
          client
              .data(
                  technician,
                  """
                  mutation($id: ID!) { cancelPrintOrder(id: $id, reason: "wrong side") { state
                    jobs { state events { state } artefacts { id } } } }""",
                  Map.of("id", second))
              .get("cancelPrintOrder");
      assertThat(octo.cancels).isEqualTo(1);
      assertThat(withdrawn.get("state").asString()).isEqualTo("CANCELLED");
      JsonNode stopped = withdrawn.get("jobs").get(0);
      assertThat(stopped.get("state").asString()).isEqualTo("CANCELLED");
      assertThat(stopped.get("events").findValuesAsString("state"))
          .startsWith("QUEUED", "PRINTING")
          .endsWith("PRINTING", "CANCELLED");
      assertThat(stopped.get("artefacts")).isEmpty();
    }
  }

  private static final String QA =
      """
      mutation($a: ID!, $c: String!) { recordArtefactQa(artefactId: $a, input: {content: $c, fileName: "scan.stl", note: "structured light"}) {
        id state qa { passed reason toleranceMm p95Mm minMm scanVertices scanAreaMm2 largestDefectMm2 scanSha256 colourMapDownload measuredBy } } }""";
  private static final String DELIVER =
      """
      mutation($a: ID!) { deliverArtefact(artefactId: $a, recipient: "theatre 3") { id state } }""";
  private static final String RECALL =
      """
      query($lot: String) { recall(criteria: {materialLot: $lot}) { id serialNumber materialLot state } }""";

  /**
   * Two copies of the skull at 1:4 printed from one material lot on a printer that takes 3MF; a
   * scan of the first (the part moved 0.2 mm, 0.05 mm of noise, in the scanner's frame) passes the
   * 0.5 mm tolerance of a planning model and it is delivered; a scan of the second with a 2 mm dent
   * fails and that copy cannot be delivered; a recall by the lot returns exactly those two copies,
   * and not a copy printed from another lot.
   */
  @Test
  void printedCopiesAreMeasuredDeliveredOnlyWhenTheyPassAndRecalledByLot() throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String technician = client.token("technician");
    String quality = client.token("quality");
    JsonNode version = skullVersion(client, planner);
    JsonNode mesh = version.get("structures").get(0).get("mesh");
    String meshId = mesh.get("id").asString();
    printOrders.register(
        new org.anatwin.printorders.PrinterConfig(
            new org.anatwin.printorders.Printer("it-3mf", "3MF printer (folder)", "FDM", "folder"),
            new org.anatwin.printorders.preparation.Preparer.Bed(250, 250, 250, 50, null),
            org.anatwin.printorders.PrintOrders.FDM_MIN_WALL_MM,
            new org.anatwin.printorders.printer.FolderPrinter(tempDir("anatwin-it-3mf"))));
    String lot = "PLA-" + Long.toString(System.nanoTime(), 36);
    java.util.List<String> copies = printed(client, planner, meshId, 3, lot);
    java.util.List<String> other = printed(client, planner, meshId, 1, lot + "-B");

    // each copy's label: the patient and the note for the care team, the pseudonym for designers
    String label =
        "query($a: ID!) { artefact(id: $a) { label { serialNumber copy copies patientName patientId pseudonym clinicalNote materialLot text } } }";
    JsonNode care =
        client.data(technician, label, Map.of("a", copies.get(1))).get("artefact").get("label");
    assertThat(care.get("patientId").asString()).isEqualTo("ANATWIN-PHANTOM-1");
    assertThat(care.get("patientName").asString()).isEqualTo("Phantom^Anatwin");
    assertThat(care.get("clinicalNote").asString()).isEqualTo("orbital floor, left; theatre 3");
    assertThat(care.get("copy").asInt()).isEqualTo(2);
    assertThat(care.get("copies").asInt()).isEqualTo(3);
    assertThat(care.get("text").asString())
        .contains(care.get("serialNumber").asString(), "copy 2/3", "lot " + lot, "Phantom^Anatwin");
    JsonNode designer =
        client
            .data(client.token("designer"), label, Map.of("a", copies.get(1)))
            .get("artefact")
            .get("label");
    assertThat(designer.get("patientName").isNull()).isTrue();
    assertThat(designer.get("patientId").isNull()).isTrue();
    assertThat(designer.get("clinicalNote").asString()).isEmpty();
    assertThat(designer.get("pseudonym").asString())
        .isEqualTo(care.get("pseudonym").asString())
        .isNotBlank();
    assertThat(designer.get("text").asString())
        .contains("Pseudonym: " + care.get("pseudonym").asString())
        .doesNotContain("Phantom^Anatwin", "ANATWIN-PHANTOM-1", "orbital");

    // scans made from the design as ordered (1:4), in the scanner's frame
    String sha =
        client
            .data(quality, "query($id: ID!) { mesh(id: $id) { sha256 } }", Map.of("id", meshId))
            .get("mesh")
            .get("sha256")
            .asString();
    // a scanner's own tessellation, coarser than the design's
    TriangleMesh part =
        Modeling.simplify(
            Modeling.fromStl(storage.blobs().get(ContentHash.parse(sha))).scaled(0.25),
            120_000,
            0.02);
    System.out.println("qa: skull part of " + part.triangleCount() + " triangles");
    String good = stl(org.anatwin.model.Shapes.scanOf(part, 0.2, 0.05, 0, 11));
    String dented = stl(org.anatwin.model.Shapes.scanOf(part, 0.2, 0.05, 2.0, 12));

    assertThat(errorCode(client.post(technician, DELIVER, Map.of("a", copies.get(0)))))
        .isEqualTo("print-orders:deliver.no-qa");
    assertThat(
            GraphQlClient.errorClass(
                client.post(client.token("designer"), QA, Map.of("a", copies.get(0), "c", good))))
        .isEqualTo("FORBIDDEN");
    JsonNode passed =
        client.data(quality, QA, Map.of("a", copies.get(0), "c", good)).get("recordArtefactQa");
    System.out.println("qa: passed " + passed);
    assertThat(passed.get("state").asString()).isEqualTo("QA_PASSED");
    JsonNode qa = passed.get("qa");
    assertThat(qa.get("passed").asBoolean()).isTrue();
    assertThat(qa.get("toleranceMm").asDouble()).isEqualTo(0.5);
    assertThat(qa.get("p95Mm").asDouble()).isLessThan(0.2);
    assertThat(qa.get("largestDefectMm2").asDouble())
        .isLessThan(0.005 * qa.get("scanAreaMm2").asDouble());
    assertThat(qa.get("measuredBy").asString()).isEqualTo("demo-quality");
    var colourMap = client.get(technician, qa.get("colourMapDownload").asString());
    assertThat(colourMap.statusCode()).isEqualTo(200);
    assertThat(new String(colourMap.body(), 0, 3, StandardCharsets.US_ASCII)).isEqualTo("ply");
    assertThat(errorCode(client.post(quality, QA, Map.of("a", copies.get(0), "c", dented))))
        .isEqualTo("print-orders:qa.already-recorded");

    JsonNode failed =
        client.data(quality, QA, Map.of("a", copies.get(1), "c", dented)).get("recordArtefactQa");
    System.out.println("qa: failed " + failed);
    assertThat(failed.get("state").asString()).isEqualTo("QA_FAILED");
    assertThat(failed.get("qa").get("passed").asBoolean()).isFalse();
    // the dent is a connected patch more than twice the tolerance inside the design
    JsonNode dent = failed.get("qa");
    assertThat(dent.get("largestDefectMm2").asDouble())
        .isGreaterThan(0.005 * dent.get("scanAreaMm2").asDouble());
    assertThat(dent.get("minMm").asDouble()).isLessThan(-1.5);
    assertThat(dent.get("reason").asString()).contains("more than 1.000 mm off the design");
    assertThat(errorCode(client.post(technician, DELIVER, Map.of("a", copies.get(1)))))
        .isEqualTo("print-orders:deliver.qa-failed");
    assertThat(
            client
                .data(technician, DELIVER, Map.of("a", copies.get(0)))
                .get("deliverArtefact")
                .get("state")
                .asString())
        .isEqualTo("DELIVERED");
    assertThat(errorCode(client.post(technician, DELIVER, Map.of("a", copies.get(0)))))
        .isEqualTo("print-orders:deliver.already-delivered");
    // a scan in the wrong unit is refused before anything is measured
    assertThat(
            errorCode(
                client.post(
                    quality,
                    "mutation($a: ID!, $c: String!) { recordArtefactQa(artefactId: $a, input: {content: $c, fileName: \"scan.stl\", unit: \"CENTIMETER\"}) { id } }",
                    Map.of("a", other.get(0), "c", good))))
        .isEqualTo("print-orders:qa.size-mismatch");

    // the third copy is measured from a CT of it (0.3 mm voxels, the part at 1:4 in PLA in air)
    Path ct = tempDir("anatwin-it-qa-ct");
    new org.anatwin.ingest.SyntheticSeries(
            "qa-ct-skull-1-4", 90, 144, 169, 0.3, 113, 0.3, -21.5, -25.25, -11.6)
        .write(ct, PrintPreparationIT::printedSkullAtOneToFour);
    String ctSeries =
        ingest.importFolder(ct, new Actor("it-admin", "admin")).series().iterator().next();
    JsonNode fromCt =
        client
            .data(
                quality,
                """
                mutation($a: ID!, $s: String!) { recordArtefactQa(artefactId: $a, input: {ctSeriesUid: $s, isoHu: -425}) {
                  state qa { passed p95Mm scanVertices reason } } }""",
                Map.of("a", copies.get(2), "s", ctSeries))
            .get("recordArtefactQa");
    System.out.println("qa: from CT " + fromCt);
    assertThat(fromCt.get("state").asString()).isEqualTo("QA_PASSED");
    assertThat(fromCt.get("qa").get("p95Mm").asDouble()).isLessThan(0.3);
    assertThat(
            errorCode(
                client.post(
                    quality,
                    "mutation($a: ID!) { recordArtefactQa(artefactId: $a, input: {note: \"nothing\"}) { id } }",
                    Map.of("a", copies.get(2)))))
        .isEqualTo("print-orders:qa.input");

    JsonNode recalled = client.data(quality, RECALL, Map.of("lot", lot)).get("recall");
    assertThat(recalled.findValuesAsString("id")).containsExactlyInAnyOrderElementsOf(copies);
    assertThat(recalled.findValuesAsString("materialLot")).containsOnly(lot);
    assertThat(recalled.findValuesAsString("state"))
        .containsExactlyInAnyOrder("DELIVERED", "QA_FAILED", "QA_PASSED");
    assertThat(
            client
                .data(quality, RECALL, Map.of("lot", lot + "-B"))
                .get("recall")
                .findValuesAsString("id"))
        .containsExactlyElementsOf(other);
    assertThat(errorCode(client.post(quality, "query { recall(criteria: {}) { id } }", Map.of())))
        .isEqualTo("print-orders:recall.no-criteria");
    assertThat(GraphQlClient.errorClass(client.post(planner, RECALL, Map.of("lot", lot))))
        .isEqualTo("FORBIDDEN");
    // the lot is in the artefact's lineage, and downstream of the lot are exactly its copies
    String lotId = org.anatwin.printorders.persistence.PrintOrderRepository.lotId("PLA", lot);
    JsonNode down =
        client
            .data(
                quality,
                "query($of: ID!) { lineage(of: $of, direction: DOWNSTREAM) { nodes { id kind } } }",
                Map.of("of", lotId))
            .get("lineage");
    assertThat(down.findValuesAsString("id"))
        .containsAll(copies)
        .doesNotContainAnyElementsOf(other);
    // and downstream of the printer (an agent), every copy it made
    JsonNode byPrinter =
        client
            .data(
                quality,
                "query { lineage(of: \"printer:it-3mf\", direction: DOWNSTREAM, depth: 2) { nodes { id } } }",
                Map.of())
            .get("lineage");
    assertThat(byPrinter.findValuesAsString("id")).containsAll(copies).containsAll(other);
  }

  /**
   * An order of {@code copies} approved, prepared for the 3MF printer and printed from {@code lot}.
   */
  private java.util.List<String> printed(
      GraphQlClient client, String planner, String meshId, int copies, String lot)
      throws Exception {
    String order =
        client
            .data(
                planner,
                """
                mutation($m: [ID!]!, $n: Int) { createPrintOrder(input: {meshIds: $m, intendedUse: PLANNING, material: "PLA", scale: 0.25, copies: $n, clinicalNote: "orbital floor, left; theatre 3"}) { id } }""",
                Map.of("m", java.util.List.of(meshId), "n", copies))
            .get("createPrintOrder")
            .get("id")
            .asString();
    client.data(client.token("radiologist"), APPROVE, Map.of("id", order, "ok", true));
    String technician = client.token("technician");
    client.data(
        technician,
        "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"it-3mf\") { state } }",
        Map.of("id", order));
    JsonNode job =
        client
            .data(
                technician,
                "mutation($o: ID!, $l: String) { submitPrintJob(orderId: $o, materialLot: $l) { materialLot artefacts { id } } }",
                Map.of("o", order, "l", lot))
            .get("submitPrintJob");
    assertThat(job.get("materialLot").asString()).isEqualTo(lot);
    return job.get("artefacts").findValuesAsString("id");
  }

  /**
   * HU of a CT of the phantom's skull printed at 1:4 in PLA (150 HU) in air: the phantom's bone
   * shell scaled by 0.25, cut where the skull series (and so the model) ends.
   */
  static double printedSkullAtOneToFour(double x, double y, double z) {
    double sx = x / 0.25, sy = y / 0.25, sz = z / 0.25;
    double a = org.anatwin.ingest.internal.SyntheticPhantom.SKULL_A;
    double b = org.anatwin.ingest.internal.SyntheticPhantom.SKULL_B;
    double c = org.anatwin.ingest.internal.SyntheticPhantom.SKULL_C;
    double w = org.anatwin.ingest.internal.SyntheticPhantom.SKULL_WALL;
    boolean bone =
        ellipsoid(sx, sy, sz, a, b, c) <= 1 && ellipsoid(sx, sy, sz, a - w, b - w, c - w) > 1;
    return bone && sz >= -40.33 ? 150 : -1000;
  }

  private static double ellipsoid(double x, double y, double z, double a, double b, double c) {
    return (x * x) / (a * a) + (y * y) / (b * b) + (z * z) / (c * c);
  }

  private static String stl(TriangleMesh mesh) {
    return Base64.getEncoder().encodeToString(Modeling.toStl(mesh));
  }

  /**
   * A printer that speaks OctoPrint's REST API as documented: {@code POST /api/files/local}
   * (multipart; {@code file}, {@code select}, {@code print}; 201), {@code GET /api/job}, {@code
   * POST /api/job} cancel; every request needs {@code X-Api-Key} (403 otherwise).
   */
  static final class FakeOctoPrint implements AutoCloseable {
    private final com.sun.net.httpserver.HttpServer server;
    private final String key;
    volatile String uploadedName;
    volatile byte[] uploaded;
    volatile boolean selectAndPrint;
    volatile int refusedKeys;
    volatile int cancels;
    private volatile String state = "Operational";
    private volatile double completion;

    FakeOctoPrint(String key) throws java.io.IOException {
      this.key = key;
      server =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/api/files/local", this::upload);
      server.createContext("/api/job", this::job);
      server.start();
    }

    java.net.URI url() {
      return java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void progress(String state, double completion) {
      this.state = state;
      this.completion = completion;
    }

    private boolean authorised(com.sun.net.httpserver.HttpExchange x) throws java.io.IOException {
      if (!key.equals(x.getRequestHeaders().getFirst("X-Api-Key"))) {
        refusedKeys++;
        x.sendResponseHeaders(403, -1);
        x.close();
        return false;
      }
      return true;
    }

    private void upload(com.sun.net.httpserver.HttpExchange x) throws java.io.IOException {
      if (!authorised(x)) {
        return;
      }
      String type = x.getRequestHeaders().getFirst("Content-Type");
      String boundary = type.substring(type.indexOf("boundary=") + 9);
      byte[] body = x.getRequestBody().readAllBytes();
      String text = new String(body, StandardCharsets.ISO_8859_1);
      boolean select = false;
      boolean print = false;
      for (String part : text.split("--" + java.util.regex.Pattern.quote(boundary))) {
        int split = part.indexOf("\r\n\r\n");
        if (split < 0) {
          continue;
        }
        String head = part.substring(0, split);
        String value = part.substring(split + 4, part.length() - 2);
        if (head.contains("name=\"file\"")) {
          uploadedName = head.replaceAll("(?s).*filename=\"([^\"]+)\".*", "$1");
          uploaded = value.getBytes(StandardCharsets.ISO_8859_1);
        } else if (head.contains("name=\"select\"")) {
          select = value.equals("true");
        } else if (head.contains("name=\"print\"")) {
          print = value.equals("true");
        }
      }
      selectAndPrint = select && print;
      progress("Printing", 0);
      byte[] answer =
          ("{\"files\":{\"local\":{\"name\":\""
                  + uploadedName
                  + "\",\"origin\":\"local\"}},\"done\":true}")
              .getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/json");
      x.sendResponseHeaders(201, answer.length);
      x.getResponseBody().write(answer);
      x.close();
    }

    private void job(com.sun.net.httpserver.HttpExchange x) throws java.io.IOException {
      if (!authorised(x)) {
        return;
      }
      if (x.getRequestMethod().equals("POST")) {
        cancels++;
        progress("Cancelling", completion);
        x.sendResponseHeaders(204, -1);
        x.close();
        return;
      }
      String name = uploadedName == null ? null : "\"" + uploadedName + "\"";
      byte[] answer =
          ("{\"job\":{\"file\":{\"name\":"
                  + name
                  + ",\"origin\":\"local\"},\"estimatedPrintTime\":null},"
                  + "\"progress\":{\"completion\":"
                  + completion
                  + ",\"printTime\":0},\"state\":\""
                  + state
                  + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/json");
      x.sendResponseHeaders(200, answer.length);
      x.getResponseBody().write(answer);
      x.close();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private static String order(GraphQlClient client, String planner, String mesh, double scale)
      throws Exception {
    return client
        .data(planner, ORDER, Map.of("m", java.util.List.of(mesh), "s", scale))
        .get("createPrintOrder")
        .get("id")
        .asString();
  }

  /** The mesh's box extents, smallest first. */
  private static double[] extent(JsonNode mesh) {
    JsonNode b = mesh.get("bounds");
    double[] e = {
      b.get("maxX").asDouble() - b.get("minX").asDouble(),
      b.get("maxY").asDouble() - b.get("minY").asDouble(),
      b.get("maxZ").asDouble() - b.get("minZ").asDouble()
    };
    java.util.Arrays.sort(e);
    return e;
  }

  private static double[] centre(JsonNode mesh) {
    JsonNode b = mesh.get("bounds");
    return new double[] {
      (b.get("maxX").asDouble() + b.get("minX").asDouble()) / 2,
      (b.get("maxY").asDouble() + b.get("minY").asDouble()) / 2,
      (b.get("maxZ").asDouble() + b.get("minZ").asDouble()) / 2
    };
  }
}
