package org.anatwin.bench.persistence;

import java.util.Map;
import org.anatwin.storage.Graph;

/**
 * The peer of the API benchmark: what the twin query returns (the twin, its patient, each version's
 * structures and meshes with their QA) as one Cypher statement over Bolt, with no HTTP, GraphQL or
 * authorization in between.
 */
public final class PeerTwin {
  private static final String TWIN =
      """
      MATCH (t:Twin {id: $id})
      OPTIONAL MATCH (p:Patient)-[:HAS_TWIN]->(t)
      OPTIONAL MATCH (t)-[:HAS_VERSION]->(v:TwinVersion)
      OPTIONAL MATCH (v)-[:HAS_STRUCTURE]->(s:Structure)-[:HAS_MESH]->(m:Mesh)
      WITH t, p, v, collect(s {.name, mesh: m {.*}}) AS structures ORDER BY v.number
      RETURN t.id AS id, p.pseudonym AS pseudonym, p.name AS name,
             collect(v {.number, structures: structures})[0..5] AS versions
      """;

  private final Graph graph;

  public PeerTwin(Graph graph) {
    this.graph = graph;
  }

  /** The twin's versions read; fails when the twin is missing. */
  public int twin(String id) {
    return graph.read(
        tx -> {
          var row = tx.run(TWIN, Map.of("id", id)).single();
          return row.get("versions").asList().size();
        });
  }
}
