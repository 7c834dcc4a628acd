package org.anatwin.audit.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.anatwin.audit.StoredAuditEvent;
import org.anatwin.audit.merkle.MerkleTree;
import org.anatwin.model.AuditEvent;
import org.anatwin.storage.Graph;
import org.jspecify.annotations.Nullable;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;
import org.neo4j.driver.Value;

/** Every Cypher statement of the audit log. */
public final class AuditRepository {
  private static final HexFormat HEX = HexFormat.of();

  /** Taking the head's write lock serialises appends across threads and service instances. */
  private static final String LOCK_HEAD =
      """
      MERGE (h:AuditHead {id: 'audit'})
        ON CREATE SET h.sequence = 0, h.frontier = []
      SET h.locked = true
      RETURN h.sequence AS sequence, h.frontier AS frontier
      """;

  private static final String APPEND =
      """
      MATCH (h:AuditHead {id: 'audit'})
      FOREACH (ev IN $events |
        CREATE (:AuditEvent {seq: ev.seq, time: ev.time, actor: ev.actor, role: ev.role,
                             action: ev.action, outcome: ev.outcome, subjects: ev.subjects,
                             detail: ev.detail, leafHash: ev.leafHash}))
      SET h.sequence = $seq, h.root = $root, h.frontier = $frontier, h.locked = false
      """;

  /** The most events one group commit writes. */
  private static final int BATCH = 512;

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
      "OPTIONAL MATCH (h:AuditHead {id: 'audit'}) RETURN h.sequence AS sequence, h.root AS root";

  private final Graph graph;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private volatile @Nullable Thread writer;

  public AuditRepository(Graph graph) {
    this.graph = graph;
  }

  /** An event waiting for the group commit that makes it durable. */
  private record Pending(AuditEvent event, Leaf leaf, CompletableFuture<Long> done) {}

  /** An event's leaf hash from its sequence number and fields. */
  @FunctionalInterface
  public interface Leaf {
    byte[] hash(long sequence, AuditEvent event);
  }

