package org.anatwin.audit;

import org.anatwin.model.AuditEvent;
import org.jspecify.annotations.Nullable;

/**
 * An audit event as stored: its sequence number (1, 2, ...: its leaf index plus one) and the leaf
 * hash stored with it (hex; null for events stored before the log was a Merkle tree).
 */
public record StoredAuditEvent(long sequence, AuditEvent event, @Nullable String leafHash) {}
