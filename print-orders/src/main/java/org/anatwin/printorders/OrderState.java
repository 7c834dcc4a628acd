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
  CANCELLED
}
