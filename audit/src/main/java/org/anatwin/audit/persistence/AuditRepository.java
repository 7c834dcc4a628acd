package org.anatwin.audit.persistence;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.anatwin.model.AuditEvent;
import org.anatwin.storage.Graph;
import org.jspecify.annotations.Nullable;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;

/** Every Cypher statement of the audit trail. */
public final class AuditRepository {
  /** Taking the head's write lock serialises appends across threads and service instances. */
  private static final String LOCK_HEAD =
      """
      MERGE (h:AuditHead {id: 'audit'})
        ON CREATE SET h.sequence = 0, h.hash = $genesis
      SET h.locked = true
      RETURN h.sequence AS sequence, h.hash AS hash
      """;

  private static final String APPEND =
      """
      MATCH (h:AuditHead {id: 'audit'})
      CREATE (e:AuditEvent {seq: $seq, time: $time, actor: $actor, role: $role, action: $action,
                            outcome: $outcome, subjects: $subjects, detail: $detail,
                            previousHash: $previousHash, hash: $hash})
      SET h.sequence = $seq, h.hash = $hash, h.locked = false
      """;
  private static final String EVENTS =
      """
      MATCH (e:AuditEvent)
      WHERE ($subject IS NULL OR $subject IN e.subjects) AND ($before IS NULL OR e.seq < $before)
      RETURN e {.*} AS e ORDER BY e.seq DESC LIMIT $limit
      """;
  private static final String CHAIN =
      """
      MATCH (e:AuditEvent) WHERE e.seq > $after
      RETURN e {.*} AS e ORDER BY e.seq LIMIT $limit
      """;
  private static final String HEAD =
      "OPTIONAL MATCH (h:AuditHead {id: 'audit'}) RETURN h.sequence AS sequence, h.hash AS hash";

  private final Graph graph;

  public AuditRepository(Graph graph) {
    this.graph = graph;
  }

  /** Hashes an event's content onto its predecessor's hash. */
  @FunctionalInterface
  public interface Chain {
    String hash(String previousHash, long sequence, AuditEvent event);
  }

  /** Appends in one transaction; returns the new sequence number. */
  public long append(AuditEvent event, String genesis, Chain chain) {
    return graph.write(tx -> append(tx, event, genesis, chain));
  }

  private static long append(TransactionContext tx, AuditEvent event, String genesis, Chain chain) {
    Record head = tx.run(LOCK_HEAD, Map.of("genesis", genesis)).single();
    long seq = head.get("sequence").asLong() + 1;
    String previous = head.get("hash").asString();
    String hash = chain.hash(previous, seq, event);
    Map<String, Object> p = new HashMap<>();
    p.put("seq", seq);
    p.put("time", event.time().toString());
    p.put("actor", event.actor());
    p.put("role", event.role());
    p.put("action", event.action());
    p.put("outcome", event.outcome().name());
    p.put("subjects", event.subjects());
    p.put("detail", event.detail());
    p.put("previousHash", previous);
    p.put("hash", hash);
    tx.run(APPEND, p).consume();
    return seq;
  }

  /** A stored row: sequence, event, previous hash, hash. */
  public record Row(long sequence, AuditEvent event, String previousHash, String hash) {}

  /** Newest first, optionally about one subject, before a sequence number. */
  public List<Row> events(@Nullable String subject, @Nullable Long before, int limit) {
    Map<String, Object> p = new HashMap<>();
    p.put("subject", subject);
    p.put("before", before);
    p.put("limit", limit);
    return graph.read(tx -> tx.run(EVENTS, p).list(r -> row(r.get("e").asMap())));
  }

  /** Events in chain order after a sequence number. */
  public List<Row> chain(long after, int limit) {
    return graph.read(
        tx ->
            tx.run(CHAIN, Map.of("after", after, "limit", limit))
                .list(r -> row(r.get("e").asMap())));
  }

  /** The end of the chain: the last sequence number and its hash. */
  public record Head(long sequence, String hash) {}

  /** The head, or null when nothing was ever appended. */
  public @Nullable Head head() {
    return graph.read(
        tx -> {
          Record r = tx.run(HEAD).single();
          return r.get("sequence").isNull()
              ? null
              : new Head(r.get("sequence").asLong(), r.get("hash").asString());
        });
  }

  private static Row row(Map<String, Object> e) {
    @SuppressWarnings("unchecked")
    List<String> subjects = (List<String>) e.get("subjects");
    AuditEvent event =
        new AuditEvent(
            Instant.parse((String) e.get("time")),
            (String) e.get("actor"),
            (String) e.get("role"),
            (String) e.get("action"),
            AuditEvent.Outcome.valueOf((String) e.get("outcome")),
            subjects,
            (String) e.get("detail"));
    return new Row(
        ((Number) e.get("seq")).longValue(),
        event,
        (String) e.get("previousHash"),
        (String) e.get("hash"));
  }
}
