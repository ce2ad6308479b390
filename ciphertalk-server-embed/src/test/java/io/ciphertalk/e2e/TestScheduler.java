package io.ciphertalk.e2e;

import io.ciphertalk.client.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} driven by a {@link TestClock}: {@link #advance(Duration)} moves the clock and
 * runs every task that became due, in due order, on the calling thread. For tests: no sleeping.
 * Thread-safe; one {@code TestScheduler} may serve several clients sharing a clock.
 */
final class TestScheduler implements Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(TestScheduler.class);

  private final TestClock clock;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long seq;

  TestScheduler(TestClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public TestClock clock() {
    return clock;
  }

  @Override
  public synchronized Cancellable schedule(Instant when, Runnable task) {
    Task t = new Task(when, seq++, task);
    tasks.add(t);
    return () -> {
      synchronized (TestScheduler.this) {
        tasks.remove(t);
      }
    };
  }

  /** Advances the clock by {@code d} and runs the tasks that are due. */
  public void advance(Duration d) {
    clock.advance(d);
    runDue();
  }

  /** Runs every task due at the current instant (including ones scheduled while running). */
  public void runDue() {
    while (true) {
      List<Task> due = new ArrayList<>();
      synchronized (this) {
        Instant now = clock.instant();
        while (!tasks.isEmpty() && !tasks.peek().when.isAfter(now)) {
          due.add(tasks.poll());
        }
      }
      if (due.isEmpty()) {
        return;
      }
      for (Task t : due) {
        try {
          t.task.run();
        } catch (RuntimeException e) {
          LOG.warn("scheduled task failed", e);
        }
      }
    }
  }

  /** How many tasks are waiting. */
  public synchronized int pending() {
    return tasks.size();
  }

  private record Task(Instant when, long seq, Runnable task) implements Comparable<Task> {
    @Override
    public int compareTo(Task o) {
      int c = when.compareTo(o.when);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
