package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Shared fixtures for the group tests: a settable clock and deterministic sessions. */
final class GroupTestSupport {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private GroupTestSupport() {}

  /** A clock the test moves by hand. */
  static final class FakeClock extends Clock {
    private Instant now;

    FakeClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static final java.util.concurrent.atomic.AtomicLong SESSIONS = new java.util.concurrent.atomic.AtomicLong();

  /**
   * A session with repeatable randomness that is still distinct for every session created in this
   * JVM: two sessions with identical keys would seal under the same key and nonce, which SunJCE
   * (rightly) refuses when it happens twice in a row on one thread.
   */
  static GroupSession session(DeviceAddress address, Clock clock) {
    return session(address, clock, SESSIONS.incrementAndGet());
  }

  static GroupSession session(DeviceAddress address, Clock clock, long seed) {
    byte[] a = address.encode();
    byte[] s = ByteBuffer.allocate(a.length + 8).put(a).putLong(seed).array();
    return GroupSession.builder()
        .localAddress(address)
        .clock(clock)
        .random(RandomSource.deterministicForTesting(s))
        .build();
  }

  /** A 16-byte message id that encodes {@code n}. */
  static byte[] messageId(long n) {
    return ByteBuffer.allocate(16).putLong(8, n).array();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
