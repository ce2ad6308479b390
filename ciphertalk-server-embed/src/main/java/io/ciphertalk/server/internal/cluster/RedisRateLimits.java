package io.ciphertalk.server.internal.cluster;

import io.ciphertalk.server.internal.auth.RateLimiter;

/**
 * {@link RateLimiter} token buckets in Redis, so an address's login and registration budget is the
 * same across all nodes: a hash {@code ct:rate:NAMESPACE:KEY} with the tokens and the last refill,
 * expiring once the bucket would be full again. The bucket rule runs as one Lua script (atomic on
 * Redis) and is the same as {@link RateLimiter}'s. Times are the nodes' injected clocks. Thread-safe.
 */
public final class RedisRateLimits implements RateLimiter.Shared {
  private static final String PREFIX = "ct:rate:";
  private static final String ACQUIRE = String.join("\n",
      "local now = tonumber(ARGV[1])",
      "local cap = tonumber(ARGV[2])",
      "local rate = tonumber(ARGV[3])",
      "local tokens = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[2])",
      "local last = tonumber(redis.call('HGET', KEYS[1], 'l') or ARGV[1])",
      "if now > last then",
      "  tokens = math.min(cap, tokens + (now - last) * rate)",
      "  last = now",
      "end",
      "local wait = 0",
      "if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end",
      "redis.call('HSET', KEYS[1], 't', tostring(tokens), 'l', string.format('%d', last))",
      "redis.call('PEXPIRE', KEYS[1], ARGV[4])",
      "return wait");

  private final RedisBus bus;

  public RedisRateLimits(RedisBus bus) {
    this.bus = bus;
  }

  @Override
  public long tryAcquire(String key, long now, double capacity, double refillPerMilli, long forgetAfterMillis) {
    Object r = bus.command("EVAL", ACQUIRE, "1", PREFIX + key, Long.toString(now), Double.toString(capacity),
        Double.toString(refillPerMilli), Long.toString(Math.max(1, forgetAfterMillis)));
    return r instanceof Long wait ? wait : -1;
  }
}
