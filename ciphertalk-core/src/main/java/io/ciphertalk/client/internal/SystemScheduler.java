package io.ciphertalk.client.internal;

import io.ciphertalk.client.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Scheduler}: one daemon thread; the delay is computed from the client's clock
 * when the task is scheduled. Task failures are logged, never propagated.
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SystemScheduler.class);
  private final Clock clock;
  private final ScheduledExecutorService executor;

  public SystemScheduler(Clock clock, String threadName) {
    this.clock = clock;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Cancellable schedule(Instant when, Runnable task) {
    long delayMs = Math.max(0, Duration.between(clock.instant(), when).toMillis());
    ScheduledFuture<?> f = executor.schedule(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("scheduled task failed", e);
      }
    }, delayMs, TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
