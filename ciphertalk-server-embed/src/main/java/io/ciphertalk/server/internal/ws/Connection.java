package io.ciphertalk.server.internal.ws;

import io.ciphertalk.server.internal.routing.DeviceSession;

/** State of one client connection. Fields are written by the protocol handler; reads are racy-safe (volatile). */
final class Connection {
  final Channel channel;
  final String path;
  /** Room joined on connect for {@code /ws/chat/{room}/}, else null. */
  final String joinRoom;
  final long openedAtNanos;
  private final TokenBucket bucket;
  private int violations;
  private long lastViolationNanos;

  volatile boolean authStarted;
  volatile DeviceSession session;
  volatile boolean closed;
  /** Removes this connection from the live-session registry; set after authentication. */
  volatile Runnable unregisterLive;

  Connection(Channel channel, String path, String joinRoom, double ratePerSecond, int burst) {
    this.channel = channel;
    this.path = path;
    this.joinRoom = joinRoom;
    this.openedAtNanos = System.nanoTime();
    this.bucket = new TokenBucket(ratePerSecond, burst, openedAtNanos);
  }

  /**
   * Takes a rate-limit token; returns 0 if allowed, else the number of refusals since the last
   * quiet second (a flood keeps counting even if a few frames get through as tokens refill).
   */
  synchronized int admit() {
    long now = System.nanoTime();
    if (now - lastViolationNanos > 1_000_000_000L) {
      violations = 0;
    }
    if (bucket.tryTake(now)) {
      return 0;
    }
    lastViolationNanos = now;
    return ++violations;
  }

  boolean authenticated() {
    return session != null;
  }
}
