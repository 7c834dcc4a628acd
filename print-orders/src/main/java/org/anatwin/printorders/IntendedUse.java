package org.anatwin.printorders;

/** What a printed model is for. */
public enum IntendedUse {
  PLANNING,
  EDUCATION,
  GUIDE,
  IMPLANT_TRIAL
}
