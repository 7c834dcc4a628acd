package org.anatwin.audit.persistence;

import java.util.List;
import java.util.Map;
import org.anatwin.storage.Graph;

/** Every Cypher statement of lineage reads: one hop of the PROV graph at a time. */
public final class LineageRepository {
  private static final String NODES =
      """
      CALL {
        MATCH (n:Entity) WHERE n.id IN $ids RETURN n
        UNION
        MATCH (n:Activity) WHERE n.id IN $ids RETURN n
        UNION
        MATCH (n:Agent) WHERE n.id IN $ids RETURN n
      }
      RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'] AS labels, properties(n) AS properties
      """;
  private static final String UPSTREAM =
      """
      CALL {
        MATCH (n:Entity) WHERE n.id IN $ids RETURN n
        UNION
        MATCH (n:Activity) WHERE n.id IN $ids RETURN n
      }
      MATCH (n)-[r:WAS_DERIVED_FROM|WAS_GENERATED_BY|USED|WAS_ASSOCIATED_WITH]->(m)
      RETURN n.id AS from, type(r) AS relation, m.id AS to, m.id AS next
      """;
  private static final String DOWNSTREAM =
      """
      CALL {
        MATCH (n:Entity) WHERE n.id IN $ids RETURN n
        UNION
        MATCH (n:Activity) WHERE n.id IN $ids RETURN n
        UNION
        MATCH (n:Agent) WHERE n.id IN $ids RETURN n
      }
      MATCH (m)-[r:WAS_DERIVED_FROM|WAS_GENERATED_BY|USED|WAS_ASSOCIATED_WITH]->(n)
      RETURN m.id AS from, type(r) AS relation, n.id AS to, m.id AS next
      """;

  private final Graph graph;

  public LineageRepository(Graph graph) {
    this.graph = graph;
  }

  /** A node row: id, labels other than Entity, properties. */
  public record NodeRow(String id, List<String> labels, Map<String, Object> properties) {}

  /** An edge row and the id on its far side. */
  public record EdgeRow(String from, String relation, String to, String next) {}

  public List<NodeRow> nodes(List<String> ids) {
    return graph.read(
        tx ->
            tx.run(NODES, Map.of("ids", ids))
                .list(
                    r ->
                        new NodeRow(
                            r.get("id").asString(),
                            r.get("labels").asList(v -> v.asString()),
                            r.get("properties").asMap())));
  }

  /** One hop: edges leaving (upstream) or entering (downstream) the given nodes. */
  public List<EdgeRow> hop(List<String> ids, boolean upstream) {
    return graph.read(
        tx ->
            tx.run(upstream ? UPSTREAM : DOWNSTREAM, Map.of("ids", ids))
                .list(
                    r ->
                        new EdgeRow(
                            r.get("from").asString(),
                            r.get("relation").asString(),
                            r.get("to").asString(),
                            r.get("next").asString())));
  }
}
