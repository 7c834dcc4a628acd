package org.anatwin.printorders.preparation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.printorders.PrintOrders;
import org.junit.jupiter.api.Test;

/** Orientation, placement, the 3MF package and CuraEngine (the Debian package) on simple parts. */
class PreparationTests {
  private static final Preparer.Bed ENDER =
      new Preparer.Bed(235, 235, 250, 50, PrintOrders.defaultFdmProfile());

  /** A 30 x 20 x 23 mm block standing on a thin 30 x 30 x 3 mm plate, as two closed shells. */
  static TriangleMesh mushroom() {
    return union(box(-20, -5, -5, 0, 5, 5), box(0, -15, -15, 3, 15, 15));
  }

  /**
   * A flat square pyramid (base 40 x 40 mm at x = 0, apex 8 mm along -x). Base down, every side
   * slopes up and nothing needs support; apex down, the four sides overhang 68 degrees from the
   * vertical, beyond the 50-degree limit, and the part is as tall.
   */
  static TriangleMesh pyramid() {
    float[] p = {0, -20, -20, 0, 20, -20, 0, 20, 20, 0, -20, 20, -8, 0, 0};
    int[] t = {0, 1, 2, 0, 2, 3, 0, 4, 1, 1, 4, 2, 2, 4, 3, 3, 4, 0};
    return new TriangleMesh(p, t);
  }

  @Test
  void theBaseGoesDownBecauseNothingThenOverhangs() {
    TriangleMesh part = pyramid();
    assertThat(Modeling.report(part).watertight()).isTrue();
    Orientation.Choice best = Orientation.choose(part, 50);
    Orientation.Choice apexDown = Orientation.evaluate(part, new double[] {-1, 0, 0}, 50);

    assertThat(best.down()).containsExactly(1, 0, 0);
    assertThat(best.supportAreaMm2()).isZero();
    assertThat(best.heightMm()).isCloseTo(8, org.assertj.core.data.Offset.offset(1e-6));
    // four sides of 40 x sqrt(20^2 + 8^2) / 2 each
    assertThat(apexDown.supportAreaMm2())
        .isCloseTo(4 * 20 * Math.hypot(20, 8), org.assertj.core.data.Offset.offset(1e-2));
    assertThat(apexDown.score()).isGreaterThan(best.score());
  }

  @Test
  void partsArePlacedOnTheBedCentreAndRefusedWhenTooLarge() {
    Preparer.Plate plate =
        Preparer.prepare(
            List.of(new Preparer.Input("part", null, mushroom())),
            2,
            new Preparer.Bed(235, 235, 250, 50, null),
            null,
            "PLA",
            "order",
            null);
    double[] box = Preparer.box(plate.parts().getFirst().mesh());
    assertThat(box[2]).isEqualTo(0);
    assertThat((box[0] + box[3]) / 2).isCloseTo(117.5, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(box[5]).isCloseTo(46, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(Modeling.report(plate.parts().getFirst().mesh()).volume())
        .as("scaled by 2: volume x 8")
        .isCloseTo(
            8 * Modeling.report(mushroom()).volume(),
            org.assertj.core.data.Percentage.withPercentage(1e-3));
    assertThat(Modeling.importMesh(plate.threeMf(), "3mf", 1000).mesh().triangleCount())
        .isEqualTo(mushroom().triangleCount());

    assertThatThrownBy(
            () ->
                Preparer.prepare(
                    List.of(new Preparer.Input("part", null, mushroom())),
                    10,
                    ENDER,
                    null,
                    "PLA",
                    "order",
                    null))
        .hasFieldOrPropertyWithValue("code", "print-orders:prepare.too-large");
  }

  @Test
  void curaEngineSlicesTheLaidOutPartIntoLayersOfItsHeight() {
    CuraSlicer slicer =
        new CuraSlicer("CuraEngine", Path.of("/usr/share/cura/resources"), Duration.ofMinutes(5));

    Preparer.Plate plate =
        Preparer.prepare(
            List.of(new Preparer.Input("part", null, mushroom())),
            1,
            ENDER,
            null,
            "PLA",
            "o",
            slicer);

    CuraSlicer.Sliced sliced = plate.sliced();
    assertThat(sliced).isNotNull();
    // 23 mm: a 0.3 mm first layer, then 0.2 mm layers
    double expected = 1 + (plate.heightMm() - 0.3) / 0.2;
    assertThat((double) sliced.layers())
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1.0));
    assertThat(sliced.printTimeSeconds()).isPositive();
    double volume = Modeling.report(mushroom()).volume();
    assertThat(sliced.filamentMm3()).isBetween(0.2 * volume, 1.2 * volume);
    assertThat(sliced.engineVersion()).matches("\\d+\\.\\d+.*");
    assertThat(new String(sliced.gcode(), 0, 200, java.nio.charset.StandardCharsets.US_ASCII))
        .contains(";FLAVOR:");
    assertThat(slicer.profileHash(PrintOrders.defaultFdmProfile()))
        .isEqualTo(sliced.profileSha256());
    // slicing again gives the same bytes: no temporary path or time is written into the G-code
    String gcode = new String(sliced.gcode(), java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(gcode).contains(";MESH:model.stl").doesNotContain("anatwin-slice");
    assertThat(slicer.slice(plate.stl(), ENDER.profile()).gcode()).isEqualTo(sliced.gcode());
    assertThatThrownBy(
            () ->
                slicer.slice(
                    plate.stl(),
                    new CuraSlicer.Profile("../../etc/passwd", "x", java.util.Map.of())))
        .hasFieldOrPropertyWithValue("code", "print-orders:slicer.profile");
  }

  static TriangleMesh box(double x0, double y0, double z0, double x1, double y1, double z1) {
    float[] p = new float[24];
    for (int i = 0; i < 8; i++) {
      p[3 * i] = (float) ((i & 1) == 0 ? x0 : x1);
      p[3 * i + 1] = (float) ((i & 2) == 0 ? y0 : y1);
      p[3 * i + 2] = (float) ((i & 4) == 0 ? z0 : z1);
    }
    int[] t = {
      0, 2, 1, 1, 2, 3, 4, 5, 6, 5, 7, 6, 0, 1, 4, 1, 5, 4, 2, 6, 3, 3, 6, 7, 0, 4, 2, 2, 4, 6, 1,
      3, 5, 3, 7, 5
    };
    return new TriangleMesh(p, t);
  }

  /** Two closed boxes as one mesh (two shells touching is fine for orientation and slicing). */
  static TriangleMesh union(TriangleMesh a, TriangleMesh b) {
    float[] p = new float[a.points().length + b.points().length];
    System.arraycopy(a.points(), 0, p, 0, a.points().length);
    System.arraycopy(b.points(), 0, p, a.points().length, b.points().length);
    int[] t = new int[a.triangles().length + b.triangles().length];
    System.arraycopy(a.triangles(), 0, t, 0, a.triangles().length);
    for (int i = 0; i < b.triangles().length; i++) {
      t[a.triangles().length + i] = b.triangles()[i] + a.vertexCount();
    }
    return new TriangleMesh(p, t);
  }
}
