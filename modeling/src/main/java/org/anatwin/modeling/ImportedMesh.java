package org.anatwin.modeling;

import org.anatwin.model.TriangleMesh;

/**
 * A mesh read from a file made elsewhere, in millimetres: the format it was read as, the unit the
 * file declared ({@code unspecified} for STL, OBJ and PLY, which carry none) and the factor that
 * was applied to reach millimetres.
 */
public record ImportedMesh(TriangleMesh mesh, String format, String unit, double toMillimetres) {
  /** Units a unit-less file (STL, OBJ, PLY) may be declared in, and their size in millimetres. */
  public static final java.util.Map<String, Double> UNITS =
      java.util.Map.of(
          "MICRON", 0.001, "MILLIMETER", 1.0, "CENTIMETER", 10.0, "INCH", 25.4, "METER", 1000.0);

  /** Whether the file declared no unit, so the one its sender names applies. */
  public boolean unitless() {
    return unit.equals("unspecified");
  }
}
