package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The API's limits, each refusal with its code and before any resolver runs: depth, aliases,
 * complexity, one operation per request, request size and the per-user rate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiHardeningIT extends ServiceIT {
  @LocalServerPort int port;
  @Autowired Storage storage;
  GraphQlClient client;
  String quality;

  @BeforeAll
  void tokens() throws Exception {
    client = new GraphQlClient(port);
    quality = client.token("quality");
  }

  /** Audit reads by the quality officer so far: a resolver that ran would have added one. */
  private long auditReads() {
    return storage
        .graph()
        .read(
            tx ->
                tx.run(
                        "MATCH (e:AuditEvent {action: 'audit.read', actor: 'demo-quality'}) RETURN count(e) AS c")
                    .single()
                    .get("c")
                    .asLong());
  }

  private String refusal(String query) throws Exception {
    long before = auditReads();
    GraphQlClient.Response r = client.post(quality, query, Map.of());
    assertThat(r.body().has("data") && !r.body().get("data").isNull())
        .as(r.body().toString())
        .isFalse();
    assertThat(auditReads()).as("no resolver ran").isEqualTo(before);
    return GraphQlClient.errorCode(r);
  }

  @Test
  void aQueryDeeperThanTenLevelsIsRefused() throws Exception {
    String nine =
        "__schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } }";
    String eleven =
        "__schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }";
    assertThat(
            client.data(quality, "{ " + nine + " }", Map.of()).get("__schema").get("types").size())
        .isPositive();
    assertThat(refusal("{ auditEvents(first: 1) { edges { node { sequence } } } " + eleven + " }"))
        .isEqualTo("api:query.depth");
  }

  @Autowired org.springframework.graphql.execution.GraphQlSource graphQlSource;
  @Autowired org.anatwin.api.DocumentCache documents;

  /**
   * The API's checks run as one instrumentation, and a document kept by the document cache is
   * measured again on every request: the second, cached, copy of a too-deep query is refused too.
   */
  @Test
  void cachedDocumentsPassTheLimitsEveryTime() throws Exception {
    assertThat(graphQlSource.graphQl().getInstrumentation())
        .isInstanceOf(org.anatwin.api.ApiInstrumentation.class);
    String deep =
        "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }";
    String fine = "{ auditEvents(first: 1) { edges { node { sequence } } } }";
    int before = documents.size();
    for (int i = 0; i < 2; i++) {
      assertThat(refusal(deep)).isEqualTo("api:query.depth");
      assertThat(client.data(quality, fine, Map.of()).get("auditEvents").isObject()).isTrue();
    }
    // both documents parsed and validated without error, so both are kept (once each)
    assertThat(documents.size()).isBetween(before + 1, before + 2);
  }

  @Test
  void moreThanTwentyAliasesAreRefused() throws Exception {
    StringBuilder twenty = new StringBuilder();
    for (int i = 1; i <= 20; i++) {
      twenty.append(" a").append(i).append(": __typename");
    }
    assertThat(client.data(quality, "{" + twenty + " }", Map.of()).size()).isEqualTo(20);
    assertThat(
            refusal("{" + twenty + " a21: __typename auditEvents(first: 1) { edges { cursor } } }"))
        .isEqualTo("api:query.aliases");
  }

  @Test
  void aQueryAboveTheComplexityLimitIsRefusedAndTheSameWithSmallerPagesIsAnswered()
      throws Exception {
    String page =
        "{ auditEvents(first: %d) { edges { cursor node { sequence time actor role action outcome subjects detail hash atna fhir } } } }";
    // 1 + 100 x (edges 1 + cursor 1 + node 1 + 11 fields) = 1401
    assertThat(refusal(page.formatted(100))).isEqualTo("api:query.complexity");
    assertThat(client.data(quality, page.formatted(50), Map.of()).get("auditEvents").get("edges"))
        .isNotNull();
  }

  @Test
  void aDocumentWithTwoOperationsIsRefused() throws Exception {
    String two = "query A { auditEvents(first: 1) { edges { cursor } } } query B { __typename }";
    long before = auditReads();
    HttpResponse<String> r = post(quality, "{\"query\":\"" + two + "\",\"operationName\":\"A\"}");
    assertThat(r.body()).contains("api:query.operations");
    assertThat(auditReads()).isEqualTo(before);
  }

  @Test
  void aRequestLargerThanTheCapIsRefusedUnread() throws Exception {
    String padding = " ".repeat((24 << 20) + 1);
    HttpResponse<String> r = post(quality, "{\"query\":\"{ __typename }" + padding + "\"}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("api:request.too-large");
    // just under the cap is read and answered
    HttpResponse<String> fine = post(quality, "{\"query\":\"{ __typename }\"}");
    assertThat(fine.statusCode()).isEqualTo(200);
  }

  @Test
  void aUserSendingFasterThanTheRateIsToldToWait() throws Exception {
    String designer = client.token("designer");
    ConcurrentLinkedQueue<HttpResponse<String>> answers = new ConcurrentLinkedQueue<>();
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      senders.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < 50; i++) {
                      try {
                        answers.add(post(designer, "{\"query\":\"{ __typename }\"}"));
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    }
                  }));
    }
    for (Thread sender : senders) {
      sender.join();
    }
    List<HttpResponse<String>> limited =
        answers.stream().filter(a -> a.statusCode() == 429).toList();
    assertThat(limited).isNotEmpty();
    assertThat(limited.getFirst().body()).contains("api:rate-limited");
    assertThat(limited.getFirst().headers().firstValue("Retry-After")).isPresent();
    assertThat(answers.stream().filter(a -> a.statusCode() == 200).count())
        .isGreaterThanOrEqualTo(200);
    // another user is not affected
    assertThat(post(quality, "{\"query\":\"{ __typename }\"}").statusCode()).isEqualTo(200);
    // the designer's bucket refills (200 at 50 a second) for the tests that follow
    Thread.sleep(4500);
    assertThat(post(designer, "{\"query\":\"{ __typename }\"}").statusCode()).isEqualTo(200);
  }

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(String token, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/graphql"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
