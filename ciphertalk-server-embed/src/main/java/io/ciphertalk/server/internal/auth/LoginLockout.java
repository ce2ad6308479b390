package io.ciphertalk.server.internal.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Login lockout per (account, client address) with exponential backoff: after {@code threshold}
 * consecutive failures from one address, that address is locked out of that account for
 * {@code first}, doubling with each further failure up to {@code max}. The owner logging in from
 * another address is not affected, so an attacker cannot lock a user out of their own account.
 * Attempts refused while locked do not extend the lock, so the retry time given is exact. A
 * success clears the record; a record with no failure for {@code forgetAfter} is forgotten.
 * Bounded: at most {@code maxKeys} records (expired ones are evicted first). Thread-safe; times come
 * from the injected clock.
 *
 * <p>On a cluster the records live in a {@link Shared} store (Redis) so that every node sees the
 * same failures; if the store cannot be reached, this node's own records are used meanwhile.
 */
public final class LoginLockout {
  private final Clock clock;
  private final int threshold;
  private final long firstMillis;
  private final long maxMillis;
  private final long forgetAfterMillis;
  private final int maxKeys;
  private final Map<String, Record> records = new ConcurrentHashMap<>();
  private volatile Shared shared;

  /** Lockout records shared by every node. Methods return -1 when the store cannot be reached. */
  public interface Shared {
    /** Epoch millis until which {@code key} is locked (0 if it is not), or -1. */
    long lockedUntil(String key);

    /** Counts a failure at {@code now} with this class's rule; returns the lock it starts (ms, 0 if none), or -1. */
    long failure(String key, long now, int threshold, long firstMillis, long maxMillis, long forgetAfterMillis);

    void clear(String key);
  }

  /** Keeps the records in {@code store} from now on (cluster mode). */
  public void share(Shared store) {
    this.shared = store;
  }

  public LoginLockout(Clock clock, int threshold, Duration first, Duration max, int maxKeys) {
    if (threshold < 1 || first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("bad lockout settings: " + threshold + ", " + first + ", " + max);
    }
    this.clock = clock;
    this.threshold = threshold;
    this.firstMillis = first.toMillis();
    this.maxMillis = max.toMillis();
    this.forgetAfterMillis = Math.max(maxMillis * 2, Duration.ofHours(24).toMillis());
    this.maxKeys = maxKeys;
  }

  private static String key(String account, String address) {
    return account + "\n" + (address == null ? "?" : address);
  }

  /** Milliseconds until {@code account} may be tried again from {@code address}, or 0 if it may now. */
  public long lockedFor(String account, String address) {
    Shared s = shared;
    if (s != null) {
      long until = s.lockedUntil(key(account, address));
      if (until >= 0) {
        return Math.max(0, until - clock.millis());
      }
    }
    Record r = records.get(key(account, address));
    if (r == null) {
      return 0;
    }
    synchronized (r) {
      return Math.max(0, r.lockedUntil - clock.millis());
    }
  }

  /** Records a failure; returns the lock it starts (milliseconds), or 0 below the threshold. */
  public long failure(String account, String address) {
    long now = clock.millis();
    Shared s = shared;
    if (s != null) {
      long lock = s.failure(key(account, address), now, threshold, firstMillis, maxMillis, forgetAfterMillis);
      if (lock >= 0) {
        return lock;
      }
    }
    if (records.size() >= maxKeys) {
      evict(now);
    }
    Record r = records.computeIfAbsent(key(account, address), k -> new Record());
    synchronized (r) {
      if (now - r.lastFailure > forgetAfterMillis) {
        r.failures = 0;
      }
      r.failures++;
      r.lastFailure = now;
      if (r.failures < threshold) {
        return 0;
      }
      int doublings = Math.min(30, r.failures - threshold);
      long lock = Math.min(maxMillis, firstMillis << doublings);
      if (lock < 0) {
        lock = maxMillis;
      }
      r.lockedUntil = now + lock;
      return lock;
    }
  }

  public void success(String account, String address) {
    records.remove(key(account, address));
    Shared s = shared;
    if (s != null) {
      s.clear(key(account, address));
    }
  }

  private void evict(long now) {
    for (Iterator<Record> it = records.values().iterator(); it.hasNext(); ) {
      Record r = it.next();
      synchronized (r) {
        if (r.lockedUntil <= now && now - r.lastFailure > forgetAfterMillis / 24) {
          it.remove();
        }
      }
    }
    // Still full (a spray from many addresses): forget the oldest-looking entries rather than grow.
    Iterator<String> keys = records.keySet().iterator();
    while (records.size() >= maxKeys && keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }

  int tracked() {
    return records.size();
  }

  private static final class Record {
    int failures;
    long lastFailure = Long.MIN_VALUE / 2;
    long lockedUntil;
  }
}
