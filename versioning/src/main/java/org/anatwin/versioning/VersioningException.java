package org.anatwin.versioning;

import org.anatwin.model.AnatwinException;

/** Versioning refusals with stable {@code versioning:} codes. */
public final class VersioningException extends AnatwinException {
  public VersioningException(String code, String message) {
    super(code, message);
  }

  public VersioningException(String code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
