package org.anatwin.printorders;

import org.anatwin.model.AnatwinException;

/** Refusals of the print workflow with stable {@code print-orders:} codes. */
public final class PrintOrderException extends AnatwinException {
  public PrintOrderException(String code, String message) {
    super(code, message);
  }
}
