package org.anatwin.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.anatwin.audit.persistence.AuditRepository;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.storage.Storage;
import org.jspecify.annotations.Nullable;

/**
 * Entry point of the audit trail. Each event is hashed onto its predecessor's hash (SHA-256 over
 * the previous hash, the sequence number and the event's fields, each length-prefixed), so any
 * change to a stored event, or a removed one, breaks the chain that {@link #verify()} walks. An
 * append that cannot be made durable throws, and the operation being audited fails with it.
 */
public final class AuditLog implements AuditSink {
  static final String GENESIS = "0".repeat(64);
  private static final int PAGE = 1000;

  private final AuditRepository repository;

  public AuditLog(Storage storage) {
    this.repository = new AuditRepository(storage.graph());
  }

  @Override
  public void append(AuditEvent event) {
    repository.append(event, GENESIS, AuditLog::hash);
  }

  /** Newest first, optionally about one subject id, before a sequence number (the cursor). */
  public List<StoredAuditEvent> events(@Nullable String subject, @Nullable Long before, int limit) {
    return repository.events(subject, before, limit).stream()
        .map(r -> new StoredAuditEvent(r.sequence(), r.event(), r.previousHash(), r.hash()))
        .toList();
  }

  /**
   * Recomputes every hash from the first event to the head as it was when the verification began;
   * events appended while it runs are left for the next verification.
   */
  public AuditVerification verify() {
    AuditRepository.Head head = repository.head();
    if (head == null) {
      return new AuditVerification(true, 0, GENESIS, null);
    }
    String previous = GENESIS;
    long expected = 1;
    long after = 0;
    while (true) {
      List<AuditRepository.Row> rows = repository.chain(after, PAGE);
      if (rows.isEmpty()) {
        break;
      }
      for (AuditRepository.Row row : rows) {
        if (row.sequence() > head.sequence()) {
          // appended after the head was read (or a gap before it: the count below tells)
          return verdict(head, expected, previous);
        }
        if (row.sequence() != expected
            || !row.previousHash().equals(previous)
            || !row.hash().equals(hash(previous, row.sequence(), row.event()))) {
          return new AuditVerification(false, expected - 1, head.hash(), expected);
        }
        previous = row.hash();
        expected++;
        after = row.sequence();
      }
      if (after >= head.sequence()) {
        break;
      }
    }
    return verdict(head, expected, previous);
  }

  private static AuditVerification verdict(
      AuditRepository.Head head, long expected, String previous) {
    boolean complete = expected - 1 == head.sequence() && previous.equals(head.hash());
    return new AuditVerification(complete, expected - 1, head.hash(), complete ? null : expected);
  }

  static String hash(String previousHash, long sequence, AuditEvent e) {
    MessageDigest digest = org.anatwin.model.ContentHash.newDigest();
    field(digest, previousHash);
    field(digest, Long.toString(sequence));
    field(digest, e.time().toString());
    field(digest, e.actor());
    field(digest, e.role());
    field(digest, e.action());
    field(digest, e.outcome().name());
    field(digest, String.join("\n", e.subjects()));
    field(digest, e.detail());
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void field(MessageDigest digest, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }
}
