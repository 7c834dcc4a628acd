package org.anatwin.app;

import static org.anatwin.app.GraphQlClient.errorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.Actor;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Bad input and forbidden steps are refused with a stable code and leave nothing half-written; PHI
 * stays hidden from designers; the audit chain detects an altered event. Runs on the project's
 * synthetic phantom.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RejectionsIT extends ServiceIT {
  private static final Path PHANTOM = tempDir("anatwin-it-phantom");

  @LocalServerPort int port;
  @Autowired Ingest ingest;
  @Autowired Storage storage;
  @Autowired org.anatwin.audit.AuditLog auditLog;
  @Autowired org.anatwin.printorders.PrintOrders printOrders;

  GraphQlClient client;
  String femurSeries;
  String meshId;

  @BeforeAll
  void buildPhantomTwin() throws Exception {
    client = new GraphQlClient(port);
    Ingest.writePhantom(PHANTOM);
    ImportReport report =
        ingest.importFolder(PHANTOM.resolve("femur"), new Actor("it-admin", "admin"));
    assertThat(report.rejected()).isEmpty();
    femurSeries = report.series().iterator().next();
    // the phantom's bone is 1200 HU in 40 HU soft tissue: the surface at the half-way value (620
    // HU)
    // is the bone's boundary; a lower threshold puts the iso-surface outside it, as on a scanner
    JsonNode version =
        client
            .data(
                client.token("planner"),
                """
        mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: "femur", minimumHu: 620}]}) {
          structures { mesh { id volume qa { watertight shells } } } } }""",
                Map.of("s", femurSeries))
            .get("buildTwinVersion");
    meshId = version.get("structures").get(0).get("mesh").get("id").asString();
  }

  @Test
  void theFemurMeshKeepsItsMarrowCavityAndHasTheVolumeOfTheBone() throws Exception {
    JsonNode mesh =
        client
            .data(
                client.token("planner"),
                "query($id: ID!) { mesh(id: $id) { volume qa { watertight shells } } }",
                Map.of("id", meshId))
            .get("mesh");
    // outer radius 14 mm and length 100 mm, closed marrow cavity of radius 8 mm and length 80 mm
    double expected = Math.PI * (14 * 14 * 100 - 8 * 8 * 80);
    assertThat(mesh.get("volume").asDouble()).isBetween(expected * 0.97, expected * 1.03);
    assertThat(mesh.get("qa").get("watertight").asBoolean()).isTrue();
    assertThat(mesh.get("qa").get("shells").asInt())
        .as("outer surface and the cavity's wall")
        .isEqualTo(2);
  }

  /** The download path GraphQL gives for the mesh in a format. */
  private String downloadPath(String token, String format) throws Exception {
    return client
        .data(
            token,
            "query($id: ID!, $format: MeshFormat) { mesh(id: $id) { download(format: $format) } }",
            Map.of("id", meshId, "format", format))
        .get("mesh")
        .get("download")
        .asString();
  }

  @Test
  void theMeshDownloadsAsThreeMfObjAndPlyWithoutPatientData() throws Exception {
    String planner = client.token("planner");
    String path = downloadPath(planner, "THREE_MF");
    assertThat(path).endsWith(".3mf");
    var threeMf = client.get(planner, path);
    assertThat(threeMf.statusCode()).isEqualTo(200);
    assertThat(threeMf.headers().firstValue("Content-Type")).contains("model/3mf");
    String model;
    try (var zip =
        new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(threeMf.body()))) {
      var entry = zip.getNextEntry();
      while (entry != null && !entry.getName().equals("3D/3dmodel.model")) {
        entry = zip.getNextEntry();
      }
      assertThat(entry).isNotNull();
      model = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertThat(model)
        .contains("unit=\"millimeter\"")
        .contains(meshId)
        .doesNotContain("Phantom")
        .doesNotContain("ANATWIN-PHANTOM");
    assertThat(client.get(planner, "/files/meshes/" + meshId + ".obj").statusCode()).isEqualTo(200);
    assertThat(
            new String(
                client.get(planner, "/files/meshes/" + meshId + ".ply").body(),
                0,
                3,
                java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("ply");
    assertThat(client.get(planner, "/files/meshes/" + meshId + ".exe").statusCode()).isEqualTo(404);
  }

  @Test
  void theMeshDownloadsAsDicomEncapsulatedStlForPlannersButNotForDesigners() throws Exception {
    String planner = client.token("planner");
    String path = downloadPath(planner, "DICOM_STL");
    assertThat(path).endsWith(".dcm");
    var dicom = client.get(planner, path);
    assertThat(dicom.statusCode()).isEqualTo(200);
    assertThat(dicom.headers().firstValue("Content-Type")).contains("application/dicom");
    Path file = tempDir("anatwin-it-dicom-stl").resolve("mesh.dcm");
    Files.write(file, dicom.body());
    Process check =
        new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
    String report =
        new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(check.waitFor(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
    assertThat(report.lines().filter(l -> l.startsWith("Error"))).as(report).isEmpty();
    com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
    list.read(file.toFile());
    var sources =
        (com.pixelmed.dicom.SequenceAttribute)
            list.get(new com.pixelmed.dicom.AttributeTag(0x0042, 0x0013));
    long femurSlices;
    try (var files = Files.list(PHANTOM.resolve("femur"))) {
      femurSlices = files.count();
    }
    assertThat(sources.getNumberOfItems()).as("source instances").isEqualTo((int) femurSlices);
    assertThat(
            com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
                list, com.pixelmed.dicom.TagFromName.PatientID))
        .isNotEmpty();
    assertThat(client.get(planner, path).body())
        .as("same bytes every time")
        .isEqualTo(dicom.body());
    assertThat(client.get(client.token("designer"), path).statusCode()).isEqualTo(403);

    // the same mesh as Encapsulated OBJ: its own file name, SOP class and instance UID
    String objPath = downloadPath(planner, "DICOM_OBJ");
    assertThat(objPath).endsWith(".obj.dcm");
    var obj = client.get(planner, objPath);
    assertThat(obj.statusCode()).isEqualTo(200);
    com.pixelmed.dicom.AttributeList objList = new com.pixelmed.dicom.AttributeList();
    objList.read(
        new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(obj.body())));
    assertThat(
            com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
                objList, com.pixelmed.dicom.TagFromName.SOPClassUID))
        .isEqualTo(org.anatwin.modeling.DicomModels.ENCAPSULATED_OBJ);
    assertThat(
            com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
                objList, com.pixelmed.dicom.TagFromName.SOPInstanceUID))
        .isNotEqualTo(
            com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
                list, com.pixelmed.dicom.TagFromName.SOPInstanceUID));
    assertThat(client.get(client.token("designer"), objPath).statusCode()).isEqualTo(403);
  }

  @Test
  void theAsciiStlCarriesTheSameTrianglesAsTheBinaryStl() throws Exception {
    String planner = client.token("planner");
    String path = downloadPath(planner, "STL_ASCII");
    assertThat(path).endsWith(".ascii.stl");
    String ascii =
        new String(client.get(planner, path).body(), java.nio.charset.StandardCharsets.US_ASCII);
    byte[] binary = client.get(planner, "/files/meshes/" + meshId + ".stl").body();
    int triangles =
        java.nio.ByteBuffer.wrap(binary, 80, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    assertThat(ascii).startsWith("solid anatwin").endsWith("endsolid anatwin\n");
    assertThat(ascii.lines().filter(l -> l.strip().startsWith("facet normal")).count())
        .isEqualTo(triangles);
    String[] firstVertex =
        ascii
            .lines()
            .filter(l -> l.strip().startsWith("vertex"))
            .findFirst()
            .orElseThrow()
            .strip()
            .split(" ");
    var buffer = java.nio.ByteBuffer.wrap(binary).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int a = 0; a < 3; a++) {
      assertThat(Float.parseFloat(firstVertex[1 + a])).isEqualTo(buffer.getFloat(84 + 12 + 4 * a));
    }
  }

  @Test
  void aSecondDatasetUnderAStoredSopInstanceUidIsRefusedAndTheOriginalKept() throws Exception {
    Path original = Files.list(PHANTOM.resolve("femur")).sorted().findFirst().orElseThrow();
    byte[] bytes = Files.readAllBytes(original);
    byte[] altered = bytes.clone();
    altered[altered.length - 1] ^= 0x01; // one pixel differs
    Path folder = tempDir("anatwin-it-conflict");
    Files.write(folder.resolve("altered.dcm"), altered);
    Files.writeString(folder.resolve("notes.txt"), "not a DICOM file");
    long blobsBefore = blobCount();

    ImportReport report = ingest.importFolder(folder, new Actor("it-admin", "admin"));

    assertThat(report.stored()).isZero();
    assertThat(report.rejected())
        .extracting(ImportReport.Rejection::file, ImportReport.Rejection::code)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("altered.dcm", "ingest:instance.conflict"),
            org.assertj.core.groups.Tuple.tuple("notes.txt", "ingest:file.not-dicom"));
    assertThat(blobCount()).as("only the quarantined bytes").isEqualTo(blobsBefore + 1);
    String alteredHash = org.anatwin.model.ContentHash.of(altered).hex();
    long quarantined =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            "MATCH (q:Quarantined {sha256: $h}) RETURN count(q)",
                            java.util.Map.of("h", alteredHash))
                        .single()
                        .get(0)
                        .asLong());
    assertThat(quarantined).isEqualTo(1);
    ImportReport again =
        ingest.importFolder(PHANTOM.resolve("femur"), new Actor("it-admin", "admin"));
    assertThat(again.duplicates()).isEqualTo(again.duplicates() + again.stored()).isPositive();
  }

  @Test
  void importingAFolderThatDoesNotExistIsRefused() {
    assertThatThrownBy(
            () ->
                ingest.importFolder(
                    Path.of("/nonexistent/anatwin"), new Actor("it-admin", "admin")))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:import.not-a-folder"));
  }

  @Test
  void theWrongRoleIsForbiddenAndNobodyApprovesTheirOwnOrder() throws Exception {
    String planner = client.token("planner");
    String order = createOrder(planner);
    assertThat(errorOf(planner, approve(order))).isEqualTo("FORBIDDEN");
    assertThat(errorOf(client.token("designer"), "{ auditEvents { edges { cursor } } }"))
        .isEqualTo("FORBIDDEN");

    // an approval is a radiologist's signature: no admin stand-in
    String admin = client.token("admin");
    assertThat(errorOf(admin, approve(order))).isEqualTo("FORBIDDEN");
    // someone who both plans and reads images may not sign their own order
    String both = MintedTokens.mint(HOME, "dr-both", "planner", "radiologist");
    String own = createOrder(both);
    JsonNode refused = client.post(both, approve(own), Map.of()).body();
    assertThat(refused.get("errors").get(0).get("extensions").get("code").asString())
        .isEqualTo("print-orders:approval.own-order");
    JsonNode state =
        client
            .data(
                admin,
                "query($id: ID!) { printOrder(id: $id) { state events { type } } }",
                Map.of("id", own))
            .get("printOrder");
    assertThat(state.get("state").asString()).isEqualTo("SUBMITTED");
    assertThat(state.get("events")).hasSize(1);
  }

  @Test
  void anOrderCannotBePreparedOrPrintedBeforeItIsApproved() throws Exception {
    String order = createOrder(client.token("planner"));
    String technician = client.token("technician");
    JsonNode prepare =
        client
            .post(
                technician,
                "mutation { preparePrintOrder(id: \""
                    + order
                    + "\", printerId: \"simulated-fdm-1\") { state } }",
                Map.of())
            .body();
    assertThat(prepare.get("errors").get(0).get("extensions").get("code").asString())
        .isEqualTo("print-orders:prepare.unapproved");
    JsonNode submit =
        client
            .post(
                technician,
                "mutation { submitPrintJob(orderId: \"" + order + "\") { state } }",
                Map.of())
            .body();
    assertThat(submit.get("errors").get(0).get("extensions").get("code").asString())
        .isEqualTo("print-orders:order.illegal-transition");
  }

  @Test
  void eachRequestThatReturnsPatientDataIsAuditedExactlyOnce() throws Exception {
    String phiReads = "MATCH (e:AuditEvent {action: 'phi.read'}) RETURN count(e)";
    String planner = client.token("planner");
    long before = count(phiReads);
    JsonNode patients =
        client
            .data(
                planner,
                "{ patients(search: \"PHANTOM\") { edges { node { id name patientId birthDate } } } }",
                Map.of())
            .get("patients");
    assertThat(patients.findValuesAsString("patientId")).isNotEmpty();
    assertThat(count(phiReads)).isEqualTo(before + 1);
    var last =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            "MATCH (e:AuditEvent {action: 'phi.read'}) RETURN e.actor AS actor, e.subjects AS subjects ORDER BY e.seq DESC LIMIT 1")
                        .single());
    assertThat(last.get("actor").asString()).isEqualTo("demo-planner");
    assertThat(last.get("subjects").asList(org.neo4j.driver.Value::asString))
        .containsAll(patients.findValuesAsString("id"));
    // no patient data asked for, or none returned (a designer): nothing to audit
    client.data(
        planner, "{ patients(search: \"PHANTOM\") { edges { node { pseudonym } } } }", Map.of());
    client.data(
        client.token("designer"),
        "{ patients(search: \"PHANTOM\") { edges { node { pseudonym name patientId } } } }",
        Map.of());
    assertThat(count(phiReads)).isEqualTo(before + 1);
  }

  @Test
  void anOperationWhoseAuditEventCannotBeWrittenFailsAndChangesNothing() throws Exception {
    org.anatwin.model.AuditSink broken =
        e -> {
          throw new IllegalStateException("the audit log is unavailable");
        };
    var orders =
        new org.anatwin.printorders.PrintOrders(
            storage, broken, java.time.Clock.systemUTC(), tempDir("anatwin-it-no-audit"), null);
    long before = count("MATCH (o:PrintOrder) RETURN count(o)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                orders.create(
                    java.util.List.of(meshId),
                    org.anatwin.printorders.IntendedUse.EDUCATION,
                    "PLA",
                    1,
                    1,
                    "",
                    null,
                    new Actor("it-planner", "planner")))
        .hasMessageContaining("audit log is unavailable");
    assertThat(count("MATCH (o:PrintOrder) RETURN count(o)")).isEqualTo(before);

    String order = createOrder(client.token("planner"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                orders.decide(
                    org.anatwin.model.PrintOrderId.parse(order),
                    new org.anatwin.printorders.Decision(true, "approved", "ok"),
                    new Actor("it-radiologist", "radiologist")))
        .hasMessageContaining("audit log is unavailable");
    JsonNode unchanged =
        client
            .data(
                client.token("planner"),
                "query($id: ID!) { printOrder(id: $id) { state events { type } } }",
                Map.of("id", order))
            .get("printOrder");
    assertThat(unchanged.get("state").asString()).isEqualTo("SUBMITTED");
    assertThat(unchanged.get("events")).hasSize(1);
    assertThat(count("MATCH (a:Approval {orderId: '" + order + "'}) RETURN count(a)")).isZero();

    // a version build and a tag: refused with the audit log, nothing of them in the graph
    var twins =
        new org.anatwin.versioning.Twins(storage, ingest, broken, java.time.Clock.systemUTC());
    var plans =
        new org.anatwin.versioning.TwinPlans(
            twins, storage, broken, java.time.Clock.systemUTC(), v -> {});
    long versions = count("MATCH (v:TwinVersion) RETURN count(v)");
    long activities = count("MATCH (a:Activity) RETURN count(a)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                twins.buildVersion(
                    org.anatwin.model.SeriesInstanceUid.of(femurSeries),
                    java.util.List.of(new org.anatwin.versioning.StructureSpec("bone", 300, 3000)),
                    new Actor("it-planner", "planner")))
        .hasMessageContaining("audit log is unavailable");
    assertThat(count("MATCH (v:TwinVersion) RETURN count(v)")).isEqualTo(versions);
    assertThat(count("MATCH (a:Activity) RETURN count(a)")).isEqualTo(activities);
    String version =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            "MATCH (v:TwinVersion)-[:HAS_STRUCTURE]->()-[:HAS_MESH]->(:Mesh {id: $m}) RETURN v.id",
                            Map.of("m", meshId))
                        .list()
                        .getFirst()
                        .get(0)
                        .asString());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                plans.tag(
                    org.anatwin.model.TwinVersionId.parse(version),
                    "never-tagged",
                    "",
                    new Actor("it-planner", "planner")))
        .hasMessageContaining("audit log is unavailable");
    assertThat(count("MATCH (t:Tag {name: 'never-tagged'}) RETURN count(t)")).isZero();

    // a received instance: refused with the audit log (the sender gets a failure, not a
    // success), no Instance, no receipt
    Path phantom = tempDir("anatwin-it-no-audit-phantom");
    org.anatwin.ingest.Ingest.writePhantom(phantom, 5151);
    Path file;
    try (var files = java.nio.file.Files.list(phantom.resolve("femur"))) {
      file = files.sorted().findFirst().orElseThrow();
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(file);
    var unaudited =
        new org.anatwin.ingest.Ingest(
            storage,
            broken,
            org.anatwin.ingest.Ingest.Limits.defaults(),
            java.time.Clock.systemUTC());
    long instances = count("MATCH (i:Instance) RETURN count(i)");
    long receipts = count("MATCH (a:Activity) RETURN count(a)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> unaudited.receive(bytes, new Actor("it-scanner", "admin"), "it"))
        .hasMessageContaining("audit log is unavailable");
    assertThat(count("MATCH (i:Instance) RETURN count(i)")).isEqualTo(instances);
    assertThat(count("MATCH (a:Activity) RETURN count(a)")).isEqualTo(receipts);
    // with the audit log, the same instance is stored, and its event names it
    var receipt = ingest.receive(bytes, new Actor("it-scanner", "admin"), "it");
    assertThat(
            count(
                "MATCH (e:AuditEvent {action: 'dicom.store'}) WHERE '"
                    + receipt.sopInstanceUid()
                    + "' IN [s IN e.subjects | replace(s, 'instance:', '')] RETURN count(e)"))
        .isEqualTo(1);
  }

  private long count(String cypher) {
    return storage.graph().read(tx -> tx.run(cypher).single().get(0).asLong());
  }

  @Test
  void aPrinterTakesOnlyItsMaterialsAndTheRegistryShowsWhatItBuilds() throws Exception {
    printOrders.register(
        new org.anatwin.printorders.PrinterConfig(
            new org.anatwin.printorders.Printer("it-resin", "SLA printer", "SLA", "folder"),
            new org.anatwin.printorders.preparation.Preparer.Bed(145, 145, 185, 30, null),
            org.anatwin.printorders.Technology.SLA.minWallMm(),
            java.util.List.of("Resin Grey"),
            new org.anatwin.printorders.printer.FolderPrinter(tempDir("anatwin-it-resin"))));
    JsonNode printers =
        client
            .data(
                client.token("technician"),
                "{ printers { id technology buildVolumeMm minWallMm materials sliced } }",
                Map.of())
            .get("printers");
    JsonNode simulated = null;
    JsonNode resin = null;
    for (JsonNode p : printers) {
      if (p.get("id").asString().equals("simulated-fdm-1")) {
        simulated = p;
      } else if (p.get("id").asString().equals("it-resin")) {
        resin = p;
      }
    }
    assertThat(simulated.get("buildVolumeMm").toString()).isEqualTo("[235.0,235.0,250.0]");
    assertThat(simulated.get("minWallMm").asDouble()).isEqualTo(0.8);
    assertThat(simulated.get("sliced").asBoolean()).isTrue();
    assertThat(resin.get("technology").asString()).isEqualTo("SLA");
    assertThat(resin.get("materials").toString()).isEqualTo("[\"Resin Grey\"]");
    assertThat(resin.get("sliced").asBoolean()).isFalse();
    String order = createOrder(client.token("planner"));
    client.data(client.token("radiologist"), approve(order), Map.of());
    assertThat(
            errorCode(
                client.post(
                    client.token("technician"),
                    "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"it-resin\") { state } }",
                    Map.of("id", order))))
        .isEqualTo("print-orders:prepare.material");
  }

  @Test
  void anOrderSaysWhenItIsDueAndNeverInThePast() throws Exception {
    String planner = client.token("planner");
    String order =
        "mutation($m: ID!, $d: String) { createPrintOrder(input: {meshIds: [$m], intendedUse: PLANNING, material: \"PLA\", dueBy: $d}) { dueBy } }";
    String due = java.time.Instant.now().plus(java.time.Duration.ofDays(2)).toString();
    assertThat(
            client
                .data(planner, order, Map.of("m", meshId, "d", due))
                .get("createPrintOrder")
                .get("dueBy")
                .asString())
        .isEqualTo(java.time.Instant.parse(due).toString());
    assertThat(
            errorCode(
                client.post(planner, order, Map.of("m", meshId, "d", "2020-01-01T00:00:00Z"))))
        .isEqualTo("print-orders:order.due");
    assertThat(errorCode(client.post(planner, order, Map.of("m", meshId, "d", "tomorrow"))))
        .isEqualTo("print-orders:order.due");
  }

  @Test
  void aCancelledOrderStaysCancelled() throws Exception {
    String planner = client.token("planner");
    String order = createOrder(planner);
    String cancel =
        "mutation($id: ID!, $r: String!) { cancelPrintOrder(id: $id, reason: $r) { state events { type detail } } }";
    assertThat(errorCode(client.post(planner, cancel, Map.of("id", order, "r", " "))))
        .isEqualTo("print-orders:cancel.reason");
    JsonNode cancelled =
        client
            .data(planner, cancel, Map.of("id", order, "r", "surgery moved"))
            .get("cancelPrintOrder");
    assertThat(cancelled.get("state").asString()).isEqualTo("CANCELLED");
    assertThat(cancelled.get("events").findValuesAsString("detail")).contains("surgery moved");
    assertThat(errorCode(client.post(planner, cancel, Map.of("id", order, "r", "again"))))
        .isEqualTo("print-orders:order.illegal-transition");
    assertThat(errorCode(client.post(client.token("radiologist"), approve(order), Map.of())))
        .isEqualTo("print-orders:approval.not-pending");
  }

  @Test
  void anOrderNeverMixesTwoPatientsMeshes() throws Exception {
    Path other = PHANTOM.resolveSibling(PHANTOM.getFileName() + "-patient-2");
    Ingest.writePhantom(other, 2);
    String series =
        ingest
            .importFolder(other.resolve("femur"), new Actor("it-admin", "admin"))
            .series()
            .iterator()
            .next();
    String otherMesh =
        client
            .data(
                client.token("planner"),
                """
        mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: "femur", minimumHu: 620}]}) { structures { mesh { id } } } }""",
                Map.of("s", series))
            .get("buildTwinVersion")
            .findValuesAsString("id")
            .getFirst();
    assertThat(otherMesh).isNotEqualTo(meshId);
    assertThat(
            errorCode(
                client.post(
                    client.token("planner"),
                    "mutation($m: [ID!]!) { createPrintOrder(input: {meshIds: $m, intendedUse: EDUCATION, material: \"PLA\"}) { id } }",
                    Map.of("m", java.util.List.of(meshId, otherMesh)))))
        .isEqualTo("print-orders:order.mixed-patients");
  }

  @Test
  void aRejectedOrUnsignedSegmentationIsNeverPrepared() throws Exception {
    String version =
        client
            .data(
                client.token("planner"),
                """
        mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: "femur", minimumHu: 620}]}) { id segmentationState } }""",
                Map.of("s", femurSeries))
            .get("buildTwinVersion")
            .get("id")
            .asString();
    String radiologist = client.token("radiologist");
    String sign =
        """
        mutation($v: ID!, $ok: Boolean!, $m: String!) { approveSegmentation(versionId: $v, decision: {approved: $ok, meaning: $m, reason: "cortex leaks into the joint"}) { segmentationState } }""";
    assertThat(
            errorCode(client.post(radiologist, sign, Map.of("v", version, "ok", false, "m", " "))))
        .isEqualTo("versioning:segmentation.signature");
    assertThat(
            client
                .data(radiologist, sign, Map.of("v", version, "ok", false, "m", "rejected"))
                .get("approveSegmentation")
                .get("segmentationState")
                .asString())
        .isEqualTo("REJECTED");
    assertThat(
            errorCode(
                client.post(radiologist, sign, Map.of("v", version, "ok", true, "m", "approved"))))
        .isEqualTo("versioning:segmentation.decided");
    assertThat(
            errorCode(
                client.post(
                    radiologist,
                    sign,
                    Map.of("v", "twin-version-nope", "ok", true, "m", "approved"))))
        .isEqualTo("versioning:version.unknown");
    String order = createOrder(client.token("planner"));
    client.data(radiologist, approve(order), Map.of());
    assertThat(
            errorCode(
                client.post(
                    client.token("technician"),
                    "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"simulated-fdm-1\") { state } }",
                    Map.of("id", order))))
        .isEqualTo("print-orders:prepare.segmentation-unapproved");
  }

  @Test
  void designersSeeThePseudonymAndNoPatientData() throws Exception {
    String query =
        "{ patients(search: \"PHANTOM\") { edges { node { pseudonym name patientId birthDate } } } }";
    // the phantom patient of this test class (other tests of the JVM add phantoms of their own)
    JsonNode asPlanner =
        client
            .data(client.token("planner"), query, Map.of())
            .get("patients")
            .get("edges")
            .valueStream()
            .map(e -> e.get("node"))
            .filter(n -> n.get("name").asString().equals("Phantom^Anatwin"))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("the phantom patient Phantom^Anatwin is not found"));
    // designers find patients by pseudonym only: a name or id search is no oracle for them
    String designer = client.token("designer");
    assertThat(client.data(designer, query, Map.of()).get("patients").get("edges").size()).isZero();
    JsonNode asDesigner =
        client
            .data(
                designer,
                query.replace("\"PHANTOM\"", "\"" + asPlanner.get("pseudonym").asString() + "\""),
                Map.of())
            .get("patients")
            .get("edges")
            .get(0)
            .get("node");
    assertThat(asDesigner.get("name").isNull()).isTrue();
    assertThat(asDesigner.get("patientId").isNull()).isTrue();
    assertThat(asDesigner.get("birthDate").isNull()).isTrue();
    assertThat(asDesigner.get("pseudonym").asString())
        .isEqualTo(asPlanner.get("pseudonym").asString())
        .startsWith("ANON-");
  }

  @Test
  void theAuditChainVerifiesAndDetectsAnAlteredEvent() throws Exception {
    String quality = client.token("quality");
    JsonNode before =
        client
            .data(quality, "{ verifyAuditLog { valid events firstInvalidSequence } }", Map.of())
            .get("verifyAuditLog");
    assertThat(before.get("valid").asBoolean()).isTrue();
    assertThat(before.get("events").asInt()).isPositive();
    String detail =
        storage
            .graph()
            .write(
                tx ->
                    tx.run(
                            "MATCH (e:AuditEvent {seq: 1}) WITH e, e.detail AS old SET e.detail = 'rewritten' RETURN old")
                        .single()
                        .get("old")
                        .asString());
    try {
      JsonNode after =
          client
              .data(quality, "{ verifyAuditLog { valid firstInvalidSequence } }", Map.of())
              .get("verifyAuditLog");
      assertThat(after.get("valid").asBoolean()).isFalse();
      assertThat(after.get("firstInvalidSequence").asInt()).isEqualTo(1);
    } finally {
      storage
          .graph()
          .write(
              tx ->
                  tx.run("MATCH (e:AuditEvent {seq: 1}) SET e.detail = $d", Map.of("d", detail))
                      .consume());
    }
    // a signed checkpoint, and proofs from the service checked against it with nothing but RFC 9162
    org.anatwin.audit.Checkpoint checkpoint = auditLog.checkpoint();
    JsonNode inclusion =
        client
            .data(
                quality,
                "query($n: Int) { auditInclusionProof(sequence: 1, treeSize: $n) { leafHash treeSize rootHash path } }",
                Map.of("n", (int) checkpoint.size()))
            .get("auditInclusionProof");
    assertThat(inclusion.get("rootHash").asString()).isEqualTo(checkpoint.rootHash());
    java.util.HexFormat hex = java.util.HexFormat.of();
    assertThat(
            org.anatwin.audit.merkle.MerkleTree.verifyInclusion(
                hex.parseHex(inclusion.get("leafHash").asString()),
                0,
                checkpoint.size(),
                inclusion.get("path").valueStream().map(p -> hex.parseHex(p.asString())).toList(),
                hex.parseHex(checkpoint.rootHash())))
        .isTrue();
    JsonNode consistency =
        client
            .data(
                quality,
                "query($m: Int!) { auditConsistencyProof(from: $m) { treeSize rootHash path } }",
                Map.of("m", (int) checkpoint.size()))
            .get("auditConsistencyProof");
    assertThat(consistency.get("treeSize").asLong()).isGreaterThan(checkpoint.size());
    assertThat(
            org.anatwin.audit.merkle.MerkleTree.verifyConsistency(
                checkpoint.size(),
                consistency.get("treeSize").asLong(),
                hex.parseHex(checkpoint.rootHash()),
                hex.parseHex(consistency.get("rootHash").asString()),
                consistency
                    .get("path")
                    .valueStream()
                    .map(p -> hex.parseHex(p.asString()))
                    .toList()))
        .isTrue();
    // an attacker who edits an event and its stored leaf is caught by the signed checkpoint
    String leaf =
        storage
            .graph()
            .read(
                tx ->
                    tx.run("MATCH (e:AuditEvent {seq: 1}) RETURN e.leafHash AS h")
                        .single()
                        .get("h")
                        .asString());
    var first = auditLog.events(null, 2L, 1).getFirst();
    var forged =
        new org.anatwin.model.AuditEvent(
            first.event().time(),
            first.event().actor(),
            first.event().role(),
            first.event().action(),
            first.event().outcome(),
            first.event().subjects(),
            "rewritten");
    storage
        .graph()
        .write(
            tx ->
                tx.run(
                        "MATCH (e:AuditEvent {seq: 1}) SET e.detail = 'rewritten', e.leafHash = $h",
                        Map.of("h", hex.formatHex(org.anatwin.audit.AuditLog.leaf(1, forged))))
                    .consume());
    try {
      JsonNode caught =
          client
              .data(quality, "{ verifyAuditLog { valid firstInvalidSequence problem } }", Map.of())
              .get("verifyAuditLog");
      assertThat(caught.get("valid").asBoolean()).isFalse();
      assertThat(caught.get("firstInvalidSequence").asInt()).isEqualTo(1);
      assertThat(caught.get("problem").asString()).contains("checkpoint");
    } finally {
      storage
          .graph()
          .write(
              tx ->
                  tx.run(
                          "MATCH (e:AuditEvent {seq: 1}) SET e.detail = $d, e.leafHash = $h",
                          Map.of("d", detail, "h", leaf))
                      .consume());
    }
    assertThat(
            client
                .data(quality, "{ verifyAuditLog { valid checkpoints } }", Map.of())
                .get("verifyAuditLog")
                .get("valid")
                .asBoolean())
        .isTrue();
    JsonNode events =
        client
            .data(
                quality,
                "query($s: ID) { auditEvents(subject: $s, first: 5) { edges { node { action actor outcome } } } }",
                Map.of("s", meshIdOrder()))
            .get("auditEvents")
            .get("edges");
    assertThat(events.findValuesAsString("action")).isNotEmpty();
  }

  private String meshIdOrder() throws Exception {
    return createOrder(client.token("planner"));
  }

  private String createOrder(String token) throws Exception {
    return client
        .data(
            token,
            "mutation($m: ID!) { createPrintOrder(input: {meshIds: [$m], intendedUse: EDUCATION, material: \"PLA\"}) { id } }",
            Map.of("m", meshId))
        .get("createPrintOrder")
        .get("id")
        .asString();
  }

  private static String approve(String order) {
    return "mutation { approvePrintOrder(id: \""
        + order
        + "\", decision: {approved: true, meaning: \"approved\", reason: \"ok\"}) { state } }";
  }

  private String errorOf(String token, String query) throws Exception {
    JsonNode body = client.post(token, query, Map.of()).body();
    return body.get("errors").get(0).get("extensions").get("classification").asString();
  }

  private long blobCount() throws Exception {
    try (var files = Files.walk(HOME.resolve("blobs").resolve("sha256"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
