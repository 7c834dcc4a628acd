package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.anatwin.api.Access;
import org.anatwin.ingest.Ingest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The authorization matrix against the embedded issuer: every cell allowed and denied, a token
 * without roles refused everywhere, expired and foreign tokens 401, patient identity by role, and
 * break-glass re-identification.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixIT extends ServiceIT {
  /** The phantom patient of this test: its name and id are canaries. */
  static final int PATIENT = 4242;

  static final String CANARY_NAME = "Phantom^Patient" + PATIENT;
  static final String CANARY_ID = "ANATWIN-PHANTOM-" + PATIENT;

  @LocalServerPort int port;
  GraphQlClient client;
  final Map<Access.Role, String> tokens = new EnumMap<>(Access.Role.class);
  String pseudonym;

  @BeforeAll
  void setUp() throws Exception {
    client = new GraphQlClient(port);
    for (Access.Role role : Access.Role.values()) {
      tokens.put(role, client.token(role.name()));
    }
    Path phantom = Files.createTempDirectory("anatwin-matrix-phantom");
    Ingest.writePhantom(phantom, PATIENT);
    client.data(
        tokens.get(Access.Role.admin),
        "mutation($p: String!) { importFolder(path: $p) { stored } }",
        Map.of("p", phantom.toString()));
    JsonNode patients =
        client.data(
            tokens.get(Access.Role.admin),
            "query($s: String!) { patients(search: $s) { edges { node { pseudonym patientId } } } }",
            Map.of("s", CANARY_ID));
    pseudonym =
        patients.get("patients").get("edges").get(0).get("node").get("pseudonym").asString();
  }

  private String mint(List<String> roles, Instant expires, RSAKey key) throws Exception {
    return MintedTokens.mint("it-minted", roles, expires, key);
  }

  private RSAKey issuerKey() throws Exception {
    return MintedTokens.issuerKey(HOME);
  }

  @TestFactory
  List<DynamicTest> everyCellOfTheMatrix() throws Exception {
    String noRoles =
        mint(
            List.of("offline_access", "uma_authorization", "default-roles-anatwin"),
            Instant.now().plusSeconds(3600),
            issuerKey());
    return new AuthorizationCells(port, client, tokens::get, noRoles).cells();
  }

  @Test
  void expiredAndForeignTokensGet401() throws Exception {
    var sample = AuthorizationCells.SAMPLES.get("Query.about");
    var cells = new AuthorizationCells(port, client, tokens::get, "");
    String valid = mint(List.of("planner"), Instant.now().plusSeconds(600), issuerKey());
    assertThat(cells.send(sample, valid).statusCode()).isEqualTo(200);
    String expired = mint(List.of("planner"), Instant.now().minusSeconds(600), issuerKey());
    assertThat(cells.send(sample, expired).statusCode()).isEqualTo(401);
    RSAKey foreign = new RSAKeyGenerator(2048).keyID(issuerKey().getKeyID()).generate();
    String forged = mint(List.of("admin"), Instant.now().plusSeconds(600), foreign);
    assertThat(cells.send(sample, forged).statusCode()).isEqualTo(401);
    assertThat(cells.send(sample, "not-a-token").statusCode()).isEqualTo(401);
  }

  @Test
  void patientIdentityIsShownByRoleAndThePseudonymToEveryone() throws Exception {
    String query =
        "query($s: String!) { patients(search: $s) { edges { node { pseudonym name patientId birthDate } } } }";
    for (Access.Role role : Access.Role.values()) {
      boolean sees = Access.seesPatientIdentity(java.util.EnumSet.of(role));
      JsonNode edges =
          client.data(tokens.get(role), query, Map.of("s", pseudonym)).get("patients").get("edges");
      assertThat(edges.size()).as(role.name()).isEqualTo(1);
      JsonNode node = edges.get(0).get("node");
      assertThat(node.get("pseudonym").asString()).isEqualTo(pseudonym);
      if (sees) {
        assertThat(node.get("name").asString()).as(role.name()).isEqualTo(CANARY_NAME);
        assertThat(node.get("patientId").asString()).isEqualTo(CANARY_ID);
      } else {
        assertThat(node.get("name").isNull()).as(role.name()).isTrue();
        assertThat(node.get("patientId").isNull()).isTrue();
        assertThat(node.get("birthDate").isNull()).isTrue();
        // searching by name or id finds nothing: a search is no oracle for who is in the store
        assertThat(
                client
                    .data(tokens.get(role), query, Map.of("s", CANARY_ID))
                    .get("patients")
                    .get("edges")
                    .size())
            .as(role.name())
            .isZero();
      }
    }
  }

  @Test
  void breakGlassReidentifiesWithAReasonAndIsAudited() throws Exception {
    String quality = tokens.get(Access.Role.quality);
    String mutation =
        "mutation($p: String!, $r: String!) { reidentify(pseudonym: $p, reason: $r) { patient name patientId reason } }";
    assertThat(
            GraphQlClient.errorCode(
                client.post(quality, mutation, Map.of("p", pseudonym, "r", "because"))))
        .isEqualTo("api:break-glass.reason");
    assertThat(
            GraphQlClient.errorCode(
                client.post(
                    quality, mutation, Map.of("p", "ANON-NOBODY", "r", "complaint 2026-114"))))
        .isEqualTo("api:pseudonym.unknown");
    JsonNode answer =
        client
            .data(quality, mutation, Map.of("p", pseudonym, "r", "complaint 2026-114 from ward 3"))
            .get("reidentify");
    assertThat(answer.get("name").asString()).isEqualTo(CANARY_NAME);
    assertThat(answer.get("patientId").asString()).isEqualTo(CANARY_ID);
    // the trail: the refused attempts and the re-identification, with the reason
    JsonNode events =
        client
            .data(
                quality,
                "query($s: ID) { auditEvents(subject: $s, first: 10) { edges { node { action outcome detail actor } } } }",
                Map.of("s", pseudonym))
            .get("auditEvents")
            .get("edges");
    List<String> seen = new java.util.ArrayList<>();
    for (JsonNode e : events) {
      JsonNode n = e.get("node");
      if (n.get("action").asString().equals("phi.break-glass")) {
        seen.add(n.get("outcome").asString() + " " + n.get("detail").asString());
      }
    }
    assertThat(seen)
        .anyMatch(s -> s.startsWith("SUCCESS") && s.contains("complaint 2026-114 from ward 3"))
        .anyMatch(s -> s.startsWith("FAILURE") && s.contains("no reason"));
    // nobody else may break the glass
    for (Access.Role role : List.of(Access.Role.designer, Access.Role.planner, Access.Role.admin)) {
      assertThat(
              GraphQlClient.errorCode(
                  client.post(
                      tokens.get(role),
                      mutation,
                      Map.of("p", pseudonym, "r", "complaint 2026-114 from ward 3"))))
          .isEqualTo("api:forbidden");
    }
  }
}
