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

  /**
   * The activity bound to {@code act} (a {@link #row}) written as {@link #ACTIVITY} writes one,
   * leaving {@code act}, {@code generated} and {@code used} (counts for {@link #check}) bound: a
   * clause another statement can embed, so that a group's entities and their activities are written
   * in one round trip.
   */
  public static final String ACTIVITY_OF_ACT =
      """
      MERGE (a:Activity {id: act.id})
        ON CREATE SET a.algorithm = act.algorithm, a.algorithmVersion = act.version,
                      a.parameters = act.parameters, a.time = act.time
      WITH a, act
      CALL (a, act) {
        UNWIND act.generated AS gid
        MATCH (g:Entity {id: gid})
        MERGE (g)-[:WAS_GENERATED_BY]->(a)
        RETURN count(g) AS generated
      }
      CALL (a, act) {
        UNWIND act.used AS uid
        MATCH (u:Entity {id: uid})
        MERGE (a)-[:USED]->(u)
        WITH u
        UNWIND act.generated AS gid
        MATCH (g:Entity {id: gid})
        MERGE (g)-[:WAS_DERIVED_FROM]->(u)
        RETURN count(DISTINCT u) AS used
      }
      CALL (a, act) {
        UNWIND act.agents AS agent
        MERGE (x:Agent {id: agent.id})
          ON CREATE SET x.kind = agent.kind, x.label = agent.label
        MERGE (a)-[:WAS_ASSOCIATED_WITH]->(x)
        RETURN count(x) AS agents
      }
      """;

  /** Many activities in one statement, each as {@link #ACTIVITY} writes one. */
  private static final String ACTIVITIES =
      "UNWIND $activities AS act\n" + ACTIVITY_OF_ACT + "RETURN act.id AS id, generated, used\n";

  private LineageWriter() {}

  /**
   * Records the activities in one round trip (a group of instances received at once); throws if any
   * used or generated entity is not in the graph.
   */
  public static void writeAll(TransactionContext tx, java.util.List<Activity> activities) {
    if (activities.isEmpty()) {
      return;
    }
    if (activities.size() == 1) {
      write(tx, activities.getFirst());
      return;
    }
    java.util.Map<String, Activity> byId = new java.util.HashMap<>();
    java.util.List<Map<String, Object>> rows = new java.util.ArrayList<>();
    for (Activity activity : activities) {
      byId.put(activity.id().value(), activity);
      rows.add(row(activity));
    }
    java.util.List<Record> found = tx.run(ACTIVITIES, Map.of("activities", rows)).list();
    if (found.size() != activities.size()) {
      throw new StorageException(
          "storage:lineage.unknown-entity", "an activity of the group was not recorded");
    }
    for (Record r : found) {
      check(byId.get(r.get("id").asString()), r);
    }
  }

  /** Records the activity; throws if any used or generated entity is not in the graph. */
  public static void write(TransactionContext tx, Activity activity) {
    check(activity, tx.run(ACTIVITY, row(activity)).single());
  }

  /** The activity as the parameter row {@link #ACTIVITY_OF_ACT} reads. */
  public static Map<String, Object> row(Activity activity) {
    return Map.of(
        "id", activity.id().value(),
        "algorithm", activity.algorithm(),
        "version", activity.algorithmVersion(),
        "parameters", encode(activity.parameters()),
        "time", activity.time().toString(),
        "generated", activity.generated(),
        "used", activity.used(),
        "agents", activity.agents().stream().map(LineageWriter::agentRow).toList());
  }

  private static void check(Activity activity, Record found) {
    check(activity, found.get("generated").asLong(), found.get("used").asLong());
  }

  /**
   * Throws {@code storage:lineage.unknown-entity} unless the counts {@link #ACTIVITY_OF_ACT} bound
   * say every generated and used entity was found.
   */
  public static void check(Activity activity, long generated, long used) {
    if (generated != activity.generated().size()) {
      throw new StorageException(
          "storage:lineage.unknown-entity",
          "activity " + activity.algorithm() + " generates an entity that is not in the graph");
    }
    if (used != activity.used().stream().distinct().count()) {
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

  /**
   * Reads back parameters written by {@link #encode}: a flat JSON object of strings. Throws {@code
   * storage:lineage.parameters} for text that is not one.
   */
  public static Map<String, String> decode(String json) {
    Map<String, String> out = new TreeMap<>();
    int[] at = {skip(json, 0)};
    expect(json, at, '{');
    if (json.startsWith("}", skip(json, at[0]))) {
      at[0] = skip(json, at[0]) + 1;
    } else {
      do {
        String key = string(json, at);
        expect(json, at, ':');
        out.put(key, string(json, at));
      } while (next(json, at) == ',');
      at[0]--;
      expect(json, at, '}');
    }
    if (skip(json, at[0]) != json.length()) {
      throw unreadable(json);
    }
    return out;
  }

  private static int skip(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static char next(String s, int[] at) {
    at[0] = skip(s, at[0]);
    if (at[0] >= s.length()) {
      throw unreadable(s);
    }
    return s.charAt(at[0]++);
  }

  private static void expect(String s, int[] at, char c) {
    if (next(s, at) != c) {
      throw unreadable(s);
    }
  }

  private static String string(String s, int[] at) {
    expect(s, at, '"');
    StringBuilder out = new StringBuilder();
    while (at[0] < s.length()) {
      char c = s.charAt(at[0]++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (at[0] >= s.length()) {
        break;
      }
      char e = s.charAt(at[0]++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          if (at[0] + 4 > s.length()) {
            throw unreadable(s);
          }
          try {
            out.append((char) Integer.parseInt(s.substring(at[0], at[0] + 4), 16));
          } catch (NumberFormatException bad) {
            throw unreadable(s);
          }
          at[0] += 4;
        }
        default -> throw unreadable(s);
      }
    }
    throw unreadable(s);
  }

  private static StorageException unreadable(String json) {
    return new StorageException(
        "storage:lineage.parameters", "recorded parameters are not a JSON object of strings");
  }
}
