package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.anatwin.ingest.Ingest;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A nested request over many twins (patient, versions, structures, meshes with QA) costs a bounded
 * number of Cypher statements, the same for 5 twins as for 50: every field that crosses aggregates
 * is batched.
 */
class NestedQueryCostIT extends ServiceIT {
  private static final String NESTED =
      """
      query($n: Int!) { twins(first: $n) { nodes { id patient { pseudonym name }
        versions(first: 1) { nodes { number structures { name
          mesh { id triangleCount qa { watertight shells } download } } } } } } }""";

  @LocalServerPort int port;
  @Autowired Storage storage;

  @Test
  void fiftyTwinsCostNoMoreStatementsThanFive() throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    String admin = client.token("admin");
    String planner = client.token("planner");
    Path phantom = Files.createTempDirectory("anatwin-cost-phantom");
    Ingest.writePhantom(phantom, 4343);
    JsonNode imported =
        client.data(
            admin,
            "mutation($p: String!) { importFolder(path: $p) { series } }",
            Map.of("p", phantom.resolve("femur").toString()));
    String series = imported.get("importFolder").get("series").get(0).asString();
    String twin =
        client
            .data(
                planner,
                "mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s}) { twinId } }",
                Map.of("s", series))
            .get("buildTwinVersion")
            .get("twinId")
            .asString();
    copyTwin(twin, 55);

