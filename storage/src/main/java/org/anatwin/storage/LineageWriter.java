package org.anatwin.storage;

import java.util.Map;
import java.util.TreeMap;
import org.anatwin.model.Activity;
import org.anatwin.model.Agent;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;

/**
 * Writes a PROV {@link Activity} into the graph inside the caller's transaction: the activity node,
 * {@code WAS_GENERATED_BY} from each generated entity, {@code USED} to each used entity, {@code
 * WAS_DERIVED_FROM} from each generated to each used entity, and {@code WAS_ASSOCIATED_WITH} to
 * each agent. Entities must already exist as {@code :Entity} nodes; a missing one fails the
 * transaction.
 */
public final class LineageWriter {
  /** One statement, so an activity costs one round trip whatever its size. */
  private static final String ACTIVITY =
      """
      MERGE (a:Activity {id: $id})
        ON CREATE SET a.algorithm = $algorithm, a.algorithmVersion = $version,
                      a.parameters = $parameters, a.time = $time
      WITH a
      CALL (a) {
        UNWIND $generated AS gid
        MATCH (g:Entity {id: gid})
        MERGE (g)-[:WAS_GENERATED_BY]->(a)
        RETURN count(g) AS generated
      }
      CALL (a) {
        UNWIND $used AS uid
        MATCH (u:Entity {id: uid})
        MERGE (a)-[:USED]->(u)
        WITH u
        UNWIND $generated AS gid
        MATCH (g:Entity {id: gid})
        MERGE (g)-[:WAS_DERIVED_FROM]->(u)
        RETURN count(DISTINCT u) AS used
      }
      CALL (a) {
        UNWIND $agents AS agent
        MERGE (x:Agent {id: agent.id})
          ON CREATE SET x.kind = agent.kind, x.label = agent.label
        MERGE (a)-[:WAS_ASSOCIATED_WITH]->(x)
        RETURN count(x) AS agents
      }
      RETURN generated, used
      """;

  private LineageWriter() {}

  /** Records the activity; throws if any used or generated entity is not in the graph. */
  public static void write(TransactionContext tx, Activity activity) {
    Map<String, Object> params =
        Map.of(
            "id", activity.id().value(),
            "algorithm", activity.algorithm(),
            "version", activity.algorithmVersion(),
            "parameters", encode(activity.parameters()),
            "time", activity.time().toString(),
            "generated", activity.generated(),
            "used", activity.used(),
            "agents", activity.agents().stream().map(LineageWriter::agentRow).toList());
    Record found = tx.run(ACTIVITY, params).single();
    if (found.get("generated").asLong() != activity.generated().size()) {
      throw new StorageException(
          "storage:lineage.unknown-entity",
          "activity " + activity.algorithm() + " generates an entity that is not in the graph");
    }
    if (found.get("used").asLong() != activity.used().stream().distinct().count()) {
      throw new StorageException(
          "storage:lineage.unknown-entity",
          "activity " + activity.algorithm() + " uses an entity that is not in the graph");
    }
  }

  private static Map<String, String> agentRow(Agent agent) {
    return Map.of("id", agent.id(), "kind", agent.kind().name(), "label", agent.label());
  }

  /** Parameters as one JSON object with keys in order, so equal maps give equal text. */
  static String encode(Map<String, String> parameters) {
    StringBuilder out = new StringBuilder("{");
    new TreeMap<>(parameters)
        .forEach(
            (k, v) ->
                out.append(out.length() > 1 ? "," : "")
                    .append(quote(k))
                    .append(':')
                    .append(quote(v)));
    return out.append('}').toString();
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
