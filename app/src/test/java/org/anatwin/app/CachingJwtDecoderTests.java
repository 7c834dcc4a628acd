package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class CachingJwtDecoderTests {
  private static final Instant T0 = Instant.parse("2026-11-29T06:00:00Z");

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    Instant now = T0;

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /**
   * Accepts "good-N" tokens (expiring at T0 + 5 min, as a real decoder checks) and counts calls.
   */
  private static final class Delegate implements JwtDecoder {
    final AtomicInteger calls = new AtomicInteger();
    final MovingClock clock;

    Delegate(MovingClock clock) {
      this.clock = clock;
    }

    @Override
    public Jwt decode(String token) {
      calls.incrementAndGet();
      Instant expires = T0.plusSeconds(300);
      if (!token.startsWith("good") || !clock.instant().isBefore(expires)) {
        throw new BadJwtException("refused " + token);
      }
      return Jwt.withTokenValue(token)
          .header("alg", "RS256")
          .subject(token)
          .issuedAt(T0)
          .expiresAt(expires)
          .build();
    }
  }

  @Test
  void aVerifiedTokenIsCheckedOnceUntilItExpiresThenRefusedByTheDelegate() {
    MovingClock clock = new MovingClock();
    Delegate delegate = new Delegate(clock);
    CachingJwtDecoder decoder = new CachingJwtDecoder(delegate, clock, 100);
    Jwt first = decoder.decode("good-1");
    assertThat(decoder.decode("good-1")).isSameAs(first);
    clock.now = T0.plusSeconds(299);
    assertThat(decoder.decode("good-1").getSubject()).isEqualTo("good-1");
    assertThat(delegate.calls).hasValue(1);
    clock.now = T0.plusSeconds(300);
    assertThatThrownBy(() -> decoder.decode("good-1")).isInstanceOf(BadJwtException.class);
    assertThat(delegate.calls).hasValue(2);
  }

  @Test
  void aRefusedTokenIsNeverRemembered() {
    MovingClock clock = new MovingClock();
    Delegate delegate = new Delegate(clock);
    CachingJwtDecoder decoder = new CachingJwtDecoder(delegate, clock, 100);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);
    }
    assertThat(delegate.calls).hasValue(3);
    assertThat(decoder.size()).isZero();
  }

  @Test
  void theMemoryStaysWithinItsCapacity() {
    MovingClock clock = new MovingClock();
    Delegate delegate = new Delegate(clock);
    CachingJwtDecoder decoder = new CachingJwtDecoder(delegate, clock, 10);
    for (int i = 0; i < 25; i++) {
      decoder.decode("good-" + i);
      assertThat(decoder.size()).isBetween(1, 10);
    }
    assertThat(delegate.calls).hasValue(25);
  }
}
