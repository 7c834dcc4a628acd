package org.anatwin.printorders;

/**
 * How a printer builds a part, and the thinnest wall it builds reliably (mm), as the common design
 * guides for each process give it: FDM two perimeters of a 0.4 mm nozzle, SLA a supported wall, SLS
 * and material jetting (PolyJet) their minimum walls. Only FDM printers are sliced by CuraEngine;
 * the others take the 3MF job package.
 */
public enum Technology {
  FDM(0.8),
  SLA(0.4),
  SLS(0.7),
  POLYJET(0.6);

  private final double minWallMm;

  Technology(double minWallMm) {
    this.minWallMm = minWallMm;
  }

  public double minWallMm() {
    return minWallMm;
  }
}
