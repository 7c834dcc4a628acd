package org.anatwin.printorders.preparation;

import java.util.ArrayList;
import java.util.List;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.printorders.PrintOrderException;
import org.jspecify.annotations.Nullable;

/**
 * Lays an order's parts out for one printer and slices them: each part scaled, turned to its best
 * (or the requested) orientation, the parts side by side along x centred on the bed, refused if
 * they do not fit the build volume; then one STL of the plate for CuraEngine and a 3MF package.
 */
public final class Preparer {
  /** Gap between parts on the bed (mm). */
  static final double GAP = 5;

  private Preparer() {}

  /** A part to prepare: its structure, design kind (null for anatomy) and mesh (patient mm). */
  public record Input(String structure, @Nullable String designKind, TriangleMesh mesh) {}

  /** A printer's bed and how it prints. */
  public record Bed(
      double widthMm,
      double depthMm,
      double heightMm,
      double overhangDegrees,
      CuraSlicer.@Nullable Profile profile) {}

  /** One placed part: where it lies and how much support it needs. */
  public record PlacedPart(
      String structure,
      TriangleMesh mesh,
      double[] down,
      double supportAreaMm2,
      double heightMm,
      boolean orientationOverridden) {}

  /** The prepared plate: parts, the plate's STL and 3MF, and CuraEngine's result if sliced. */
  public record Plate(
      List<PlacedPart> parts, byte[] stl, byte[] threeMf, CuraSlicer.@Nullable Sliced sliced) {
    public double heightMm() {
      return parts.stream().mapToDouble(PlacedPart::heightMm).max().orElse(0);
    }
  }

  /**
   * Prepares the parts. {@code down}, when given, is the direction of each part (in its own patient
   * coordinates) to lay on the bed, overriding the automatic choice.
   */
  public static Plate prepare(
      List<Input> inputs,
      double scale,
      Bed bed,
      double @Nullable [] down,
      String material,
      String title,
      @Nullable CuraSlicer slicer) {
    List<PlacedPart> oriented = new ArrayList<>();
    double totalWidth = 0;
    for (Input in : inputs) {
      Orientation.Choice choice =
          down == null
              ? Orientation.choose(in.mesh(), bed.overhangDegrees())
              : Orientation.evaluate(in.mesh(), unit(down), bed.overhangDegrees());
      TriangleMesh placed = Orientation.place(in.mesh(), scale, choice.rotation(), 0, 0);
      double[] box = box(placed);
      totalWidth += (box[3] - box[0]) + (oriented.isEmpty() ? 0 : GAP);
      if (box[4] - box[1] > bed.depthMm() || box[5] > bed.heightMm()) {
        throw tooLarge(in.structure(), box, bed);
      }
      oriented.add(
          new PlacedPart(
              in.structure(),
              placed,
              choice.down(),
              choice.supportAreaMm2() * scale * scale,
              box[5],
              down != null));
    }
    if (totalWidth > bed.widthMm()) {
      throw new PrintOrderException(
          "print-orders:prepare.too-large",
          String.format(
              java.util.Locale.ROOT,
              "the parts side by side need %.1f mm, the bed is %.1f mm wide",
              totalWidth,
              bed.widthMm()));
    }
    // side by side along x, centred on the bed
    List<PlacedPart> parts = new ArrayList<>();
    double x = bed.widthMm() / 2 - totalWidth / 2;
    List<JobPackage.Part> packaged = new ArrayList<>();
    for (int i = 0; i < oriented.size(); i++) {
      PlacedPart p = oriented.get(i);
      double[] box = box(p.mesh());
      double width = box[3] - box[0];
      TriangleMesh moved =
          Orientation.place(
              p.mesh(),
              1,
              new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1},
              x + width / 2,
              bed.depthMm() / 2);
      x += width + GAP;
      parts.add(
          new PlacedPart(
              p.structure(),
              moved,
              p.down(),
              p.supportAreaMm2(),
              p.heightMm(),
              p.orientationOverridden()));
      packaged.add(JobPackage.styled(p.structure(), inputs.get(i).designKind(), moved, material));
    }
    byte[] stl = Modeling.toStl(merge(parts));
    byte[] threeMf = JobPackage.write(packaged, title);
    CuraSlicer.Sliced sliced =
        slicer == null || bed.profile() == null ? null : slicer.slice(stl, bed.profile());
    return new Plate(parts, stl, threeMf, sliced);
  }

  private static PrintOrderException tooLarge(String structure, double[] box, Bed bed) {
    return new PrintOrderException(
        "print-orders:prepare.too-large",
        String.format(
            java.util.Locale.ROOT,
            "%s needs %.1f x %.1f x %.1f mm at this scale; the printer builds %.0f x %.0f x %.0f mm",
            structure,
            box[3] - box[0],
            box[4] - box[1],
            box[5] - box[2],
            bed.widthMm(),
            bed.depthMm(),
            bed.heightMm()));
  }

  private static double[] unit(double[] d) {
    double n = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (d.length != 3 || !(n > 0)) {
      throw new PrintOrderException(
          "print-orders:prepare.orientation", "the down direction is three numbers, not all zero");
    }
    return new double[] {d[0] / n, d[1] / n, d[2] / n};
  }

  static double[] box(TriangleMesh mesh) {
    double[] b = {
      Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
      -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE
    };
    float[] p = mesh.points();
    for (int v = 0; v < p.length; v += 3) {
      for (int k = 0; k < 3; k++) {
        b[k] = Math.min(b[k], p[v + k]);
        b[k + 3] = Math.max(b[k + 3], p[v + k]);
      }
    }
    return b;
  }

  private static TriangleMesh merge(List<PlacedPart> parts) {
    return TriangleMesh.join(parts.stream().map(PlacedPart::mesh).toList());
  }
}
