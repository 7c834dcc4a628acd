package org.anatwin.model;

/** A value of the domain vocabulary was built from invalid parts. */
public final class ModelException extends AnatwinException {
  ModelException(String code, String message) {
    super(code, message);
  }

  static ModelException invalid(String what, String value) {
    return new ModelException(
        "model:" + what + ".invalid", "invalid " + what + ": '" + value + "'");
  }
}
