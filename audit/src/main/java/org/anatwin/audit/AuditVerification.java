package org.anatwin.audit;

import org.jspecify.annotations.Nullable;

/**
 * Result of walking the whole audit chain: whether every event's hash matches its content and its
 * predecessor, how many events were checked, the head hash, and the first event that failed.
 */
public record AuditVerification(
    boolean valid, long events, String headHash, @Nullable Long firstInvalidSequence) {}
