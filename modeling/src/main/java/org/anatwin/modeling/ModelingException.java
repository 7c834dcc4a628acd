package org.anatwin.modeling;

import org.anatwin.model.AnatwinException;

/**
 * Modeling refusals with stable {@code modeling:} codes, e.g. {@code modeling:segmentation.empty}.
 */
public final class ModelingException extends AnatwinException {
  public ModelingException(String code, String message) {
    super(code, message);
  }

  public ModelingException(String code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
