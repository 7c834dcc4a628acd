package org.anatwin.printorders;

import org.anatwin.printorders.preparation.Preparer;
import org.anatwin.printorders.printer.PrinterDriver;

/**
 * A registered printer with what preparation needs of it: its bed and slicing profile, the thinnest
 * wall it prints (mm) and the driver that talks to it.
 */
public record PrinterConfig(
    Printer printer, Preparer.Bed bed, double minWallMm, PrinterDriver driver) {}
