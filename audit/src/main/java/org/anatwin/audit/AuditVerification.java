package org.anatwin.audit;

import org.jspecify.annotations.Nullable;

/**
 * Result of walking the whole audit log: whether every event is in place and unaltered, the head's
 * Merkle root matches, and every signed checkpoint is the root of the log's prefix of its size; how
 * many events and checkpoints were checked, the root, the first sequence number found wrong (or the
 * first of the range a checkpoint covers), and what was wrong, in words.
 */
public record AuditVerification(
    boolean valid,
    long events,
    String headHash,
    @Nullable Long firstInvalidSequence,
    int checkpoints,
    @Nullable String problem) {}
