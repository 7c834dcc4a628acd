package org.anatwin.model;

import java.time.Instant;
import java.util.List;

/**
 * One entry of the audit trail: who did what to which subjects, with what outcome. Every mutation
 * and every read of PHI produces one.
 */
public record AuditEvent(
    Instant time,
    String actor,
    String role,
    String action,
    Outcome outcome,
    List<String> subjects,
    String detail) {

  /** Whether the audited operation succeeded. */
  public enum Outcome {
    SUCCESS,
    FAILURE
  }

  public AuditEvent {
    subjects = List.copyOf(subjects);
  }
}
