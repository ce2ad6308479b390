package io.ciphertalk.server.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void bucket_allowsCapacity_thenRefusesUntilRefilled() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    RateLimiter limiter = new RateLimiter(clock, 3, 60_000, 100);
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isPositive();
    assertThat(limiter.tryAcquire("b")).isZero();
    clock.advance(Duration.ofSeconds(20));
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isPositive();
  }

  @Test
  void trackedKeys_stayBounded() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    RateLimiter limiter = new RateLimiter(clock, 1, 60_000, 50);
    for (int i = 0; i < 1000; i++) {
      limiter.tryAcquire("k" + i);
    }
    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(50);
  }
}
