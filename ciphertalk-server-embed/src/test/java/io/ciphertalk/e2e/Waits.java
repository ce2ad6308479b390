package io.ciphertalk.e2e;

import io.ciphertalk.server.CipherTalkServer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Polling waits and server gauges for the end-to-end tests that run at volume. */
final class Waits {
  private Waits() {}

  /** Waits until {@code condition} holds, polling every 20 ms; fails with {@code what} after {@code bound}. */
  static void await(BooleanSupplier condition, Supplier<String> what, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + bound + ": " + what.get());
      }
      LockSupport.parkNanos(20_000_000);
    }
  }

  /** A gauge of the server's Prometheus text, e.g. {@code ciphertalk_direct_queue_depth}. */
  static long gauge(CipherTalkServer server, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)").matcher(server.metricsText());
    if (!m.find()) {
      throw new AssertionError("no metric " + name);
    }
    return Long.parseLong(m.group(1));
  }
}
