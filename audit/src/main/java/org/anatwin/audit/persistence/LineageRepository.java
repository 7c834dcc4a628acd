package org.anatwin.audit.persistence;

import java.util.List;
import java.util.Map;
import org.anatwin.storage.Graph;

/** Every Cypher statement of lineage reads: a walk of the PROV graph in one statement. */
public final class LineageRepository {

  /**
   * The whole walk in one statement: the nodes within the given number of hops (Neo4j prunes the
   * expansion to a breadth-first search, since only distinct end nodes are kept), then each one's
   * edges to the others, so a walk costs one round trip however deep it goes.
   */
  private static final String WALK =
      """
      CALL {
        MATCH (a:Entity) WHERE a.id = $id RETURN a
        UNION
        MATCH (a:Activity) WHERE a.id = $id RETURN a
        UNION
        MATCH (a:Agent) WHERE a.id = $id RETURN a
      }
      MATCH (a)%s(n)
      WITH DISTINCT n
      WITH collect(n) AS ns
      UNWIND ns AS n
      OPTIONAL MATCH (n)%s(m) WHERE m IN ns
      RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'] AS labels, properties(n) AS properties,
             collect(CASE WHEN m IS NULL THEN null ELSE [type(r), m.id] END) AS edges
      """;

  private static final String RELATIONS =
      "WAS_DERIVED_FROM|WAS_GENERATED_BY|USED|WAS_ASSOCIATED_WITH";

  private final Graph graph;

  public LineageRepository(Graph graph) {
    this.graph = graph;
  }

  /** A node row: id, labels other than Entity, properties. */
  public record NodeRow(String id, List<String> labels, Map<String, Object> properties) {}

  /** An edge as stored: from, relation, to. */
  public record EdgeRow(String from, String relation, String to) {}

  /** A walk: its nodes (the start first) and the edges between them, as stored. */
  public record Walk(List<NodeRow> nodes, List<EdgeRow> edges) {}

  /**
   * Everything within {@code depth} hops of {@code id} (0 to 64), upstream along the PROV edges or
   * downstream against them, with the edges among what was found; empty when nothing has that id.
   */
  public Walk walk(String id, boolean upstream, int depth) {
    if (depth < 0 || depth > 64) {
      throw new IllegalArgumentException("depth " + depth + " is not within 0..64");
    }
    String hops = "[:" + RELATIONS + "*0.." + depth + "]";
    String cypher =
        WALK.formatted(
            upstream ? "-" + hops + "->" : "<-" + hops + "-",
            upstream ? "-[r:" + RELATIONS + "]->" : "<-[r:" + RELATIONS + "]-");
    return graph.read(
        tx -> {
          List<NodeRow> nodes = new java.util.ArrayList<>();
          List<EdgeRow> edges = new java.util.ArrayList<>();
          for (var r : tx.run(cypher, Map.of("id", id)).list()) {
            String node = r.get("id").asString();
            NodeRow row =
                new NodeRow(
                    node, r.get("labels").asList(v -> v.asString()), r.get("properties").asMap());
            if (node.equals(id)) {
              nodes.addFirst(row);
            } else {
              nodes.add(row);
            }
            for (var e : r.get("edges").asList(v -> v.asList(x -> x.asString()))) {
              String other = e.get(1);
              edges.add(
                  upstream
                      ? new EdgeRow(node, e.get(0), other)
                      : new EdgeRow(other, e.get(0), node));
            }
          }
          return new Walk(nodes, edges);
        });
  }
}
