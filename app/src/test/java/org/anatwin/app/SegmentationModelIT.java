package org.anatwin.app;

import static org.anatwin.app.GraphQlClient.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.ContentHash;
import org.anatwin.modeling.SegmentationModel;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The model registry over HTTP and GraphQL, and the radiologist's gate on a model's proposal: the
 * shipped model is registered at start; a package that is not a clean zip, a corrupt network or a
 * descriptor that does not fit it is refused with its code and stores nothing; a name@version is
 * one model forever. A proposal is PROPOSED, cannot be prepared for printing until a radiologist
 * approves it, and its lineage names the model's ONNX hash; proposal and approval are audited.
 */
class SegmentationModelIT extends ServiceIT {
  private static final String PROPOSE =
      """
      mutation($s: ID!, $m: String!) { proposeTwinVersion(seriesUid: $s, model: $m) { id author segmentationState structures { name mesh { id } } } }""";

  @Autowired Ingest ingest;
  @Autowired Storage storage;
  @LocalServerPort int port;
  private final HttpClient http = HttpClient.newHttpClient();
  private GraphQlClient client;
  private String admin;

  @BeforeEach
  void clients() throws Exception {
    client = new GraphQlClient(port);
    admin = client.token("admin");
  }

  @Test
  void theShippedModelIsRegisteredAtStartAndPackagesAreCheckedBeforeAnythingIsStored()
      throws Exception {
    String onnxSha256 = ContentHash.of(SegmentationModel.bundledOnnx()).hex();
    JsonNode listed =
        client
            .data(
                client.token("designer"),
                "{ segmentationModels { key modality labels onnxSha256 registeredBy } }",
                Map.of())
            .get("segmentationModels");
    JsonNode bone = find(listed, "anatwin-bone@1");
    assertThat(bone.get("onnxSha256").asString()).isEqualTo(onnxSha256);
    assertThat(bone.get("modality").asString()).isEqualTo("CT");
    assertThat(bone.get("labels").get(0).asString()).isEqualTo("1 bone");

    byte[] onnx = SegmentationModel.bundledOnnx();
    String descriptor = new String(SegmentationModel.bundledDescriptor(), StandardCharsets.UTF_8);
    long models = count("MATCH (m:SegmentationModel) RETURN count(m)");
    long nodes = count("MATCH (n) RETURN count(n)");

    // the same files again: accepted as they are (200), nothing new
    HttpResponse<String> again =
        upload(admin, zip("model.onnx", onnx, "descriptor.json", bytes(descriptor)));
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    // refusals: 4xx with their code, nothing stored
    String other = descriptor.replace("\"version\": \"1\"", "\"version\": \"1-it\"");
    Map<String, byte[]> refused = new LinkedHashMap<>();
    refused.put(
        "modeling:model.onnx",
        zip("model.onnx", Arrays.copyOf(onnx, onnx.length / 2), "descriptor.json", bytes(other)));
    refused.put(
        "modeling:model.shape",
        zip(
            "model.onnx",
            onnx,
            "descriptor.json",
            bytes(other.replace("\"patch\": [96, 96, 48]", "\"patch\": [64, 64, 32]"))));
    refused.put(
        "modeling:model.descriptor",
        zip("model.onnx", onnx, "descriptor.json", bytes("{\"name\": 1}")));
    refused.put("api:model.package", bytes("not a zip at all"));
    refused.put(
        "api:model.package ",
        zip("model.onnx", onnx, "descriptor.json", bytes(other), "extra.txt", bytes("x")));
    refused.put("api:model.package  ", zip("descriptor.json", bytes(other)));
    for (var entry : refused.entrySet()) {
      HttpResponse<String> r = upload(admin, entry.getValue());
      assertThat(r.statusCode()).as(entry.getKey() + " " + r.body()).isEqualTo(400);
      assertThat(GraphQlClient.readJson(r.body()).get("code").asString())
          .isEqualTo(entry.getKey().strip());
    }
    HttpResponse<String> conflict =
        upload(
            admin,
            zip(
                "model.onnx",
                onnx,
                "descriptor.json",
                bytes(descriptor.replace("trained by", "made by"))));
    assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
    assertThat(GraphQlClient.readJson(conflict.body()).get("code").asString())
        .isEqualTo("versioning:model.conflict");
    assertThat(count("MATCH (m:SegmentationModel) RETURN count(m)")).isEqualTo(models);
    assertThat(count("MATCH (n) RETURN count(n)")).isEqualTo(nodes);
    // only admins register
    assertThat(
            upload(
                    client.token("radiologist"),
                    zip("model.onnx", onnx, "descriptor.json", bytes(other)))
                .statusCode())
        .isEqualTo(403);

    // a new version of the model under its own name@version: 201, listed
    HttpResponse<String> created =
        upload(admin, zip("model.onnx", onnx, "descriptor.json", bytes(other)));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(GraphQlClient.readJson(created.body()).get("key").asString())
        .isEqualTo("anatwin-bone@1-it");
    assertThat(count("MATCH (m:SegmentationModel) RETURN count(m)")).isEqualTo(models + 1);
  }

