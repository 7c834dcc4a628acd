package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.ContentHash;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The viewer in headless Chromium (Debian's, driven by playwright-core from {@code web/e2e}),
 * signed in through the embedded issuer's login form as each demo user. What the browser showed is
 * compared with what the API answers: the planner's twin page draws the mesh and lists the API's
 * versions (and, live from the subscription, the one built from the page), the diff legend's
 * maximum is the API's Hausdorff distance, the artefact's lineage page counts the API's source
 * instances, a designer's pages hold no canary PHI (which the planner's do show), and the
 * radiologist's click in the print queue approves the order in the API.
 */
class ViewerIT extends ServiceIT {
  static final int PATIENT = 7272;
  static final List<String> CANARIES = List.of("Patient" + PATIENT, "PHANTOM-" + PATIENT);

  @LocalServerPort int port;
  @Autowired Storage storage;

  @Test
  void theViewerShowsWhatTheApiAnswersToEachRole() throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String radiologist = client.token("radiologist");
    String technician = client.token("technician");
    String quality = client.token("quality");

    Path phantom = Files.createTempDirectory("anatwin-viewer-phantom");
    Ingest.writePhantom(phantom, PATIENT);
    String series = client.importFolder(phantom.resolve("skull"));
    String build =
        "mutation($s: String!, $hu: Int!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: \"bone\", minimumHu: $hu}]}) { id twinId structures { mesh { id } } } }";
    JsonNode first =
        client.data(planner, build, Map.of("s", series, "hu", 300)).get("buildTwinVersion");
    // a second version at a denser bone threshold: its surface lies inside the first one's
    JsonNode second =
        client.data(planner, build, Map.of("s", series, "hu", 700)).get("buildTwinVersion");
    String twin = first.get("twinId").asString();
    String firstMesh = first.get("structures").get(0).get("mesh").get("id").asString();
    String secondMesh = second.get("structures").get(0).get("mesh").get("id").asString();

    // the first version printed (the walking skeleton's path), the second waiting for approval
    String createOrder =
        "mutation($m: ID!) { createPrintOrder(input: {meshIds: [$m], intendedUse: EDUCATION, material: \"PLA\", scale: 0.5}) { id } }";
    String printed =
        client
            .data(planner, createOrder, Map.of("m", firstMesh))
            .get("createPrintOrder")
            .get("id")
            .asString();
    client.data(
        radiologist,
        "mutation($id: ID!) { approvePrintOrder(id: $id, decision: {approved: true, meaning: \"approved for printing\", reason: \"teaching model\"}) { state } }",
        Map.of("id", printed));
    client.data(
        radiologist,
        "mutation($v: ID!) { approveSegmentation(versionId: $v, decision: {approved: true, meaning: \"segmentation approved\", reason: \"bone contour checked\"}) { segmentationState } }",
        Map.of("v", first.get("id").asString()));
    client.data(
        technician,
        "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"simulated-fdm-1\") { state } }",
        Map.of("id", printed));
    String artefact =
        client
            .data(
                technician,
                "mutation($id: ID!) { submitPrintJob(orderId: $id) { artefacts { id } } }",
                Map.of("id", printed))
            .get("submitPrintJob")
            .get("artefacts")
            .get(0)
            .get("id")
            .asString();
    // the printed copy measured: a scanner's coarser tessellation of the part as printed (1:2)
    TriangleMesh part =
        Modeling.simplify(
            Modeling.fromStl(
                    storage
                        .blobs()
                        .get(
                            ContentHash.parse(
                                client
                                    .data(
                                        quality,
                                        "query($m: ID!) { mesh(id: $m) { sha256 } }",
                                        Map.of("m", firstMesh))
                                    .get("mesh")
                                    .get("sha256")
                                    .asString())))
                .scaled(0.5),
            60_000,
            0.02);
    String scan =
        Base64.getEncoder()
            .encodeToString(Modeling.toStl(org.anatwin.model.Shapes.scanOf(part, 0.2, 0.05, 0, 7)));
    JsonNode qa =
        client
            .data(
                quality,
                "mutation($a: ID!, $c: String!) { recordArtefactQa(artefactId: $a, input: {content: $c, fileName: \"scan.stl\"}) { qa { passed p95Mm } } }",
                Map.of("a", artefact, "c", scan))
            .get("recordArtefactQa")
            .get("qa");
    String waiting =
        client
            .data(planner, createOrder, Map.of("m", secondMesh))
            .get("createPrintOrder")
            .get("id")
            .asString();

    // the queue the viewer reads: an order without a printer or QA yet answers null for them
    JsonNode queue =
        client
            .data(
                radiologist,
                "{ printOrders(states: [SUBMITTED]) { id state printer { id } jobs { artefacts { qa { passed } } } } }",
                Map.of())
            .get("printOrders");
    assertThat(queue.findValuesAsString("id")).contains(waiting).doesNotContain(printed);
    assertThat(queue.findValuesAsString("state")).containsOnly("SUBMITTED");
    assertThat(queue.get(0).get("printer").isNull()).isTrue();

    JsonNode seen =
        ViewerScript.run(
            Map.of(
                "baseUrl", "http://127.0.0.1:" + port,
                "twinId", twin,
                "olderVersionId", first.get("id").asString(),
                "artefactId", artefact,
                "orderId", waiting,
                "printedOrderId", printed,
                "canaries", CANARIES));

