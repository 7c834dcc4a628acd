package org.anatwin.modeling.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where sliding windows start along an axis, and the blending weights. */
class SlidingWindowTests {
  @Test
  void windowsCoverTheAxisEvenlyAndEndAtItsLastVoxel() {
    assertThat(SlidingWindow.starts(40, 96, 0.125)).containsExactly(0);
    assertThat(SlidingWindow.starts(96, 96, 0.125)).containsExactly(0);
    int[] starts = SlidingWindow.starts(512, 96, 0.125);
    assertThat(starts[0]).isZero();
    assertThat(starts[starts.length - 1]).isEqualTo(512 - 96);
    for (int i = 1; i < starts.length; i++) {
      assertThat(starts[i] - starts[i - 1]).isBetween(1, 84);
    }
  }

  @Test
  void theBlendingWeightPeaksInThePatchCentreAndNeverReachesZero() {
    float[] w = SlidingWindow.gaussian(48);
    assertThat(w[23]).isEqualTo(w[24]).isGreaterThan(0.99f);
    assertThat(w[0]).isEqualTo(w[47]).isPositive().isLessThan(0.01f);
    for (int i = 1; i < 24; i++) {
      assertThat(w[i]).isGreaterThan(w[i - 1]);
    }
  }
}
