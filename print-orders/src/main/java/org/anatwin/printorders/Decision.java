package org.anatwin.printorders;

/**
 * An approver's signature: approved or not, the meaning of the signature (e.g. "approved for
 * printing") and the reason, as 21 CFR 11.50 asks a signature manifestation to show.
 */
public record Decision(boolean approved, String meaning, String reason) {
  public Decision {
    if (meaning.isBlank()) {
      throw new PrintOrderException(
          "print-orders:approval.no-meaning",
          "a signature needs its meaning, e.g. 'approved for printing'");
    }
  }
}
