package io.ciphertalk.server.internal.auth;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A keyed token-bucket rate limiter on an injected clock (keys: account names, client addresses).
 * The number of tracked keys is bounded: full buckets are forgotten, and when the table is full the
 * oldest entries are evicted. Thread-safe.
 */
public final class RateLimiter {
  private final Clock clock;
  private final double capacity;
  private final double refillPerMilli;
  private final int maxKeys;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** {@code capacity} attempts, refilled at {@code capacity} per {@code periodMillis}. */
  public RateLimiter(Clock clock, int capacity, long periodMillis, int maxKeys) {
    this.clock = clock;
    this.capacity = capacity;
    this.refillPerMilli = (double) capacity / periodMillis;
    this.maxKeys = maxKeys;
  }

  /** Takes one token for {@code key}; returns 0 if allowed, else the milliseconds until one is available. */
  public long tryAcquire(String key) {
    long now = clock.millis();
    if (buckets.size() >= maxKeys) {
      evict(now);
    }
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    synchronized (b) {
      b.refill(now, capacity, refillPerMilli);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - b.tokens) / refillPerMilli);
    }
  }

  /** Peeks whether {@code key} currently has a token, without taking it. */
  public boolean wouldAllow(String key) {
    Bucket b = buckets.get(key);
    if (b == null) {
      return true;
    }
    synchronized (b) {
      b.refill(clock.millis(), capacity, refillPerMilli);
      return b.tokens >= 1;
    }
  }

  private void evict(long now) {
    for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
      Bucket b = it.next().getValue();
      synchronized (b) {
        b.refill(now, capacity, refillPerMilli);
        if (b.tokens >= capacity) {
          it.remove();
        }
      }
    }
    // Still full: drop arbitrary entries rather than grow without bound.
    Iterator<String> keys = buckets.keySet().iterator();
    while (buckets.size() >= maxKeys && keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }

  int trackedKeys() {
    return buckets.size();
  }

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }

    void refill(long now, double capacity, double perMilli) {
      if (now > last) {
        tokens = Math.min(capacity, tokens + (now - last) * perMilli);
        last = now;
      }
    }
  }
}
