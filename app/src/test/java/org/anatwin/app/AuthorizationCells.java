package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.anatwin.api.Access;
import org.anatwin.api.AccessControl;
import org.junit.jupiter.api.DynamicTest;
import tools.jackson.databind.JsonNode;

/**
 * One test per cell of the authorization matrix ({@link Access}): for every rule and every role, a
 * request that the rule guards, expected to pass authorization where the matrix says yes (the
 * request then reaches its resolver or handler, which answers with data or a domain error such as
 * an unknown id) and to be refused where it says no; and, for a token holding none of the roles,
 * 403 on every endpoint. The same cells run against the embedded issuer and against Keycloak.
 */
final class AuthorizationCells {
  /** A request guarded by a rule; {@code phiGated} when it also needs patient identity. */
  record Sample(String graphql, String method, String path, String body, boolean phiGated) {
    static Sample graphql(String query) {
      return new Sample(query, "POST", "/graphql", "", false);
    }

    static Sample http(String method, String path, String body, boolean phiGated) {
      return new Sample("", method, path, body, phiGated);
    }
  }

  /** A sample request for every rule but the PHI rule (which needs data: tested on its own). */
  static final Map<String, Sample> SAMPLES = new LinkedHashMap<>();

  static {
    q("Query.about", "{ about { name } }");
    q("Query.twins", "{ twins(first: 1) { nodes { id } } }");
    q("Query.twin", "{ twin(id: \"twin-none\") { id } }");
    q("Query.twinVersion", "{ twinVersion(id: \"twin-version-none\") { id } }");
    q("Query.mesh", "{ mesh(id: \"mesh-none\") { id } }");
    q("Query.patients", "{ patients(first: 1) { edges { cursor } } }");
    q("Query.patient", "{ patient(id: \"patient-none\") { id } }");
    q("Query.series", "{ series(uid: \"1.2.3.4\") { uid } }");
    q("Query.lineage", "{ lineage(of: \"entity-none\") { nodes { id } } }");
    q("Query.printOrder", "{ printOrder(id: \"print-order-none\") { id } }");
    q("Query.artefact", "{ artefact(id: \"artefact-none\") { id } }");
    q("Query.printOrders", "{ printOrders(first: 1) { id } }");
    q("Query.printers", "{ printers { id } }");
    q("Query.recall", "{ recall(criteria: {printerId: \"printer-none\"}) { id } }");
    q("Query.auditEvents", "{ auditEvents(first: 1) { edges { cursor } } }");
    q("Query.verifyAuditLog", "{ verifyAuditLog { valid } }");
    q("Query.auditInclusionProof", "{ auditInclusionProof(sequence: 999999999) { rootHash } }");
    q("Query.auditConsistencyProof", "{ auditConsistencyProof(from: 999999999) { rootHash } }");
    q("Query.auditCheckpoints", "{ auditCheckpoints(last: 1) { size } }");
    q("Query.reproduce", "{ reproduce(entity: \"entity-none\") { matched } }");
    q("Query.segmentationModels", "{ segmentationModels { key } }");
    q(
        "Mutation.correctSegmentation",
        "mutation { correctSegmentation(versionId: \"twin-version-none\", reason: \"leak\") { id } }");
    q(
        "Mutation.proposeTwinVersion",
        "mutation { proposeTwinVersion(seriesUid: \"1.2.3.4\", model: \"anatwin-bone@1\") { id } }");
    q(
        "Mutation.importFolder",
        "mutation { importFolder(path: \"/nonexistent/anatwin\") { stored } }");
    q(
        "Mutation.sendSeries",
        "mutation { sendSeries(uid: \"1.2.3.4\", destination: \"none\") { sent } }");
    q(
        "Mutation.buildTwinVersion",
        "mutation { buildTwinVersion(input: {seriesUid: \"1.2.3.4\"}) { id } }");
    q(
        "Mutation.acceptRegistration",
        "mutation { acceptRegistration(versionId: \"twin-version-none\", structure: \"bone\", reason: \"checked the overlay\") { id } }");
    q(
        "Mutation.approveSegmentation",
        "mutation { approveSegmentation(versionId: \"twin-version-none\", decision: {approved: true, meaning: \"approved\", reason: \"checked every slice\"}) { id } }");
    q(
        "Mutation.createBranch",
        "mutation { createBranch(fromVersionId: \"twin-version-none\", name: \"plan-b\") { name } }");
    q(
        "Mutation.tagVersion",
        "mutation { tagVersion(versionId: \"twin-version-none\", tag: \"pre-op\") { id } }");
    q(
        "Mutation.uploadDesign",
        "mutation { uploadDesign(input: {versionId: \"twin-version-none\", name: \"guide\", kind: GUIDE, content: \"AAAA\"}) { id } }");
    q(
        "Mutation.addAnnotation",
        "mutation { addAnnotation(input: {versionId: \"twin-version-none\", kind: NOTE, label: \"note\"}) { id } }");
    q(
        "Mutation.registerWithLandmarks",
        "mutation { registerWithLandmarks(versionId: \"twin-version-none\", structure: \"bone\") { id } }");
    q(
        "Mutation.createPrintOrder",
        "mutation { createPrintOrder(input: {meshIds: [\"mesh-none\"], intendedUse: PLANNING, material: \"PLA\"}) { id } }");
    q(
        "Mutation.approvePrintOrder",
        "mutation { approvePrintOrder(id: \"print-order-none\", decision: {approved: true, meaning: \"approved\", reason: \"checked the model\"}) { id } }");
    q(
        "Mutation.preparePrintOrder",
        "mutation { preparePrintOrder(id: \"print-order-none\", printerId: \"printer-none\") { id } }");
    q(
        "Mutation.submitPrintJob",
        "mutation { submitPrintJob(orderId: \"print-order-none\") { id } }");
    q(
        "Mutation.recordArtefactQa",
        "mutation { recordArtefactQa(artefactId: \"artefact-none\", input: {ctSeriesUid: \"1.2.3.4\"}) { id } }");
    q(
        "Mutation.cancelPrintOrder",
        "mutation { cancelPrintOrder(id: \"print-order-none\", reason: \"duplicate order\") { id } }");
    q(
        "Mutation.deliverArtefact",
        "mutation { deliverArtefact(artefactId: \"artefact-none\", recipient: \"ward 3\") { id } }");
    q(
        "Mutation.reidentify",
        "mutation { reidentify(pseudonym: \"ANON-NONE\", reason: \"complaint investigation\") { patient } }");
    q("Subscription.twinVersions", "subscription { twinVersions(twinId: \"twin-none\") { id } }");
    q(
        "Subscription.printJobEvents",
        "subscription { printJobEvents(orderId: \"print-order-none\") { seq } }");
    q("LineageGraph.fhirProvenance", "{ lineage(of: \"entity-none\") { fhirProvenance } }");
    h("POST /api/import", "POST", "/api/import", "{\"path\":\"/nonexistent/anatwin\"}", false);
    h("POST /api/models", "POST", "/api/models", "", false);
    h("POST /dicomweb/studies", "POST", "/dicomweb/studies", "", false);
    h("GET /files/meshes/{file}", "GET", "/files/meshes/mesh-none.stl", "", false);
    h("GET /files/diffs/**", "GET", "/files/diffs/v-none/v-none/bone.ply", "", false);
    h("GET /files/registrations/**", "GET", "/files/registrations/v-none/bone.dcm", "", true);
    h("GET /files/preparations/**", "GET", "/files/preparations/o-none/model.gcode", "", false);
    h("GET /files/artefacts/**", "GET", "/files/artefacts/a-none/qa.ply", "", false);
    h("POST /graphql", "POST", "/graphql", "{\"query\":\"{ about { name } }\"}", false);
    h("GET /graphql", "GET", "/graphql", "", false);
  }

