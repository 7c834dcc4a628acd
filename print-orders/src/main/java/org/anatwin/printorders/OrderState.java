package org.anatwin.printorders;

/** States of a print order; which event leads where is decided in {@link OrderEvent#apply}. */
public enum OrderState {
  SUBMITTED,
  APPROVED,
  REJECTED,
  PREPARED,
  QUEUED,
  PRINTING,
  PRINTED,
  FAILED,
  /** Every printed copy measured so far passed its QA. */
  QA_PASSED,
  /** At least one printed copy failed its QA (that copy cannot be delivered). */
  QA_FAILED,
  /** A copy that passed QA was handed over. */
  DELIVERED,
  CANCELLED
}