  /**
   * Appends durably and returns the new sequence number: inside the caller's write transaction when
   * there is one, else through the group commit.
   */
  public long append(AuditEvent event, Leaf leaf) {
    if (graph.joined()) {
      // inside an operation's transaction: written (and committed or rolled back) with it
      return graph.write(tx -> append(tx, List.of(event), leaf)).getFirst();
    }
    Pending mine = new Pending(event, leaf, new CompletableFuture<>());
    startWriter();
    queue.add(mine);
    try {
      return mine.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * Appends several events in order with one head update, inside the caller's write transaction
   * (where their operation's writes are); outside one, each goes through the group commit.
   */
  public void appendAll(List<AuditEvent> events, Leaf leaf) {
    if (events.isEmpty()) {
      return;
    }
    if (graph.joined()) {
      graph.write(tx -> append(tx, events, leaf));
      return;
    }
    for (AuditEvent event : events) {
      append(event, leaf);
    }
  }

  /**
   * Group commit: one writer (a virtual thread, started on the first append) takes everything
   * queued, up to {@link #BATCH} events, and writes it in one transaction with one update of the
   * Merkle head; each appender waits until its event is durable (or gets the commit's failure).
   */
  private void startWriter() {
    if (writer != null) {
      return;
    }
    synchronized (queue) {
      if (writer == null) {
        writer =
            Thread.ofVirtual()
                .name("audit-group-commit")
                .start(
                    () -> {
                      List<Pending> batch = new ArrayList<>();
                      while (true) {
                        try {
                          batch.add(queue.take());
                        } catch (InterruptedException e) {
                          return;
                        }
                        queue.drainTo(batch, BATCH - 1);
                        commit(batch);
                        batch.clear();
                      }
                    });
      }
    }
  }

  private void commit(List<Pending> batch) {
    try {
      Leaf leaf = batch.getFirst().leaf();
      List<Long> seqs =
          graph.write(tx -> append(tx, batch.stream().map(Pending::event).toList(), leaf));
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done().complete(seqs.get(i));
      }
    } catch (RuntimeException | Error e) {
      // nothing of the batch was written: every appender fails (and its operation with it)
      batch.forEach(p -> p.done().completeExceptionally(e));
    }
  }

  private static List<Long> append(TransactionContext tx, List<AuditEvent> events, Leaf leaf) {
    Record head = tx.run(LOCK_HEAD).single();
    long size = head.get("sequence").asLong();
    MerkleTree.Frontier frontier;
    if (head.get("frontier").isNull()) {
      // a log kept before it was a Merkle tree: its right edge is rebuilt once, from its events
      frontier = new MerkleTree.Frontier();
      for (Record r : tx.run(CHAIN, Map.of("after", 0, "limit", size)).list()) {
        StoredAuditEvent old = row(r.get("e").asMap());
        frontier.append(leaf.hash(old.sequence(), old.event()));
      }
    } else {
      frontier =
          MerkleTree.Frontier.of(
              head.get("frontier").asList(v -> HEX.parseHex(v.asString())), size);
    }
    long seq = size;
    List<Long> seqs = new ArrayList<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (AuditEvent event : events) {
      seq++;
      byte[] leafHash = leaf.hash(seq, event);
      frontier.append(leafHash);
      Map<String, Object> e = new HashMap<>();
      e.put("seq", seq);
      e.put("time", event.time().toString());
      e.put("actor", event.actor());
      e.put("role", event.role());
      e.put("action", event.action());
      e.put("outcome", event.outcome().name());
      e.put("subjects", event.subjects());
      e.put("detail", event.detail());
      e.put("leafHash", HEX.formatHex(leafHash));
      rows.add(e);
      seqs.add(seq);
    }
    Map<String, Object> p = new HashMap<>();
    p.put("events", rows);
    p.put("seq", seq);
    p.put("root", HEX.formatHex(frontier.root()));
    p.put("frontier", frontier.subtrees().stream().map(HEX::formatHex).toList());
    tx.run(APPEND, p).consume();
    return seqs;
  }

  /** Newest first, optionally about one subject, before a sequence number. */
  public List<StoredAuditEvent> events(@Nullable String subject, @Nullable Long before, int limit) {
    Map<String, Object> p = new HashMap<>();
    p.put("subject", subject);
    p.put("before", before);
    p.put("limit", limit);
    return graph.read(tx -> tx.run(EVENTS, p).list(r -> row(r.get("e").asMap())));
  }

  /** Events in sequence order after a sequence number. */
  public List<StoredAuditEvent> chain(long after, int limit) {
    return graph.read(
        tx ->
            new ArrayList<>(
                tx.run(CHAIN, Map.of("after", after, "limit", limit))
                    .list(r -> row(r.get("e").asMap()))));
  }

  /** The log's size and root. */
  public record Head(long size, String root) {}

  /** The head, or null when nothing was ever appended. */
  public @Nullable Head head() {
    return graph.read(
        tx -> {
          Record r = tx.run(HEAD).single();
          Value root = r.get("root");
          return r.get("sequence").isNull() || root.isNull()
              ? null
              : new Head(r.get("sequence").asLong(), root.asString());
        });
  }

  /**
   * A stored event; one whose fields no longer parse (an edited time or outcome) is read as an
   * unreadable event, whose leaf then cannot match, so verification reports it instead of failing.
   */
  private static StoredAuditEvent row(Map<String, Object> e) {
    AuditEvent event;
    try {
      @SuppressWarnings("unchecked")
      List<String> subjects = (List<String>) e.get("subjects");
      event =
          new AuditEvent(
              Instant.parse((String) e.get("time")),
              (String) e.get("actor"),
              (String) e.get("role"),
              (String) e.get("action"),
              AuditEvent.Outcome.valueOf((String) e.get("outcome")),
              subjects,
              (String) e.get("detail"));
    } catch (RuntimeException unreadable) {
      event =
          new AuditEvent(
              Instant.EPOCH,
              "",
              "",
              "unreadable",
              AuditEvent.Outcome.FAILURE,
              List.of(),
              String.valueOf(e));
    }
    Object seq = e.get("seq");
    return new StoredAuditEvent(
        seq instanceof Number n ? n.longValue() : -1, event, (String) e.get("leafHash"));
  }
}