  private static void q(String rule, String query) {
    SAMPLES.put(rule, Sample.graphql(query));
  }

  private static void h(String rule, String method, String path, String body, boolean phiGated) {
    SAMPLES.put(rule, Sample.http(method, path, body, phiGated));
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final GraphQlClient client;
  private final Function<Access.Role, String> tokens;
  private final String noRoles;

  /**
   * @param tokens a token holding exactly one role
   * @param noRoles a valid token holding none of the system's roles
   */
  AuthorizationCells(
      int port, GraphQlClient client, Function<Access.Role, String> tokens, String noRoles) {
    this.base = "http://127.0.0.1:" + port;
    this.client = client;
    this.tokens = tokens;
    this.noRoles = noRoles;
  }

  /** Every rule has a sample (a rule added without one fails here). */
  static void assertComplete() {
    Set<String> named = new java.util.TreeSet<>();
    Access.rules().stream()
        .filter(r -> r.kind() != Access.Kind.PHI)
        .forEach(r -> named.add(r.name()));
    assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(named);
  }

  /** One dynamic test per cell, plus one per endpoint for the token without roles. */
  List<DynamicTest> cells() {
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(
        DynamicTest.dynamicTest("every rule has a sample", AuthorizationCells::assertComplete));
    for (Access.Rule rule : Access.rules()) {
      Sample sample = SAMPLES.get(rule.name());
      if (sample == null) {
        continue;
      }
      for (Access.Role role : Access.Role.values()) {
        boolean allowed =
            rule.allows(EnumSet.of(role))
                && (!sample.phiGated() || Access.seesPatientIdentity(EnumSet.of(role)));
        tests.add(
            DynamicTest.dynamicTest(
                rule.name() + " x " + role + (allowed ? " allowed" : " denied"),
                () -> check(rule, sample, tokens.apply(role), allowed)));
      }
      tests.add(
          DynamicTest.dynamicTest(
              rule.name() + " x no role: 403",
              () -> assertThat(send(sample, noRoles).statusCode()).isEqualTo(403)));
    }
    return tests;
  }

  private void check(Access.Rule rule, Sample sample, String token, boolean allowed)
      throws Exception {
    if (rule.kind() == Access.Kind.SUBSCRIPTION) {
      JsonNode error = subscriptionError(token, sample.graphql());
      String code = error.path("extensions").path("code").asString();
      if (allowed) {
        assertThat(code).as(error.toString()).endsWith(".unknown");
      } else {
        assertThat(code).as(error.toString()).isEqualTo(AccessControl.FORBIDDEN);
        assertThat(error.path("extensions").path("classification").asString())
            .isEqualTo("FORBIDDEN");
      }
      return;
    }
    HttpResponse<String> r = send(sample, token);
    if (!sample.graphql().isEmpty()) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = GraphQlClient.readJson(r.body());
      JsonNode first = body.path("errors").path(0);
      String code = first.path("extensions").path("code").asString();
      String classification = first.path("extensions").path("classification").asString();
      if (allowed) {
        // authorized: the resolver ran and answered (data, or a domain error with its code)
        assertThat(code).as(r.body()).isNotEqualTo(AccessControl.FORBIDDEN);
        assertThat(classification)
            .as(r.body())
            .isNotIn("FORBIDDEN", "UNAUTHORIZED", "ValidationError", "InvalidSyntax");
        assertThat(body.path("data").isNull() && first.isMissingNode()).isFalse();
      } else {
        assertThat(code).as(r.body()).isEqualTo(AccessControl.FORBIDDEN);
        assertThat(classification).isEqualTo("FORBIDDEN");
        assertThat(body.path("data").isMissingNode() || body.path("data").isNull())
            .as("nothing answered")
            .isTrue();
      }
    } else if (allowed) {
      // authorized: the handler answered (a 4xx for the unknown id, never a server error)
      assertThat(r.statusCode())
          .as(sample.path() + " " + r.body())
          .isNotIn(401, 403)
          .isLessThan(500);
    } else {
      assertThat(r.statusCode()).as(sample.path()).isEqualTo(403);
    }
  }

