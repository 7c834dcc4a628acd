package org.anatwin.model;

/** Port through which modules append audit events; implemented by the audit module. */
@FunctionalInterface
public interface AuditSink {
  /** Appends the event durably, or throws: an operation must not succeed unaudited. */
  void append(AuditEvent event);

  /**
   * Appends the events in order, durably, or none of them when inside a transaction that fails; a
   * sink may write them at once (the audit log does: one head update for all).
   */
  default void appendAll(java.util.List<AuditEvent> events) {
    for (AuditEvent event : events) {
      append(event);
    }
  }
}
