package io.ciphertalk.server.internal.routing;

import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.RateLimiter;
import java.time.Clock;
import java.time.Duration;

/**
 * Limits on {@code bundle_fetch}, so a stranger cannot drain a user's one-time prekeys: each
 * requester may fetch {@code perRequester} bundles per minute ({@code rate_limited} beyond), and a
 * user's one-time prekeys go to requesters who are not in that user's contacts at most
 * {@code oneTimePerTarget} per hour; beyond that budget those requesters get the bundle without a
 * one-time prekey (the signed prekeys still start a session; only the first message loses the
 * one-time key's extra forward secrecy). Thread-safe; times from the injected clock.
 */
public final class BundleFetchGuard {
  private final RateLimiter perRequester;
  private final RateLimiter oneTimePerTarget;

  public BundleFetchGuard(Clock clock, int perRequesterPerMinute, int oneTimePerTargetPerHour) {
    this.perRequester = new RateLimiter(clock, perRequesterPerMinute, Duration.ofMinutes(1).toMillis(), 100_000);
    this.oneTimePerTarget = new RateLimiter(clock, oneTimePerTargetPerHour, Duration.ofHours(1).toMillis(), 100_000);
  }

  /** Admits one fetch by {@code requester}, or throws {@code rate_limited} with the wait. */
  public void admit(String requester) {
    long wait = perRequester.tryAcquire(requester);
    if (wait > 0) {
      throw new ServiceException("rate_limited", 429, "too many bundle fetches; retry later", wait);
    }
  }

  /** Whether a requester the target does not know may take one of the target's one-time prekeys now. */
  public boolean strangerMayTakeOneTime(String target) {
    return oneTimePerTarget.tryAcquire(target) == 0;
  }
}
