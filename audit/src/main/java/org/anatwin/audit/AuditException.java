package org.anatwin.audit;

import org.anatwin.model.AnatwinException;

/** Audit and provenance failures with stable {@code audit:} codes. */
public final class AuditException extends AnatwinException {
  public AuditException(String code, String message) {
    super(code, message);
  }
}
