package io.ciphertalk.client;

import java.time.Instant;

/**
 * Runs a task at an instant of the client's clock. The client uses it for typing-indicator expiry,
 * self-destruct timers, reconnect backoff and signed-prekey rotation, so a test can drive all of them
 * with a manual clock instead of sleeping. The default (see {@link CipherTalkClient.Builder}) uses a
 * single daemon thread.
 *
 * <p>Implementations must be thread-safe. Tasks must not be run on the caller's thread from inside
 * {@link #schedule}.
 */
public interface Scheduler {
  /**
   * Schedules {@code task} to run once at or after {@code when}.
   *
   * @return a handle that cancels the task if it has not run yet
   */
  Cancellable schedule(Instant when, Runnable task);

  /** A handle on a scheduled task. */
  interface Cancellable {
    /** Cancels the task if it has not started; idempotent. */
    void cancel();
  }
}
