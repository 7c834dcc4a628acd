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

  /** A successful operation of {@code actor}. */
  public static AuditEvent success(
      Instant time, Actor actor, String action, List<String> subjects, String detail) {
    return new AuditEvent(
        time, actor.userName(), actor.role(), action, Outcome.SUCCESS, subjects, detail);
  }
}