  @Test
  void aProposalWaitsForTheRadiologistAndItsLineageNamesTheModel() throws Exception {
    String series = skullSeries(61);
    String planner = client.token("planner");
    String radiologist = client.token("radiologist");

    // a model that does not suit the series, an unknown model, an unknown series: refused
    assertThat(errorCode(client.post(planner, PROPOSE, Map.of("s", series, "m", "no-such@1"))))
        .isEqualTo("versioning:model.unknown");
    assertThat(
            errorCode(
                client.post(
                    planner,
                    PROPOSE,
                    Map.of("s", "1.2.826.0.1.3680043.10.0", "m", "anatwin-bone@1"))))
        .isEqualTo("ingest:series.unknown");
    String mr =
        new String(SegmentationModel.bundledDescriptor(), StandardCharsets.UTF_8)
            .replace("\"modality\": \"CT\"", "\"modality\": \"MR\"")
            .replace("\"version\": \"1\"", "\"version\": \"1-mr\"");
    assertThat(
            upload(
                    admin,
                    zip("m.onnx", SegmentationModel.bundledOnnx(), "descriptor.json", bytes(mr)))
                .statusCode())
        .isIn(200, 201);
    assertThat(
            errorCode(client.post(planner, PROPOSE, Map.of("s", series, "m", "anatwin-bone@1-mr"))))
        .isEqualTo("modeling:model.modality");

    JsonNode version =
        client
            .data(planner, PROPOSE, Map.of("s", series, "m", "anatwin-bone@1"))
            .get("proposeTwinVersion");
    assertThat(version.get("segmentationState").asString()).isEqualTo("PROPOSED");
    assertThat(version.get("structures").findValuesAsString("name")).containsExactly("bone");
    String versionId = version.get("id").asString();
    String meshId = version.get("structures").get(0).get("mesh").get("id").asString();

    // lineage: mesh <- label map <- (volume, model with its ONNX hash)
    JsonNode nodes =
        client
            .data(
                client.token("quality"),
                "query($m: ID!) { lineage(of: $m, direction: UPSTREAM) { nodes { id kind properties { name value } } } }",
                Map.of("m", meshId))
            .get("lineage")
            .get("nodes");
    JsonNode model = null;
    for (JsonNode n : nodes) {
      if (n.get("kind").asString().contains("SegmentationModel")) {
        model = n;
      }
    }
    assertThat(model).as("the model in the mesh's lineage: " + nodes).isNotNull();
    assertThat(model.toString())
        .contains(ContentHash.of(SegmentationModel.bundledOnnx()).hex())
        .contains("anatwin-bone@1");
    assertThat(nodes.toString())
        .contains("anatwin.segmentation.onnx")
        .contains("software:anatwin-bone/1");

    // re-derivable: the network re-run from its stored blobs gives the same label map and mesh
    JsonNode reproduced =
        client
            .data(
                client.token("quality"),
                "query($m: ID!) { reproduce(entity: $m) { matched steps { algorithm status note } } }",
                Map.of("m", meshId))
            .get("reproduce");
    assertThat(reproduced.get("matched").asBoolean()).as(reproduced.toString()).isTrue();
    Map<String, String> statuses = new LinkedHashMap<>();
    for (JsonNode step : reproduced.get("steps")) {
      statuses.put(step.get("algorithm").asString(), step.get("status").asString());
    }
    assertThat(statuses)
        .containsEntry("anatwin.segmentation.onnx", "MATCHED")
        .containsEntry("anatwin.surface.vtk-flying-edges", "MATCHED");

    // not printable until a radiologist approves the proposal
    String order =
        client
            .data(
                planner,
                """
                mutation($m: [ID!]!) { createPrintOrder(input: {meshIds: $m, intendedUse: EDUCATION, material: "PLA", scale: 0.25}) { id } }""",
                Map.of("m", List.of(meshId)))
            .get("createPrintOrder")
            .get("id")
            .asString();
    client.data(
        radiologist,
        """
        mutation($id: ID!) { approvePrintOrder(id: $id, decision: {approved: true, meaning: "approved for printing", reason: "teaching model"}) { state } }""",
        Map.of("id", order));
    String technician = client.token("technician");
    String prepare =
        "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"simulated-fdm-1\") { state } }";
    assertThat(errorCode(client.post(technician, prepare, Map.of("id", order))))
        .isEqualTo("print-orders:prepare.segmentation-unapproved");

    JsonNode approved =
        client
            .data(
                radiologist,
                """
                mutation($v: ID!) { approveSegmentation(versionId: $v, decision: {approved: true, meaning: "segmentation approved", reason: "model proposal checked slice by slice"}) { segmentationState } }""",
                Map.of("v", versionId))
            .get("approveSegmentation");
    assertThat(approved.get("segmentationState").asString()).isEqualTo("APPROVED");
    assertThat(
            client
                .data(technician, prepare, Map.of("id", order))
                .get("preparePrintOrder")
                .get("state")
                .asString())
        .isEqualTo("PREPARED");

    JsonNode events =
        client
            .data(
                client.token("quality"),
                "query($s: ID) { auditEvents(subject: $s, first: 20) { edges { node { action actor outcome detail } } } }",
                Map.of("s", versionId))
            .get("auditEvents")
            .get("edges");
    List<String> actions = events.findValuesAsString("action");
    assertThat(actions).contains("twin.propose-version", "twin.approve-segmentation");
    assertThat(events.toString())
        .contains("onnxSha256=" + ContentHash.of(SegmentationModel.bundledOnnx()).hex());
  }

