package org.anatwin.printorders.qa;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.anatwin.model.Shapes;
import org.anatwin.model.TriangleMesh;
import org.junit.jupiter.api.Test;

/**
 * A scan of the printed part in the scanner's own frame: moved and turned, with scanner noise,
 * passes; a dent fails; a scan of the part at the wrong scale fails.
 */
class PartQaTests {
  /** The design: an egg-like part 60 × 40 × 24 mm, printed at 1:2. */
  private static final TriangleMesh DESIGN =
      Shapes.ellipsoid(new double[] {100, -40, 250}, new double[] {60, 40, 24}, 5);

  private static final double SCALE = 0.5;

  @Test
  void aScanMovedByTwoTenthsWithNoisePassesAndTheDeviationIsWhatWasAdded() {
    TriangleMesh scan = scan(0.2, 0.05, 0, 1);

    PartQa.Result qa = PartQa.measure(List.of(DESIGN), SCALE, scan, 0.5);

    assertThat(qa.passed()).isTrue();
    assertThat(qa.registrationNeedsReview()).isFalse();
    // |N(0, 0.05)| has its 95th percentile at 0.098 mm; the 0.2 mm shift is registered away
    assertThat(qa.p95Mm()).isBetween(0.07, 0.13);
    assertThat(qa.meanAbsoluteMm()).isBetween(0.03, 0.05);
    assertThat(qa.scanVertices()).isEqualTo(scan.vertexCount());
    assertThat(qa.reason()).isEmpty();
    assertThat(qa.largestDefectMm2()).isLessThan(0.001 * qa.scanAreaMm2());
    assertThat(new String(qa.colourMapPly(), 0, 3, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("ply");
  }

  @Test
  void aTwoMillimetreDentFailsAndSaysByHowMuch() {
    TriangleMesh scan = scan(0.2, 0.05, 2.0, 1);

    PartQa.Result qa = PartQa.measure(List.of(DESIGN), SCALE, scan, 0.5);

    assertThat(qa.passed()).isFalse();
    assertThat(qa.p95Mm()).isGreaterThan(0.5);
    assertThat(qa.minMm()).isLessThan(-1.7);
    assertThat(qa.largestDefectMm2()).isGreaterThan(PartQa.MAX_DEFECT_FRACTION * qa.scanAreaMm2());
    assertThat(qa.reason()).contains("0.500 mm");
  }

  @Test
  void aSmallDentUnderFivePercentOfThePartStillFailsAsALocalDefect() {
    // 4 % of the vertices dented 2 mm: the p95 alone passes it
    TriangleMesh scan = Shapes.scanOf(DESIGN.scaled(SCALE), 0, 0.02, 2, 0.04, 3);

    PartQa.Result qa = PartQa.measure(List.of(DESIGN), SCALE, scan, 0.25);

    assertThat(qa.p95Mm()).isLessThanOrEqualTo(0.25);
    assertThat(qa.largestDefectMm2()).isGreaterThan(PartQa.MAX_DEFECT_FRACTION * qa.scanAreaMm2());
    assertThat(qa.passed()).isFalse();
    assertThat(qa.reason()).contains("patch of");
  }

  @Test
  void aPartPrintedAtTheWrongScaleFails() {
    TriangleMesh scan = scan(0, 0.02, 0, 1.02);

    PartQa.Result qa = PartQa.measure(List.of(DESIGN), SCALE, scan, 0.25);

    assertThat(qa.passed()).isFalse();
  }

  private static TriangleMesh scan(double shiftMm, double noiseMm, double dentMm, double shrink) {
    return Shapes.scanOf(DESIGN.scaled(SCALE * shrink), shiftMm, noiseMm, dentMm, 7);
  }
}
