package org.anatwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.anatwin.model.Actor;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent senders share transactions: instances stored at once from several threads are
 * committed in groups (fewer write transactions, and fewer statements, than instances), each stored
 * once with its receipt and its audit event, and one instance whose audit event fails is refused
 * alone.
 */
class GroupCommitIT {
  @TempDir Path work;

  @Test
  void concurrentStoresAreCommittedInGroupsAndAFailureStaysWithItsInstance() throws Exception {
    List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    Map<String, Boolean> refuseAudit = new ConcurrentHashMap<>();
    try (Storage storage = Storage.open(Storage.Settings.embedded(work.resolve("home")))) {
      Ingest ingest =
          new Ingest(
              storage,
              event -> {
                if (event.subjects().stream().anyMatch(refuseAudit::containsKey)) {
                  throw new IllegalStateException("the audit sink refuses this event");
                }
                audit.add(event);
              },
              Ingest.Limits.defaults(),
              Clock.systemUTC());
      List<byte[]> files = new ArrayList<>();
      List<SeriesInstanceUid> series = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        List<Path> slices =
            new SyntheticSeries("group-commit-" + s, s + 1, 32, 32, 0.7, 40, 1.0, 0, 0, 0)
                .write(work.resolve("s" + s), (x, y, z) -> x * 7 + y - z);
        for (Path slice : slices) {
          files.add(Files.readAllBytes(slice));
        }
        series.add(
            org.anatwin.ingest.internal.DicomInstance.parse(files.getLast()).seriesInstanceUid());
      }
      // one instance whose audit event the sink refuses: it alone must fail
      var refused = org.anatwin.ingest.internal.DicomInstance.parse(files.get(57));
      refuseAudit.put(refused.sopInstanceUid().entityId(), true);

      long transactionsBefore = storage.graph().writeTransactions();
      long statementsBefore = storage.graph().statements();
      List<Future<Boolean>> stored = new ArrayList<>();
      try (var pool = Executors.newFixedThreadPool(8)) {
        for (byte[] file : files) {
          stored.add(
              pool.submit(
                  () -> {
                    try {
                      ingest.receive(file, Actor.dicomSender("GROUP"), "test");
                      return true;
                    } catch (RuntimeException e) {
                      return false;
                    }
                  }));
        }
      }
      long transactions = storage.graph().writeTransactions() - transactionsBefore;
      long statements = storage.graph().statements() - statementsBefore;
      long succeeded = 0;
      for (Future<Boolean> f : stored) {
        succeeded += f.get() ? 1 : 0;
      }
      assertThat(succeeded).isEqualTo(files.size() - 1);
      assertThat(transactions)
          .as("%d instances from 8 threads in fewer transactions", files.size())
          .isLessThan(files.size());
      // a group costs a constant number of statements (find-or-create, receipts; this sink is not
      // in the graph): one per instance would be two per instance
      assertThat(statements)
          .as("%d statements for %d instances", statements, files.size())
          .isLessThan(files.size());
      long instances =
          storage
              .graph()
              .read(
                  tx ->
                      tx.run("MATCH (:Series)-[:HAS_INSTANCE]->(i:Instance) RETURN count(i)")
                          .single()
                          .get(0)
                          .asLong());
      assertThat(instances).isEqualTo(files.size() - 1);
      long receipts =
          storage
              .graph()
              .read(
                  tx ->
                      tx.run(
                              "MATCH (a:Activity {algorithm: 'anatwin.dicom.receive'})-[r]-(:Instance) RETURN count(DISTINCT a)")
                          .single()
                          .get(0)
                          .asLong());
      assertThat(receipts).isEqualTo(files.size() - 1);
      // this test's sink is a plain list, outside the graph's transactions: events of a group that
      // rolled back and was retried one by one are in it twice; the graph-backed audit log rolls
      // them back with the group
      assertThat(
              audit.stream()
                  .filter(e -> e.action().equals("dicom.store"))
                  .map(e -> e.subjects().getFirst())
                  .distinct()
                  .count())
          .isEqualTo(files.size() - 1);
      assertThat(audit).noneMatch(e -> e.subjects().contains(refused.sopInstanceUid().entityId()));
      long refusedNodes =
          storage
              .graph()
              .read(
                  tx ->
                      tx.run(
                              "MATCH (i:Instance {sopInstanceUid: $u}) RETURN count(i)",
                              Map.of("u", refused.sopInstanceUid().value()))
                          .single()
                          .get(0)
                          .asLong());
      assertThat(refusedNodes).as("the instance whose audit failed").isZero();
      // the series without the refused slice are whole
      for (SeriesInstanceUid uid : List.of(series.get(0), series.get(2), series.get(3))) {
        assertThat(ingest.volumeOf(uid).geometry().nz()).isEqualTo(40);
      }
    }
  }
}
