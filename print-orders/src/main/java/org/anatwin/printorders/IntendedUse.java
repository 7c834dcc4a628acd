package org.anatwin.printorders;

/**
 * What a printed model is for, and how closely the printed part must match its design: the 95th
 * percentile of the scanned surface's distance to the design, in millimetres. Anatomical models for
 * planning are held to 0.5 mm, teaching models to 1 mm; guides and implant trials, which must seat
 * on bone, to 0.25 mm.
 */
public enum IntendedUse {
  PLANNING(0.5),
  EDUCATION(1.0),
  GUIDE(0.25),
  IMPLANT_TRIAL(0.25);

  private final double toleranceMm;

  IntendedUse(double toleranceMm) {
    this.toleranceMm = toleranceMm;
  }

  /** The QA tolerance at the 95th percentile, mm. */
  public double toleranceMm() {
    return toleranceMm;
  }
}
