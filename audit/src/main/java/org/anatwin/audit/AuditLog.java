package org.anatwin.audit;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.anatwin.audit.merkle.MerkleTree;
import org.anatwin.audit.persistence.AuditRepository;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.storage.Storage;
import org.jspecify.annotations.Nullable;

/**
 * Entry point of the audit trail: a Merkle log in the manner of RFC 6962/9162. Event {@code n} is
 * leaf {@code n-1}; its leaf hash covers its sequence number and every field, length-prefixed. The
 * head keeps the tree's right edge, so each append updates the root in O(log n) under the head's
 * lock. {@link #checkpoint()} signs the current size and root into a store outside the graph;
 * {@link #verify()} walks the whole log against the head and every checkpoint; inclusion and
 * consistency proofs let anyone holding a checkpoint check an event or the log's growth without
 * trusting the service. An append that cannot be made durable throws, and the operation being
 * audited fails with it.
 */
public final class AuditLog implements AuditSink {
  private static final HexFormat HEX = HexFormat.of();
  private static final int PAGE = 5000;

  private final AuditRepository repository;
  private final CheckpointStore checkpoints;
  private final Clock clock;

  public AuditLog(Storage storage, CheckpointStore checkpoints, Clock clock) {
    this.repository = new AuditRepository(storage.graph());
    this.checkpoints = checkpoints;
    this.clock = clock;
  }

  @Override
  public void append(AuditEvent event) {
    repository.append(event, AuditLog::leaf);
  }

  @Override
  public void appendAll(List<AuditEvent> events) {
    repository.appendAll(events, AuditLog::leaf);
  }

  /** Newest first, optionally about one subject id, before a sequence number (the cursor). */
  public List<StoredAuditEvent> events(@Nullable String subject, @Nullable Long before, int limit) {
    return repository.events(subject, before, limit);
  }

  /** Up to {@code limit} committed events after sequence number {@code after}, in order. */
  public List<StoredAuditEvent> after(long after, int limit) {
    return repository.chain(after, limit);
  }

  /** The log's size and Merkle root (hex) now. */
  public record Head(long size, String rootHash) {}

  public Head head() {
    AuditRepository.Head h = repository.head();
    return h == null
        ? new Head(0, HEX.formatHex(MerkleTree.emptyRoot()))
        : new Head(h.size(), h.root());
  }

  /**
   * Signs the log's current size and root into the checkpoint store, unless the newest checkpoint
   * already has that size; returns the newest checkpoint (null while the log is empty).
   */
  public synchronized @Nullable Checkpoint checkpoint() {
    Head head = head();
    List<Checkpoint> all = checkpoints.all();
    Checkpoint last = all.isEmpty() ? null : all.getLast();
    if (head.size() == 0 || (last != null && last.size() == head.size())) {
      return last;
    }
    return checkpoints.write(head.size(), head.rootHash(), clock.instant());
  }

  /** Every checkpoint, oldest first. */
  public List<Checkpoint> checkpoints() {
    return checkpoints.all();
  }

  /**
   * Recomputes every leaf from the first event to the head as it was when the verification began
   * and checks them against the stored leaves, the head's root and every signed checkpoint; events
   * appended while it runs are left for the next verification.
   */
  public AuditVerification verify() {
    Head head = head();
    return AuditVerifier.verify(
        pages(head.size()), head.size(), head.rootHash(), checkpoints.all(), checkpoints::verify);
  }

  /** The log read in sequence order, page by page, up to {@code size}. */
  private Iterator<StoredAuditEvent> pages(long size) {
    return new Iterator<>() {
      private List<StoredAuditEvent> page = List.of();
      private int at;
      private long after;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (at < page.size()) {
          return true;
        }
        if (done || after >= size) {
          return false;
        }
        page = repository.chain(after, PAGE);
        at = 0;
        if (page.isEmpty()) {
          done = true;
          return false;
        }
        after = page.getLast().sequence();
        return true;
      }

      @Override
      public StoredAuditEvent next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.get(at++);
      }
    };
  }

  /**
   * A proof about the log of {@code treeSize} events with root {@code rootHash}: for an inclusion
   * proof the event's sequence number and leaf hash and its audit path; for a consistency proof the
   * smaller size in {@code sequence} and the path from it.
   */
  public record Proof(
      long sequence, String leafHash, long treeSize, String rootHash, List<String> path) {}

  /**
   * The audit path of event {@code sequence} in the log of {@code treeSize} events (the head's size
   * when null): check it against a checkpoint of that size.
   */
  public Proof inclusionProof(long sequence, @Nullable Long treeSize) {
    long size = treeSize == null ? head().size() : treeSize;
    if (sequence < 1 || sequence > size || size > head().size()) {
      throw new AuditException(
          "audit:proof.range",
          "event " + sequence + " is not in a log of " + size + " (it has " + head().size() + ")");
    }
    List<byte[]> leaves = leaves(size);
    return new Proof(
        sequence,
        HEX.formatHex(leaves.get((int) sequence - 1)),
        size,
        HEX.formatHex(MerkleTree.root(leaves, (int) size)),
        hex(MerkleTree.inclusionProof(leaves, (int) sequence - 1, (int) size)));
  }

  /** The proof that the log of {@code from} events is a prefix of the log of {@code to}. */
  public Proof consistencyProof(long from, @Nullable Long to) {
    long size = to == null ? head().size() : to;
    if (from < 1 || from > size || size > head().size()) {
      throw new AuditException(
          "audit:proof.range",
          "sizes " + from + " and " + size + " are not within the log of " + head().size());
    }
    List<byte[]> leaves = leaves(size);
    return new Proof(
        from,
        HEX.formatHex(MerkleTree.root(leaves, (int) from)),
        size,
        HEX.formatHex(MerkleTree.root(leaves, (int) size)),
        hex(MerkleTree.consistencyProof(leaves, (int) from, (int) size)));
  }

  private List<byte[]> leaves(long size) {
    List<byte[]> out = new ArrayList<>();
    Iterator<StoredAuditEvent> rows = pages(size);
    while (rows.hasNext() && out.size() < size) {
      StoredAuditEvent row = rows.next();
      out.add(leaf(row.sequence(), row.event()));
    }
    return out;
  }

  private static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(HEX::formatHex).toList();
  }

  /** Event {@code sequence}'s leaf hash. */
  public static byte[] leaf(long sequence, AuditEvent e) {
    return MerkleTree.leafHash(canonical(sequence, e));
  }

  /** The bytes an event's leaf covers: a version tag and each field, length-prefixed. */
  static byte[] canonical(long sequence, AuditEvent e) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String field :
        List.of(
            "anatwin-audit-event/v2",
            Long.toString(sequence),
            e.time().toString(),
            e.actor(),
            e.role(),
            e.action(),
            e.outcome().name(),
            String.join("\n", e.subjects()),
            e.detail())) {
      byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  /** When the clock says it is (for callers that stamp events). */
  public Instant now() {
    return clock.instant();
  }
}
