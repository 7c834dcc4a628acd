package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.anatwin.model.Shapes;
import org.anatwin.model.TriangleMesh;
import org.junit.jupiter.api.Test;

/**
 * A thin shell (a hollow ball with a 1 mm wall) dented 2 mm from outside: the plain diff measures
 * the dent against the inner wall it came close to; inspection, which matches each point only to
 * the design surface facing its way, measures the 2 mm.
 */
class InspectionTests {
  private static final double[] C = {10, 20, 30};

  /** A ball of radius 20 mm with a cavity of radius 19 mm (inner sphere wound inwards). */
  private static TriangleMesh shell(double dentMm) {
    TriangleMesh outer = Shapes.sphere(C, 20, 4);
    float[] p = outer.points().clone();
    for (int v = 0; v < p.length; v += 3) {
      double dz = p[v + 2] - C[2];
      if (dz > 17) {
        // the top cap, pushed down by up to dentMm (cosine fall-off to its rim)
        double f = 0.5 * (1 + Math.cos(Math.PI * (20 - dz) / 3));
        double scale = (20 - dentMm * f) / 20;
        for (int k = 0; k < 3; k++) {
          p[v + k] = (float) (C[k] + (p[v + k] - C[k]) * scale);
        }
      }
    }
    TriangleMesh inner = Shapes.sphere(C, 19, 4);
    int[] flipped = inner.triangles().clone();
    for (int f = 0; f < flipped.length; f += 3) {
      int swap = flipped[f + 1];
      flipped[f + 1] = flipped[f + 2];
      flipped[f + 2] = swap;
    }
    return TriangleMesh.join(
        List.of(new TriangleMesh(p, outer.triangles()), new TriangleMesh(inner.points(), flipped)));
  }

  @Test
  void aDentThroughAThinWallIsMeasuredAgainstTheSideItCameFrom() {
    TriangleMesh design = shell(0);
    TriangleMesh dented = shell(2);

    SurfaceDiff plain = Modeling.diff(dented, design);
    SurfaceDiff inspected = Modeling.inspect(dented, design, 60, 5);

    // the plain diff sees the dented top within about a millimetre of the inner wall
    assertThat(plain.minMm()).isGreaterThan(-1.2);
    assertThat(inspected.minMm()).isLessThan(-1.9).isGreaterThan(-2.05);
    // where nothing changed both agree on zero
    assertThat(inspected.maxMm()).isLessThan(0.01);
  }

  @Test
  void theAngleMustBeAnAngle() {
    TriangleMesh design = shell(0);
    assertThatThrownBy(() -> Modeling.inspect(design, design, 0, 5))
        .isInstanceOfSatisfying(
            ModelingException.class, e -> assertThat(e.code()).isEqualTo("modeling:diff.angle"));
  }
}