  HttpResponse<String> send(Sample sample, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + sample.path()))
            .header("Authorization", "Bearer " + token);
    if (sample.method().equals("GET")) {
      request.GET();
    } else {
      String body =
          sample.graphql().isEmpty()
              ? sample.body()
              : GraphQlClient.writeJson(Map.of("query", sample.graphql()));
      String type =
          sample.path().startsWith("/dicomweb")
              ? "multipart/related; type=\"application/dicom\"; boundary=none"
              : "application/json";
      request.header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The first error a subscription answers with, within 30 s. */
  private JsonNode subscriptionError(String token, String query) throws Exception {
    BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    var socket = client.subscribe(token, query, Map.of(), received);
    try {
      JsonNode message = received.poll(30, TimeUnit.SECONDS);
      assertThat(message).as("an answer to " + query).isNotNull();
      // refused before execution: an error message, or a result carrying only errors
      JsonNode errors =
          message.path("type").asString().equals("error")
              ? message.path("payload")
              : message.path("payload").path("errors");
      assertThat(
              message.path("payload").path("data").isMissingNode()
                  || message.path("payload").path("data").isNull())
          .as(message.toString())
          .isTrue();
      assertThat(errors.size()).as(message.toString()).isPositive();
      return errors.path(0);
    } finally {
      socket.abort();
    }
  }
}
