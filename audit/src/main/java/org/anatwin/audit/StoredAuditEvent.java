package org.anatwin.audit;

import org.anatwin.model.AuditEvent;

/** An audit event as stored: its place in the chain, the previous event's hash and its own. */
public record StoredAuditEvent(long sequence, AuditEvent event, String previousHash, String hash) {}
