package io.ciphertalk.server.internal.cluster;

import io.ciphertalk.server.internal.auth.LoginLockout;

/**
 * Login lockout records in Redis, so that failed logins on one node lock the (account, address)
 * pair on every node: a hash {@code ct:lock:ACCOUNT\nADDRESS} with the failure count, the last
 * failure and the lock end, expiring when the record would be forgotten anyway. The counting rule
 * runs as one Lua script (atomic on Redis) and is the same as {@link LoginLockout}'s. Times are
 * the nodes' injected clocks. Thread-safe.
 */
public final class RedisLockout implements LoginLockout.Shared {
  private static final String PREFIX = "ct:lock:";
  private static final String FAILURE = String.join("\n",
      "local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')",
      "local last = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')",
      "local now = tonumber(ARGV[1])",
      "local threshold = tonumber(ARGV[2])",
      "if now - last > tonumber(ARGV[5]) then f = 0 end",
      "f = f + 1",
      "local lock = 0",
      "if f >= threshold then",
      "  lock = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * (2 ^ math.min(30, f - threshold)))",
      "  redis.call('HSET', KEYS[1], 'u', string.format('%d', now + lock))",
      "end",
      "redis.call('HSET', KEYS[1], 'f', f, 'l', string.format('%d', now))",
      "redis.call('PEXPIRE', KEYS[1], ARGV[5])",
      "return lock");

  private final RedisBus bus;

  public RedisLockout(RedisBus bus) {
    this.bus = bus;
  }

  @Override
  public long lockedUntil(String key) {
    Object r = bus.command("HGET", PREFIX + key, "u");
    if (r == RedisBus.UNAVAILABLE) {
      return -1;
    }
    if (r == null) {
      return 0;
    }
    try {
      return Long.parseLong((String) r);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  @Override
  public long failure(String key, long now, int threshold, long firstMillis, long maxMillis, long forgetAfterMillis) {
    Object r = bus.command("EVAL", FAILURE, "1", PREFIX + key, Long.toString(now), Integer.toString(threshold),
        Long.toString(firstMillis), Long.toString(maxMillis), Long.toString(forgetAfterMillis));
    return r instanceof Long lock ? lock : -1;
  }

  @Override
  public void clear(String key) {
    bus.command("DEL", PREFIX + key);
  }
}
