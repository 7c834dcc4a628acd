package org.anatwin.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Base of every module's exception hierarchy. Each carries a stable, namespaced code such as {@code
 * ingest:series.gantry-tilt} that clients may rely on, and a message a person can act on.
 */
public abstract class AnatwinException extends RuntimeException {
  private static final Pattern CODE = Pattern.compile("[a-z-]+:[a-z0-9.-]+");
  private final String code;

  protected AnatwinException(String code, String message, Throwable cause) {
    super(message, cause);
    if (!CODE.matcher(Objects.requireNonNull(code)).matches()) {
      throw new IllegalArgumentException("not a namespaced error code: " + code);
    }
    this.code = code;
  }

  protected AnatwinException(String code, String message) {
    this(code, message, null);
  }

  /** The stable code, {@code module:subject.reason}. */
  public String code() {
    return code;
  }
}
