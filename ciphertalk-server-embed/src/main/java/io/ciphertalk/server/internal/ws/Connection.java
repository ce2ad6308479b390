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

  volatile boolean authStarted;
  volatile DeviceSession session;
  volatile boolean closed;

  Connection(Channel channel, String path, String joinRoom, double ratePerSecond, int burst) {
    this.channel = channel;
    this.path = path;
    this.joinRoom = joinRoom;
    this.openedAtNanos = System.nanoTime();
    this.bucket = new TokenBucket(ratePerSecond, burst, openedAtNanos);
  }

  /** Takes a rate-limit token; returns the number of consecutive refusals (0 if allowed). */
  synchronized int admit() {
    if (bucket.tryTake(System.nanoTime())) {
      violations = 0;
      return 0;
    }
    return ++violations;
  }

  boolean authenticated() {
    return session != null;
  }
}
