package org.anatwin.bench.persistence;

import java.util.Map;
import org.anatwin.storage.Graph;

/**
 * The peer of the lineage benchmark: the same walk written as one Cypher statement and sent over
 * Bolt straight to the database, with no HTTP, GraphQL or authorization in between. Neo4j prunes
 * the variable-length expansion to a breadth-first search since only distinct end nodes are kept.
 */
public final class PeerLineage {
  private static final String UPSTREAM =
      """
      MATCH (a:Entity {id: $id})
      MATCH (a)-[:WAS_DERIVED_FROM|WAS_GENERATED_BY|USED|WAS_ASSOCIATED_WITH*0..64]->(n)
      WITH DISTINCT n
      OPTIONAL MATCH (n)-[r:WAS_DERIVED_FROM|WAS_GENERATED_BY|USED|WAS_ASSOCIATED_WITH]->(m)
      RETURN n.id AS id, labels(n) AS labels, properties(n) AS properties,
             collect([type(r), m.id]) AS edges
      """;
  private static final String DOWNSTREAM =
      """
      MATCH (a:Entity {id: $id})
      MATCH (a)<-[:WAS_DERIVED_FROM|WAS_GENERATED_BY|USED|WAS_ASSOCIATED_WITH*0..64]-(n)
      WITH DISTINCT n
      OPTIONAL MATCH (n)<-[r:WAS_DERIVED_FROM|WAS_GENERATED_BY|USED|WAS_ASSOCIATED_WITH]-(m)
      RETURN n.id AS id, labels(n) AS labels, properties(n) AS properties,
             collect([type(r), m.id]) AS edges
      """;

  private final Graph graph;

  public PeerLineage(Graph graph) {
    this.graph = graph;
  }

  /** The nodes of the walk from {@code id}, each with its properties and edges, as rows. */
  public int walk(String id, boolean upstream) {
    return graph.read(
        tx -> {
          var rows = tx.run(upstream ? UPSTREAM : DOWNSTREAM, Map.of("id", id)).list();
          rows.forEach(r -> r.get("properties").asMap());
          return rows.size();
        });
  }
}
