package org.anatwin.api;

import org.anatwin.model.AnatwinException;

/** A request the API itself refuses, with a stable {@code api:*} code. */
public final class ApiException extends AnatwinException {
  public ApiException(String code, String message) {
    super(code, message);
  }
}
