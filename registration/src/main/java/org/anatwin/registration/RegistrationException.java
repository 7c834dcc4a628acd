package org.anatwin.registration;

import org.anatwin.model.AnatwinException;

/** Registration refusals with stable {@code registration:} codes. */
public final class RegistrationException extends AnatwinException {
  public RegistrationException(String code, String message) {
    super(code, message);
  }
}
