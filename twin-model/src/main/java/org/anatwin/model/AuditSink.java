package org.anatwin.model;

/** Port through which modules append audit events; implemented by the audit module. */
@FunctionalInterface
public interface AuditSink {
  /** Appends the event durably, or throws: an operation must not succeed unaudited. */
  void append(AuditEvent event);
}
