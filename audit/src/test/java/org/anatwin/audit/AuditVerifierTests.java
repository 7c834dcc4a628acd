package org.anatwin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.anatwin.audit.merkle.MerkleTree;
import org.anatwin.model.AuditEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 10,000-event log with signed checkpoints every 1,000 events and at its end: verification finds
 * it whole, and finds every one of 1,200 randomised tamperings — a flipped byte in any field of any
 * event (with or without the attacker recomputing the event's leaf and the head), a deleted,
 * inserted or moved event, a truncated log.
 */
class AuditVerifierTests {
  private static final HexFormat HEX = HexFormat.of();
  private static final int EVENTS = 10_000;
  private static final String[] ACTIONS = {
    "twin.build", "print-order.create", "print-order.approve", "mesh.read", "audit.read"
  };

  @TempDir static Path keys;
  private static FileCheckpoints checkpoints;
  private static List<StoredAuditEvent> log;

  @BeforeAll
  static void writeTheLog() {
    checkpoints = new FileCheckpoints(keys);
    Random random = new Random(42);
    log = new ArrayList<>();
    MerkleTree.Frontier frontier = new MerkleTree.Frontier();
    Instant t = Instant.parse("2026-11-01T08:00:00Z");
    for (long seq = 1; seq <= EVENTS; seq++) {
      AuditEvent e =
          new AuditEvent(
              t.plusMillis(seq * 137),
              "user-" + random.nextInt(40),
              List.of("planner", "radiologist", "technician", "quality").get(random.nextInt(4)),
              ACTIONS[random.nextInt(ACTIONS.length)],
              random.nextInt(20) == 0 ? AuditEvent.Outcome.FAILURE : AuditEvent.Outcome.SUCCESS,
              List.of("twin-" + random.nextInt(500), "mesh-" + random.nextInt(5000)),
              "détail " + random.nextLong());
      byte[] leaf = AuditLog.leaf(seq, e);
      log.add(new StoredAuditEvent(seq, e, HEX.formatHex(leaf)));
      frontier.append(leaf);
      if (seq % 1000 == 0) {
        checkpoints.write(seq, HEX.formatHex(frontier.root()), t.plusSeconds(seq));
      }
    }
  }

  private static AuditVerification verify(List<StoredAuditEvent> rows, long size, String root) {
    return AuditVerifier.verify(
        rows.iterator(), size, root, checkpoints.all(), checkpoints::verify);
  }

  private static String root(List<StoredAuditEvent> rows) {
    MerkleTree.Frontier f = new MerkleTree.Frontier();
    rows.forEach(r -> f.append(AuditLog.leaf(r.sequence(), r.event())));
    return HEX.formatHex(f.root());
  }

  @Test
  void theWholeLogVerifies() {
    AuditVerification v = verify(log, EVENTS, root(log));
    assertThat(v.valid()).isTrue();
    assertThat(v.events()).isEqualTo(EVENTS);
    assertThat(v.checkpoints()).isEqualTo(10);
    assertThat(v.problem()).isNull();
  }

  @Test
  void everyRandomisedTamperingIsDetected() {
    Random random = new Random(7);
    String root = root(log);
    int trials = 0;
    int detected = 0;
    List<String> missed = new ArrayList<>();
    for (int trial = 0; trial < 1200; trial++) {
      List<StoredAuditEvent> rows = new ArrayList<>(log);
      long size = EVENTS;
      String headRoot = root;
      String kind;
      int at = random.nextInt(EVENTS);
      switch (trial % 6) {
        case 0 -> {
          kind = "byte flipped in a field";
          rows.set(at, flipped(rows.get(at), random, false));
        }
        case 1 -> {
          kind = "byte flipped, leaf and head recomputed";
          rows.set(at, flipped(rows.get(at), random, true));
          headRoot = root(rows);
        }
        case 2 -> {
          kind = "event deleted";
          rows.remove(at);
          if (random.nextBoolean()) {
            // and the rest renumbered, leaves and head recomputed
            rows = renumbered(rows);
            size = rows.size();
            headRoot = root(rows);
          }
        }
        case 3 -> {
          kind = "event inserted";
          StoredAuditEvent fake = flipped(rows.get(at), random, true);
          rows.add(at, fake);
          rows = renumbered(rows);
          size = rows.size();
          headRoot = root(rows);
        }
        case 4 -> {
          kind = "events moved";
          int other = (at + 1 + random.nextInt(EVENTS - 1)) % EVENTS;
          StoredAuditEvent a = rows.get(at);
          StoredAuditEvent b = rows.get(other);
          if (random.nextBoolean()) {
            rows.set(at, b);
            rows.set(other, a);
          } else {
            // contents swapped under the original numbers, leaves and head recomputed
            rows.set(at, relabelled(b, a.sequence()));
            rows.set(other, relabelled(a, b.sequence()));
            headRoot = root(rows);
          }
        }
        default -> {
          kind = "log truncated";
          int keep = random.nextInt(EVENTS);
          rows = new ArrayList<>(rows.subList(0, keep));
          size = keep;
          headRoot = root(rows);
        }
      }
      trials++;
      AuditVerification v = verify(rows, size, headRoot);
      if (!v.valid()) {
        detected++;
        assertThat(v.problem()).isNotBlank();
      } else {
        missed.add(kind + " at " + (at + 1));
      }
    }
    assertThat(missed).isEmpty();
    assertThat(detected).isEqualTo(trials).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void aForgedOrEditedCheckpointIsRefused() throws Exception {
    Path copy = keys.resolveSibling(keys.getFileName() + "-forged");
    java.nio.file.Files.createDirectories(copy);
    FileCheckpoints other = new FileCheckpoints(copy);
    Checkpoint real = checkpoints.all().getLast();
    Checkpoint forged = other.write(real.size(), real.rootHash(), real.time());
    assertThat(checkpoints.verify(real)).isTrue();
    assertThat(checkpoints.verify(forged)).as("signed with another key").isFalse();
    Checkpoint edited =
        new Checkpoint(real.size() - 1, real.rootHash(), real.time(), real.signature());
    assertThat(checkpoints.verify(edited)).as("size edited").isFalse();
  }

  /** The event with one bit of one byte of one of its stored fields flipped. */
  private static StoredAuditEvent flipped(StoredAuditEvent row, Random random, boolean rehash) {
    AuditEvent e = row.event();
    long seq = row.sequence();
    String leaf = row.leafHash();
    while (true) {
      int field = random.nextInt(rehash ? 7 : 8);
      AuditEvent changed =
          switch (field) {
            case 0 -> with(e, flip(e.time().toString(), random), null, null, null, null, null);
            case 1 -> with(e, null, flip(e.actor(), random), null, null, null, null);
            case 2 -> with(e, null, null, flip(e.role(), random), null, null, null);
            case 3 -> with(e, null, null, null, flip(e.action(), random), null, null);
            case 4 ->
                with(
                    e,
                    null,
                    null,
                    null,
                    null,
                    List.of(flip(String.join("\n", e.subjects()), random)),
                    null);
            case 5 -> with(e, null, null, null, null, null, flip(e.detail(), random));
            case 6 -> {
              // the outcome: the only other value a byte flip could leave readable
              yield new AuditEvent(
                  e.time(),
                  e.actor(),
                  e.role(),
                  e.action(),
                  e.outcome() == AuditEvent.Outcome.SUCCESS
                      ? AuditEvent.Outcome.FAILURE
                      : AuditEvent.Outcome.SUCCESS,
                  e.subjects(),
                  e.detail());
            }
            default -> null;
          };
      if (field == 7) {
        // the stored leaf hash itself
        return new StoredAuditEvent(seq, e, flip(leaf, random));
      }
      if (changed == null || changed.equals(e)) {
        continue;
      }
      return new StoredAuditEvent(
          seq, changed, rehash ? HEX.formatHex(AuditLog.leaf(seq, changed)) : leaf);
    }
  }

  private static AuditEvent with(
      AuditEvent e,
      String time,
      String actor,
      String role,
      String action,
      List<String> subjects,
      String detail) {
    Instant t = e.time();
    if (time != null) {
      try {
        t = Instant.parse(time);
      } catch (RuntimeException unreadable) {
        return null;
      }
    }
    return new AuditEvent(
        t,
        actor == null ? e.actor() : actor,
        role == null ? e.role() : role,
        action == null ? e.action() : action,
        e.outcome(),
        subjects == null ? e.subjects() : subjects,
        detail == null ? e.detail() : detail);
  }

  private static String flip(String text, Random random) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0) {
      return "x";
    }
    int i = random.nextInt(bytes.length);
    bytes[i] ^= (byte) (1 << random.nextInt(8));
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Numbered 1, 2, ... again, each leaf recomputed: what an attacker with the graph can do. */
  private static List<StoredAuditEvent> renumbered(List<StoredAuditEvent> rows) {
    List<StoredAuditEvent> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      out.add(relabelled(rows.get(i), i + 1));
    }
    return out;
  }

  private static StoredAuditEvent relabelled(StoredAuditEvent row, long seq) {
    return new StoredAuditEvent(seq, row.event(), HEX.formatHex(AuditLog.leaf(seq, row.event())));
  }
}
