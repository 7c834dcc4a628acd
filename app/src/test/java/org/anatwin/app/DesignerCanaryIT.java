package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anatwin.ingest.Ingest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A designer never sees the patient: with canary strings as the phantom's patient name and id,
 * every read a designer can make (patients, twins, versions, meshes, lineage both ways, print
 * orders, every mesh download with its headers) and every log line written meanwhile is free of
 * them; the same reads by a planner do show them (so the check can fail).
 */
@ExtendWith(OutputCaptureExtension.class)
class DesignerCanaryIT extends ServiceIT {
  static final int PATIENT = 7171;
  static final List<String> CANARIES = List.of("Patient" + PATIENT, "PHANTOM-" + PATIENT);

  @LocalServerPort int port;

  @Test
  void noCanaryReachesADesigner(CapturedOutput output) throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String designer = client.token("designer");
    Path phantom = Files.createTempDirectory("anatwin-canary-phantom");
    Ingest.writePhantom(phantom, PATIENT);
    String series = client.importFolder(phantom.resolve("femur"));
    JsonNode version =
        client
            .data(
                planner,
                "mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s}) { id twinId structures { mesh { id } } } }",
                Map.of("s", series))
            .get("buildTwinVersion");
    String twin = version.get("twinId").asString();
    String mesh = version.get("structures").get(0).get("mesh").get("id").asString();
    String patientKey =
        client
            .data(planner, "query($t: ID!) { twin(id: $t) { patient { id } } }", Map.of("t", twin))
            .get("twin")
            .get("patient")
            .get("id")
            .asString();
    String instance =
        client
            .data(
                planner,
                "query($m: ID!) { lineage(of: $m, direction: UPSTREAM) { nodes { id kind } } }",
                Map.of("m", mesh))
            .get("lineage")
            .get("nodes")
            .valueStream()
            .filter(n -> n.get("kind").asString().equals("Instance"))
            .findFirst()
            .orElseThrow()
            .get("id")
            .asString();

    String patientFields = "id pseudonym name patientId birthDate";
    List<String> reads =
        List.of(
            "{ patients(first: 100) { edges { node { " + patientFields + " } } } }",
            "{ patient(id: \""
                + patientKey
                + "\") { "
                + patientFields
                + " studies { uid description series { uid description modality } } twins { id } } }",
            "{ series(uid: \"" + series + "\") { uid description modality } }",
            "{ twin(id: \""
                + twin
                + "\") { id patient { "
                + patientFields
                + " } versions(first: 5) { nodes { id number sourceSeries { uid description } structures { name mesh { id algorithm frameOfReferenceUid download } } } } } }",
            "{ mesh(id: \"" + mesh + "\") { id structure algorithm frameOfReferenceUid sha256 } }",
            "{ lineage(of: \""
                + mesh
                + "\", direction: UPSTREAM) { nodes { id kind label properties { name value } } edges { from to relation } } }",
            "{ lineage(of: \""
                + instance
                + "\", direction: DOWNSTREAM) { nodes { id kind label properties { name value } } } }");
    int before = output.length();
    List<String> designerSaw = new ArrayList<>();
    for (String query : reads) {
      designerSaw.add(client.data(designer, query, Map.of()).toString());
    }
    JsonNode order =
        client
            .data(
                designer,
                "mutation($m: ID!) { createPrintOrder(input: {meshIds: [$m], intendedUse: IMPLANT_TRIAL, material: \"PA12\", clinicalNote: \"fit check\"}) { id } }",
                Map.of("m", mesh))
            .get("createPrintOrder");
    designerSaw.add(
        client
            .data(
                designer,
                "query($o: ID!) { printOrder(id: $o) { id state meshes { id } events { type actor detail } } }",
                Map.of("o", order.get("id").asString()))
            .toString());
    for (String format : List.of("stl", "obj", "ply", "3mf")) {
      HttpResponse<byte[]> file = client.get(designer, "/files/meshes/" + mesh + "." + format);
      assertThat(file.statusCode()).as(format).isEqualTo(200);
      designerSaw.add(new String(file.body(), StandardCharsets.ISO_8859_1));
      designerSaw.add(file.headers().map().toString());
    }
    assertThat(client.get(designer, "/files/meshes/" + mesh + ".dcm").statusCode()).isEqualTo(403);
    String logged = output.toString().substring(before);

    for (String canary : CANARIES) {
      for (String seen : designerSaw) {
        assertThat(seen).doesNotContainIgnoringCase(canary);
      }
      assertThat(logged)
          .as("log lines written for the designer")
          .doesNotContainIgnoringCase(canary);
    }
    // the control: the planner's answers to the same reads carry the patient
    String plannerSaw = client.data(planner, reads.get(1), Map.of()).toString();
    assertThat(plannerSaw).contains(CANARIES.get(0)).contains(CANARIES.get(1));
  }
}