    // the service's own background work (audit checkpoints, pollers) may add a statement to one
    // measurement; the least of three is the request's own cost
    long five = Long.MAX_VALUE;
    long fifty = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      five = Math.min(five, cost(client, planner, 5));
      fifty = Math.min(fifty, cost(client, planner, 50));
    }
    System.out.printf("nested query: %d statements for 5 twins, %d for 50%n", five, fifty);

    // the twins page by cursor, in id order, each once
    java.util.List<String> seen = new java.util.ArrayList<>();
    String after = null;
    boolean more = true;
    while (more) {
      Map<String, Object> vars = new java.util.HashMap<>();
      vars.put("a", after);
      JsonNode page =
          client
              .data(
                  planner,
                  "query($a: String) { twins(first: 20, after: $a) { edges { cursor node { id } }"
                      + " nodes { id } pageInfo { hasNextPage endCursor } } }",
                  vars)
              .get("twins");
      assertThat(page.get("edges").size()).isLessThanOrEqualTo(20);
      for (JsonNode edge : page.get("edges")) {
        assertThat(edge.get("cursor").asString()).isEqualTo(edge.get("node").get("id").asString());
        seen.add(edge.get("node").get("id").asString());
      }
      assertThat(page.get("nodes").size()).isEqualTo(page.get("edges").size());
      more = page.get("pageInfo").get("hasNextPage").asBoolean();
      after = page.get("pageInfo").get("endCursor").asString();
    }
    assertThat(seen).hasSizeGreaterThanOrEqualTo(56).doesNotHaveDuplicates().isSorted();
    assertThat(
            client
                .data(planner, "{ twins(first: 500) { nodes { id } } }", Map.of())
                .get("twins")
                .get("nodes")
                .size())
        .as("a page holds at most 100")
        .isEqualTo(Math.min(100, seen.size()));
    assertThat(fifty).as("statements for 50 twins").isEqualTo(five).isLessThanOrEqualTo(15);

    // one twin with its patient and a page of versions: the twin query reads all three at once
    String asked =
        "query($id: ID!) { twin(id: $id) { id patient { pseudonym }"
            + " versions(first: 5) { totalCount pageInfo { hasNextPage endCursor }"
            + " nodes { number structures { name mesh { id triangleCount } } } } } }";
    long one = Long.MAX_VALUE;
    JsonNode read = null;
    for (int i = 0; i < 3; i++) {
      long before = storage.graph().statements();
      read = client.data(planner, asked, Map.of("id", twin)).get("twin");
      one = Math.min(one, storage.graph().statements() - before);
      assertThat(read.get("patient").get("pseudonym").asString()).isNotEmpty();
      assertThat(read.get("versions").get("nodes").get(0).get("structures").size()).isPositive();
    }
    assertThat(one).as("statements for one twin with its patient and versions").isEqualTo(1);

    // two pages under aliases: each is read by the versions field itself, the first the same
    JsonNode both =
        client
            .data(
                planner,
                "query($id: ID!) { twin(id: $id) { id patient { pseudonym }"
                    + " a: versions(first: 5) { totalCount pageInfo { hasNextPage endCursor }"
                    + " nodes { number structures { name mesh { id triangleCount } } } }"
                    + " b: versions(first: 1) { totalCount nodes { number } } } }",
                Map.of("id", twin))
            .get("twin");
    assertThat(both.get("a")).isEqualTo(read.get("versions"));
    assertThat(both.get("b").get("nodes")).hasSize(1);
    assertThat(both.get("b").get("nodes").get(0).get("number"))
        .isEqualTo(read.get("versions").get("nodes").get(0).get("number"));
    assertThat(both.get("b").get("totalCount")).isEqualTo(read.get("versions").get("totalCount"));

    // a cursor that is not one fails the versions field with its code (the twin read is fine)
    GraphQlClient.Response bad =
        client.post(
            planner,
            "query($id: ID!) { twin(id: $id) { id versions(after: \"x\") { totalCount } } }",
            Map.of("id", twin));
    assertThat(GraphQlClient.errorCode(bad)).isEqualTo("versioning:page.cursor");
    assertThat(bad.body().get("errors").get(0).get("path").toString())
        .isEqualTo("[\"twin\",\"versions\"]");
  }

  /** Statements the graph ran for the nested request over {@code n} twins (all present). */
  private long cost(GraphQlClient client, String token, int n) throws Exception {
    long before = storage.graph().statements();
    JsonNode twins = client.data(token, NESTED, Map.of("n", n)).get("twins").get("nodes");
    long spent = storage.graph().statements() - before;
    assertThat(twins.size()).isEqualTo(n);
    int meshes = 0;
    for (JsonNode t : twins) {
      assertThat(t.get("patient").get("pseudonym").asString()).isNotEmpty();
      for (JsonNode v : t.get("versions").get("nodes")) {
        for (JsonNode s : v.get("structures")) {
          assertThat(s.get("mesh").get("triangleCount").asInt()).isPositive();
          meshes++;
        }
      }
    }
    assertThat(meshes).isGreaterThanOrEqualTo(n);
    return spent;
  }

  /**
   * Copies a twin with its versions, branches, structures and meshes {@code copies} times, with new
   * ids (same form, last four hex digits replaced) and the same links to the patient, the series
   * and the lineage, the way many patients' twins would look.
   */
  private void copyTwin(String twinId, int copies) {
    storage
        .graph()
        .write(
            tx -> {
              List<Map<String, Object>> nodes =
                  tx.run(
                          """
                          MATCH (t:Twin {id: $id})
                          OPTIONAL MATCH (t)-[:HAS_VERSION|HAS_BRANCH]->(x)
                          OPTIONAL MATCH (t)-[:HAS_VERSION]->(:TwinVersion)-[:HAS_STRUCTURE]->(s)
                          OPTIONAL MATCH (s)-[:HAS_MESH]->(m)
                          WITH t, collect(DISTINCT x) + collect(DISTINCT s) + collect(DISTINCT m) AS found
                          WITH [t] + found AS ns
                          UNWIND ns AS n
                          WITH DISTINCT n
                          RETURN elementId(n) AS key, labels(n) AS labels, properties(n) AS props
                          """,
                          Map.of("id", twinId))
                      .list(r -> r.asMap());
              List<String> keys = nodes.stream().map(n -> (String) n.get("key")).toList();
              List<Map<String, Object>> rels =
                  tx.run(
                          """
                          MATCH (a)-[r]->(b) WHERE elementId(a) IN $keys OR elementId(b) IN $keys
                          RETURN elementId(a) AS from, elementId(b) AS to, type(r) AS type,
                                 properties(r) AS props
                          """,
                          Map.of("keys", keys))
                      .list(r -> r.asMap());
              for (int k = 1; k <= copies; k++) {
                Map<String, String> ids = new HashMap<>();
                for (Map<String, Object> n : nodes) {
                  if (((Map<?, ?>) n.get("props")).get("id") instanceof String id) {
                    ids.put(id, id.substring(0, id.length() - 4) + "%04x".formatted(k));
                  }
                }
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Map<String, Object> n : nodes) {
                  Map<String, Object> props = new HashMap<>();
                  ((Map<?, ?>) n.get("props"))
                      .forEach((name, value) -> props.put((String) name, remap(value, ids)));
                  rows.add(Map.of("key", n.get("key"), "labels", n.get("labels"), "props", props));
                }
                Map<String, String> copyOf = new HashMap<>();
                tx.run(
                        """
                        UNWIND $rows AS row
                        CREATE (c) SET c = row.props SET c:$(row.labels)
                        RETURN row.key AS key, elementId(c) AS copy
                        """,
                        Map.of("rows", rows))
                    .forEachRemaining(
                        r -> copyOf.put(r.get("key").asString(), r.get("copy").asString()));
                List<Map<String, Object>> links = new ArrayList<>();
                for (Map<String, Object> r : rels) {
                  links.add(
                      Map.of(
                          "from",
                              copyOf.getOrDefault((String) r.get("from"), (String) r.get("from")),
                          "to", copyOf.getOrDefault((String) r.get("to"), (String) r.get("to")),
                          "type", r.get("type"),
                          "props", r.get("props")));
                }
                tx.run(
                        """
                        UNWIND $links AS l
                        MATCH (a) WHERE elementId(a) = l.from
                        MATCH (b) WHERE elementId(b) = l.to
                        CREATE (a)-[x:$(l.type)]->(b) SET x = l.props
                        """,
                        Map.of("links", links))
                    .consume();
              }
              return null;
            });
  }

  private static Object remap(Object value, Map<String, String> ids) {
    if (value instanceof String s) {
      return ids.getOrDefault(s, s);
    }
    if (value instanceof List<?> list) {
      return list.stream().map(v -> remap(v, ids)).toList();
    }
    return value;
  }
}