  @Test
  void aRadiologistCorrectsAProposalWithThresholdsAndSignsTheCorrection() throws Exception {
    String series = skullSeries(64);
    String radiologist = client.token("radiologist");
    String proposal =
        client
            .data(client.token("planner"), PROPOSE, Map.of("s", series, "m", "anatwin-bone@1"))
            .get("proposeTwinVersion")
            .get("id")
            .asString();
    String correct =
        """
        mutation($v: ID!, $r: String!) { correctSegmentation(versionId: $v, structures: [{name: "bone", minimumHu: 250}], reason: $r) { id author segmentationState parent { id } structures { name mesh { id } } } }""";
    assertThat(errorCode(client.post(radiologist, correct, Map.of("v", proposal, "r", " "))))
        .isEqualTo("versioning:segmentation.signature");

    JsonNode corrected =
        client
            .data(
                radiologist,
                correct,
                Map.of("v", proposal, "r", "the thin orbital walls are missing"))
            .get("correctSegmentation");
    assertThat(corrected.get("segmentationState").asString()).isEqualTo("APPROVED");
    assertThat(corrected.get("parent").get("id").asString()).isEqualTo(proposal);
    assertThat(corrected.get("author").asString()).contains("radiologist");
    JsonNode before =
        client
            .data(
                radiologist,
                "query($v: ID!) { twinVersion(id: $v) { segmentationState segmentationReview { approved reason by } } }",
                Map.of("v", proposal))
            .get("twinVersion");
    assertThat(before.get("segmentationState").asString()).isEqualTo("REJECTED");
    assertThat(before.get("segmentationReview").get("reason").asString())
        .contains("thin orbital walls")
        .contains("corrected in version");
    assertThat(
            errorCode(client.post(radiologist, correct, Map.of("v", proposal, "r", "once more"))))
        .isEqualTo("versioning:segmentation.decided");

    // the correction's mesh comes from the threshold, not from the model
    String lineage =
        client
            .data(
                client.token("quality"),
                "query($m: ID!) { lineage(of: $m, direction: UPSTREAM) { nodes { kind label } } }",
                Map.of("m", corrected.get("structures").get(0).get("mesh").get("id").asString()))
            .get("lineage")
            .toString();
    assertThat(lineage).contains("anatwin.threshold").doesNotContain("SegmentationModel");
    JsonNode events =
        client
            .data(
                client.token("quality"),
                "query($s: ID) { auditEvents(subject: $s, first: 20) { edges { node { action } } } }",
                Map.of("s", proposal))
            .get("auditEvents")
            .get("edges");
    assertThat(events.findValuesAsString("action")).contains("twin.correct-segmentation");
  }

  /** Imports the synthetic phantom of a patient of its own; returns its skull series' UID. */
  private String skullSeries(int patient) {
    Path phantom = tempDir("anatwin-it-models-" + patient);
    Ingest.writePhantom(phantom, patient);
    return ingest
        .importFolder(phantom.resolve("skull"), new Actor("it-admin", "admin"))
        .series()
        .iterator()
        .next();
  }

  private static JsonNode find(JsonNode list, String key) {
    for (JsonNode n : list) {
      if (n.get("key").asString().equals(key)) {
        return n;
      }
    }
    throw new AssertionError(key + " is not in " + list);
  }

  private long count(String cypher) {
    return storage.graph().read(tx -> tx.run(cypher).single().get(0).asLong());
  }

  private HttpResponse<String> upload(String token, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/models"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/zip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A zip of name/content pairs. */
  private static byte[] zip(Object... entries) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (int i = 0; i < entries.length; i += 2) {
        zip.putNextEntry(new ZipEntry((String) entries[i]));
        zip.write((byte[]) entries[i + 1]);
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
