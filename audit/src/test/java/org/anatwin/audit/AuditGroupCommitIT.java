package org.anatwin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.anatwin.model.AuditEvent;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends from many threads are written by group commits (one transaction and one Merkle head
 * update for all that waited), each event exactly once with its own sequence number, and the log
 * verifies; an append made inside an operation's transaction commits or rolls back with it.
 */
class AuditGroupCommitIT {
  @TempDir static Path work;
  static Storage storage;
  static AuditLog audit;

  @BeforeAll
  static void open() {
    storage = Storage.open(Storage.Settings.embedded(work.resolve("home")));
    audit =
        new AuditLog(storage, new FileCheckpoints(work.resolve("checkpoints")), Clock.systemUTC());
  }

  @AfterAll
  static void close() {
    storage.close();
  }

  private static AuditEvent event(String actor, int i) {
    return new AuditEvent(
        Instant.now(),
        actor,
        "quality",
        "audit.read",
        AuditEvent.Outcome.SUCCESS,
        List.of("subject-" + i),
        actor + " #" + i);
  }

  @Test
  void concurrentAppendsAreCommittedTogetherEachOnceAndTheLogVerifies() throws Exception {
    long sizeBefore = audit.head().size();
    long statementsBefore = storage.graph().statements();
    int writers = 16;
    int each = 100;
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String actor = "writer-" + w;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; i < each; i++) {
                      audit.append(event(actor, i));
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    long spent = storage.graph().statements() - statementsBefore;
    assertThat(audit.head().size()).isEqualTo(sizeBefore + writers * each);
    List<StoredAuditEvent> written = audit.after(sizeBefore, writers * each + 10);
    assertThat(written).hasSize(writers * each);
    Set<String> details = new HashSet<>();
    long expected = sizeBefore;
    for (StoredAuditEvent e : written) {
      assertThat(e.sequence()).isEqualTo(++expected);
      details.add(e.event().detail());
    }
    assertThat(details).hasSize(writers * each);
    // one commit per event would send two statements each (lock the head, write)
    assertThat(spent).as("statements for %d appends", writers * each).isLessThan(writers * each);
    assertThat(audit.verify().valid()).isTrue();
  }

  @Test
  void anAppendInsideAnOperationsTransactionRollsBackWithIt() {
    long before = audit.head().size();
    assertThatThrownBy(
            () ->
                storage
                    .graph()
                    .atomically(
                        () -> {
                          audit.append(event("operation", 1));
                          throw new IllegalStateException("the operation failed after auditing");
                        }))
        .hasMessageContaining("the operation failed");
    assertThat(audit.head().size()).isEqualTo(before);
    storage.graph().atomically(() -> audit.append(event("operation", 2)));
    assertThat(audit.head().size()).isEqualTo(before + 1);
    assertThat(audit.verify().valid()).isTrue();
  }

  @Test
  void eventsAppendedTogetherInsideATransactionTakeOneHeadUpdateAndFollowInOrder() {
    audit.append(event("group", 0)); // the log has a head (a new one is set up on first append)
    long before = audit.head().size();
    List<AuditEvent> events = List.of(event("group", 1), event("group", 2), event("group", 3));
    long statementsBefore = storage.graph().statements();
    storage.graph().atomically(() -> audit.appendAll(events));
    assertThat(storage.graph().statements() - statementsBefore)
        .as("lock the head, write all")
        .isEqualTo(2);
    List<StoredAuditEvent> written = audit.after(before, 10);
    assertThat(written)
        .extracting(e -> e.event().detail())
        .containsExactly("group #1", "group #2", "group #3");
    assertThat(written)
        .extracting(StoredAuditEvent::sequence)
        .containsExactly(before + 1, before + 2, before + 3);
    assertThat(audit.verify().valid()).isTrue();
    // and rolled back together with the transaction
    assertThatThrownBy(
            () ->
                storage
                    .graph()
                    .atomically(
                        () -> {
                          audit.appendAll(List.of(event("group", 4), event("group", 5)));
                          throw new IllegalStateException("the operation failed after auditing");
                        }))
        .hasMessageContaining("the operation failed");
    assertThat(audit.head().size()).isEqualTo(before + 3);
  }
}