    assertThat(seen.get("pageErrors").size()).as("script errors in the page: %s", seen).isZero();
    // the mesh is drawn: more than 2 % of the canvas is not background (0 % when blank)
    assertThat(seen.get("meshDrawnFraction").asDouble()).isGreaterThan(0.02);
    assertThat(seen.get("diffDrawnFraction").asDouble()).isGreaterThan(0.02);
    // the structure hidden: nothing drawn but the two measured points and their line; cut halfway
    // up by an axial plane: its lower part only
    assertThat(seen.get("hiddenDrawnFraction").asDouble()).isLessThan(0.01);
    assertThat(seen.get("sectionDrawnFraction").asDouble())
        .isGreaterThan(0.02)
        .isLessThan(0.9 * seen.get("meshDrawnFraction").asDouble());
    // the timeline before and after the planner built a version in the page: the API's versions
    List<Integer> apiVersions =
        numbers(
            client
                .data(
                    planner,
                    "query($t: ID!) { twin(id: $t) { versions(first: 100) { nodes { number } } } }",
                    Map.of("t", twin))
                .get("twin")
                .get("versions")
                .get("nodes")
                .findValues("number"));
    assertThat(apiVersions).hasSize(3);
    assertThat(numbers(seen.get("timeline").values())).isEqualTo(apiVersions.subList(0, 2));
    assertThat(seen.get("buildProgressShown").asBoolean()).isTrue();
    assertThat(numbers(seen.get("timelineAfterBuild").values())).isEqualTo(apiVersions);

    double hausdorff =
        client
            .data(
                planner,
                "query($v: ID!, $w: ID!) { twinVersion(id: $v) { diff(against: $w) { hausdorffMm } } }",
                Map.of("v", second.get("id").asString(), "w", first.get("id").asString()))
            .get("twinVersion")
            .get("diff")
            .get(0)
            .get("hausdorffMm")
            .asDouble();
    assertThat(hausdorff).isGreaterThan(0.1);
    assertThat(seen.get("legendMax").asDouble()).isCloseTo(hausdorff, within(1e-9));
    assertThat(seen.get("legendMaxText").asString())
        .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", hausdorff));
    // two points picked on the skull: a distance in mm inside the phantom's size
    assertThat(seen.get("measurement").asString()).matches("\\d+\\.\\d\\d mm");
    assertThat(Double.parseDouble(seen.get("measurement").asString().replace(" mm", "")))
        .isBetween(0.5, 400.0);

    long instances =
        client
            .data(
                quality,
                "query($a: ID!) { lineage(of: $a) { nodes { kind } } }",
                Map.of("a", artefact))
            .get("lineage")
            .get("nodes")
            .valueStream()
            .filter(n -> n.get("kind").asString().equals("Instance"))
            .count();
    assertThat(instances).isPositive();
    assertThat(seen.get("lineageInstances").asLong()).isEqualTo(instances);
    // a refused token ends the session in the page, which offers to sign in again
    assertThat(seen.get("refusedTokenAlert").asString()).contains("sign in again");
    assertThat(seen.get("signInOffered").asInt()).isEqualTo(1);
    // alike instances are drawn as one box, not one each
    assertThat(seen.get("lineageNodesDrawn").asLong()).isPositive().isLessThan(instances);

    assertThat(seen.get("designerPages").asInt()).isEqualTo(4);
    assertThat(seen.get("designerCanaries").size()).as("canaries in the designer's pages").isZero();
    assertThat(seen.get("plannerCanaries").size()).as("the planner sees the patient").isPositive();

    assertThat(seen.get("approvedBadge").asString()).isEqualTo("APPROVED");
    // the printed copy's QA as the API recorded it, and its deviation map drawn
    assertThat(seen.get("qaText").asString())
        .contains(qa.get("passed").asBoolean() ? "QA passed" : "QA failed")
        .contains(String.format(java.util.Locale.ROOT, "p95 %.2f mm", qa.get("p95Mm").asDouble()));
    assertThat(seen.get("deviationMapDrawnFraction").asDouble()).isGreaterThan(0.02);
    JsonNode order =
        client
            .data(
                planner,
                "query($o: ID!) { printOrder(id: $o) { state events { type actor role } } }",
                Map.of("o", waiting))
            .get("printOrder");
    assertThat(order.get("state").asString()).isEqualTo("APPROVED");
    assertThat(order.get("events").findValuesAsString("actor")).contains("demo-radiologist");
  }

  /**
   * The browser's subscriptions carry the token in the WebSocket handshake's query (browsers cannot
   * set headers there); nowhere else is a token in the query accepted, and a forged one opens no
   * socket.
   */
  @Test
  void aTokenInTheQueryOpensOnlyTheSubscriptionHandshake() throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String twin =
        client
            .data(planner, "{ twins(first: 1) { nodes { id } } }", Map.of())
            .get("twins")
            .get("nodes")
            .valueStream()
            .findFirst()
            .map(t -> t.get("id").asString())
            .orElse("twin-none");
    java.util.concurrent.BlockingQueue<JsonNode> received =
        new java.util.concurrent.LinkedBlockingQueue<>();
    String subscription = "subscription($t: ID!) { twinVersions(twinId: $t) { id } }";
    java.net.http.WebSocket socket =
        client.subscribe(planner, true, subscription, Map.of("t", twin), received);
    socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get();

    String forged = planner.substring(0, planner.length() - 4) + "AAAA";
    Throwable refused =
        catchThrowable(
            () -> client.subscribe(forged, true, subscription, Map.of("t", twin), received));
    assertThat(refused).hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class);
    assertThat(
            ((java.net.http.WebSocketHandshakeException) refused.getCause())
                .getResponse()
                .statusCode())
        .isEqualTo(401);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String query = "?access_token=" + planner;
    for (String path : List.of("/graphql", "/files/meshes/none.stl")) {
      int status =
          http.send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + port + path + query))
                      .GET()
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.discarding())
              .statusCode();
      assertThat(status).as(path).isEqualTo(401);
    }
  }

  static List<Integer> numbers(Iterable<JsonNode> values) {
    List<Integer> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asInt()));
    return out;
  }
}
