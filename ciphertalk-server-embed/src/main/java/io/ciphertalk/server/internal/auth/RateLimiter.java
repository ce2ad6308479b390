package io.ciphertalk.server.internal.auth;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A keyed token-bucket rate limiter on an injected clock (keys: account names, client addresses).
 * The number of tracked keys is bounded: full buckets are forgotten, and when the table is full the
 * oldest entries are evicted. Thread-safe.
 *
 * <p>On a cluster the buckets live in a {@link Shared} store (Redis), so an address gets the same
 * budget however many nodes it spreads its attempts over; if the store cannot be reached, this
 * node's own buckets are used meanwhile.
 */
public final class RateLimiter {
  private final Clock clock;
  private final double capacity;
  private final double refillPerMilli;
  private final int maxKeys;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile Shared shared;
  private volatile String namespace = "";

  /** Buckets shared by every node. */
  public interface Shared {
    /**
     * Takes one token of {@code key}'s bucket at {@code now} with this class's rule; returns 0 if
     * allowed, the milliseconds until a token is available, or -1 if the store cannot be reached.
     */
    long tryAcquire(String key, long now, double capacity, double refillPerMilli, long forgetAfterMillis);
  }

  /** Keeps the buckets in {@code store} from now on, under keys prefixed with {@code namespace}. */
  public void share(Shared store, String namespace) {
    this.namespace = namespace;
    this.shared = store;
  }

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
    Shared s = shared;
    if (s != null) {
      long wait = s.tryAcquire(namespace + key, now, capacity, refillPerMilli,
          (long) Math.ceil(capacity / refillPerMilli));
      if (wait >= 0) {
        return wait;
      }
    }
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
