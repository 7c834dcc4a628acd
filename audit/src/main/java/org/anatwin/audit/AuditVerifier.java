package org.anatwin.audit;

import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.anatwin.audit.merkle.MerkleTree;

/**
 * Checks a log read in sequence order against its head and its signed checkpoints: sequence numbers
 * run 1, 2, ... without gap or repeat (a deleted, inserted or moved event breaks them or its leaf,
 * which covers its number); each event's leaf, recomputed from its fields, equals the leaf stored
 * with it; the root of the first {@code size} leaves equals every checkpoint of that size whose
 * signature holds, and no checkpoint is larger than the log (truncation); the root of the whole log
 * equals the head's. The graph alone cannot vouch for itself: an attacker who rewrites events,
 * leaves and head together is caught by the first checkpoint after the change.
 */
public final class AuditVerifier {
  private static final HexFormat HEX = HexFormat.of();

  private AuditVerifier() {}

  public static AuditVerification verify(
      Iterator<StoredAuditEvent> rows,
      long headSize,
      String headRoot,
      List<Checkpoint> checkpoints,
      Predicate<Checkpoint> signed) {
    List<Checkpoint> sorted =
        checkpoints.stream().sorted(Comparator.comparingLong(Checkpoint::size)).toList();
    for (Checkpoint c : sorted) {
      if (c.size() < 0 || !signed.test(c)) {
        return fail(0, headRoot, null, 0, "a checkpoint's signature does not hold: " + c);
      }
    }
    MerkleTree.Frontier frontier = new MerkleTree.Frontier();
    int next = 0;
    long previousCheckpoint = 0;
    while (next < sorted.size() && sorted.get(next).size() == 0) {
      next++;
    }
    long expected = 1;
    while (expected <= headSize && rows.hasNext()) {
      StoredAuditEvent row = rows.next();
      if (row.sequence() != expected) {
        return fail(
            expected - 1,
            headRoot,
            expected,
            next,
            "event " + expected + " is missing or out of place (found " + row.sequence() + ")");
      }
      byte[] leaf = AuditLog.leaf(row.sequence(), row.event());
      if (row.leafHash() != null && !row.leafHash().equals(HEX.formatHex(leaf))) {
        return fail(
            expected - 1,
            headRoot,
            expected,
            next,
            "event " + expected + " does not match the leaf hash stored with it");
      }
      frontier.append(leaf);
      while (next < sorted.size() && sorted.get(next).size() == expected) {
        Checkpoint c = sorted.get(next);
        if (!HEX.formatHex(frontier.root()).equals(c.rootHash())) {
          return fail(
              expected,
              headRoot,
              previousCheckpoint + 1,
              next,
              "events "
                  + (previousCheckpoint + 1)
                  + " to "
                  + c.size()
                  + " differ from what the checkpoint of "
                  + c.time()
                  + " signed");
        }
        previousCheckpoint = c.size();
        next++;
      }
      expected++;
    }
    long events = expected - 1;
    if (events < headSize) {
      return fail(
          events,
          headRoot,
          expected,
          next,
          "the head counts " + headSize + " events but only " + events + " are stored");
    }
    if (next < sorted.size()) {
      Checkpoint c = sorted.get(next);
      return fail(
          events,
          headRoot,
          events + 1,
          next,
          "a checkpoint of "
              + c.time()
              + " signed "
              + c.size()
              + " events, the log has "
              + events
              + ": events were removed");
    }
    String root = HEX.formatHex(frontier.root());
    if (!root.equals(headRoot)) {
      return fail(
          events,
          headRoot,
          previousCheckpoint + 1,
          next,
          "the events after the last checkpoint do not add up to the head's root");
    }
    return new AuditVerification(true, events, root, null, next, null);
  }

  private static AuditVerification fail(
      long events, String root, Long first, int checkpoints, String problem) {
    return new AuditVerification(false, events, root, first, checkpoints, problem);
  }
}
