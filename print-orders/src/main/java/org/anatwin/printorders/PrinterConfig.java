package org.anatwin.printorders;

import java.util.List;
import org.anatwin.printorders.preparation.Preparer;
import org.anatwin.printorders.printer.PrinterDriver;

/**
 * A registered printer with what preparation needs of it: its bed (build volume) and slicing
 * profile, the thinnest wall it prints (mm), the materials loaded or loadable on it (empty: any)
 * and the driver that talks to it.
 */
public record PrinterConfig(
    Printer printer,
    Preparer.Bed bed,
    double minWallMm,
    List<String> materials,
    PrinterDriver driver) {

  public PrinterConfig {
    materials = List.copyOf(materials);
  }

  /** A printer that takes any material. */
  public PrinterConfig(Printer printer, Preparer.Bed bed, double minWallMm, PrinterDriver driver) {
    this(printer, bed, minWallMm, List.of(), driver);
  }

  /** Whether the printer prints the material (case aside). */
  public boolean takes(String material) {
    return materials.isEmpty() || materials.stream().anyMatch(m -> m.equalsIgnoreCase(material));
  }
}
