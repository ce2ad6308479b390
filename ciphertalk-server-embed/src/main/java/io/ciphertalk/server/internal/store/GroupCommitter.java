package io.ciphertalk.server.internal.store;

import io.ciphertalk.server.internal.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: a bounded queue of write tasks run by one thread that takes every task
 * waiting (up to a batch size) and commits them in ONE transaction (group commit), so a burst of
 * sends costs one commit instead of one per message. Each task runs inside a savepoint, so a task
 * that refuses (throws) is rolled back alone. A task's future completes only after the commit
 * returned, which is what lets the router acknowledge a send only once it is durable. Post-commit
 * actions (live fan-out) run after the commit, in commit order.
 *
 * <p>Thread-safe. {@link #submit} never blocks: a full queue fails the task with
 * {@code server_busy}.
 */
public final class GroupCommitter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

  /** A unit of work: runs in the shared transaction and returns a value. */
  @FunctionalInterface
  public interface Work<R> {
    R run(Handle h);
  }

  private record Task<R>(Work<R> work, CompletableFuture<R> result, Consumer<R> afterCommit, boolean deferrable,
      String lockKey) {}

  private final Database db;
  private final BlockingQueue<Task<?>> queue;
  private final int maxBatch;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Runnable onBatchFailure = () -> {};
  private volatile Consumer<Handle> pendingWrites = h -> {};
  private volatile java.util.function.BiConsumer<Handle, List<String>> lockInOrder;

  public GroupCommitter(Database db, int capacity, int maxBatch) {
    this.db = db;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.maxBatch = maxBatch;
    this.thread = new Thread(this::loop, "ciphertalk-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues {@code work}; the future completes after its transaction committed (or exceptionally
   * with the task's own exception). {@code afterCommit} (may be null) runs on the writer thread
   * after the commit, before the future completes.
   */
  public <R> CompletableFuture<R> submit(Work<R> work, Consumer<R> afterCommit) {
    return submit(work, afterCommit, false);
  }

  /**
   * Like {@link #submit(Work, Consumer)}, for a task that neither reads nor depends on the writes
   * that an {@link #onPendingWrites} hook defers, so the hook need not run before it.
   */
  public <R> CompletableFuture<R> submitDeferrable(Work<R> work, Consumer<R> afterCommit) {
    return submit(work, afterCommit, true);
  }

  /**
   * Like {@link #submitDeferrable(Work, Consumer)}, for a task that will lock the row named
   * {@code lockKey} (a room's sequence counter on a cluster). With a {@link #lockInOrder} hook, a
   * batch takes the locks of all its tasks first, in sorted key order, so two nodes' batches that
   * touch the same rows in different task orders wait for each other instead of deadlocking.
   */
  public <R> CompletableFuture<R> submitDeferrable(Work<R> work, Consumer<R> afterCommit, String lockKey) {
    return submit(work, afterCommit, true, lockKey);
  }

  /**
   * Takes the row locks a batch's tasks declared ({@link #submitDeferrable(Work, Consumer, String)}),
   * given the distinct keys in ascending order, at the start of the batch's transaction. Set it
   * where several writers share the database (cluster mode); without it, keys are ignored.
   */
  public void lockInOrder(java.util.function.BiConsumer<Handle, List<String>> lock) {
    this.lockInOrder = lock;
  }

  private <R> CompletableFuture<R> submit(Work<R> work, Consumer<R> afterCommit, boolean deferrable) {
    return submit(work, afterCommit, deferrable, null);
  }

  private <R> CompletableFuture<R> submit(Work<R> work, Consumer<R> afterCommit, boolean deferrable, String lockKey) {
    CompletableFuture<R> f = new CompletableFuture<>();
    if (!running) {
      f.completeExceptionally(new ServiceException("server_busy", 503, "server is shutting down"));
      return f;
    }
    if (!queue.offer(new Task<>(work, f, afterCommit, deferrable, lockKey))) {
      f.completeExceptionally(new ServiceException("server_busy", 503, "write queue full; retry later"));
    }
    return f;
  }

  public <R> CompletableFuture<R> submit(Work<R> work) {
    return submit(work, null);
  }

  /**
   * Runs on the writer thread whenever a batch transaction fails as a whole (before the tasks are
   * retried one by one), so writer-confined caches can drop state read from the failed batch.
   */
  public void onBatchFailure(Runnable action) {
    this.onBatchFailure = action;
  }

  /**
   * Writes that deferrable tasks left pending in a writer-confined cache: {@code flush} runs on the
   * writer thread inside the batch transaction before every task that is not deferrable, and once
   * more before the commit. If it throws, the whole batch fails (and is retried task by task).
   */
  public void onPendingWrites(Consumer<Handle> flush) {
    this.pendingWrites = flush;
  }

  /** True while the writer thread runs and accepts work. */
  /** The message of the error a write gets while the database cannot be reached (docs/server-guide.md). */
  public static final String DATABASE_UNAVAILABLE = "database unavailable: not stored; retry with the same ids";

  private final java.util.concurrent.atomic.AtomicBoolean unreachableLogged =
      new java.util.concurrent.atomic.AtomicBoolean();

  public boolean isAlive() {
    return running && thread.isAlive();
  }

  public int depth() {
    return queue.size();
  }

  private void loop() {
    List<Task<?>> batch = new ArrayList<>(maxBatch);
    while (running || !queue.isEmpty()) {
      try {
        Task<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        runBatch(batch);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      } catch (Throwable t) {
        LOG.error("writer loop error", t);
      } finally {
        batch.clear();
      }
    }
    for (Task<?> t; (t = queue.poll()) != null; ) {
      t.result().completeExceptionally(new ServiceException("server_busy", 503, "server is shutting down"));
    }
  }

  private void runBatch(List<Task<?>> batch) {
    Object[] results = new Object[batch.size()];
    Throwable[] errors = new Throwable[batch.size()];
    java.util.function.BiConsumer<Handle, List<String>> lock = lockInOrder;
    java.util.TreeSet<String> keys = new java.util.TreeSet<>();
    if (lock != null) {
      for (Task<?> t : batch) {
        if (t.lockKey() != null) {
          keys.add(t.lockKey());
        }
      }
    }
    try {
      db.useTransaction(h -> {
        if (!keys.isEmpty()) {
          lock.accept(h, new ArrayList<>(keys));
        }
        Consumer<Handle> flush = pendingWrites;
        for (int i = 0; i < batch.size(); i++) {
          if (!batch.get(i).deferrable()) {
            flush.accept(h);
          }
          String sp = "t" + i;
          h.savepoint(sp);
          try {
            results[i] = batch.get(i).work().run(h);
            h.releaseSavepoint(sp);
          } catch (RuntimeException e) {
            h.rollbackToSavepoint(sp);
            errors[i] = e;
          }
        }
        flush.accept(h);
      });
    } catch (RuntimeException commitFailure) {
      try {
        onBatchFailure.run();
      } catch (RuntimeException e) {
        LOG.warn("batch failure hook failed", e);
      }
      if (unreachable(commitFailure)) {
        // The database is down or cut off: nothing of the batch was stored, and retrying one by one
        // would only wait for the same refusal again. Clients retry with the same ids.
        if (unreachableLogged.compareAndSet(false, true)) {
          LOG.warn("database unreachable ({}): writes are refused until it answers again", commitFailure.toString());
        }
        for (Task<?> t : batch) {
          t.result().completeExceptionally(new ServiceException("server_error", 500, DATABASE_UNAVAILABLE));
        }
        return;
      }
      if (batch.size() == 1) {
        LOG.warn("write failed: {}", commitFailure.toString());
        batch.get(0).result().completeExceptionally(
            new ServiceException("server_error", 500, "storage failure"));
        return;
      }
      // Retry one by one so a single poisoned task cannot fail its neighbours.
      LOG.warn("group commit of {} tasks failed ({}); retrying individually", batch.size(), commitFailure.toString());
      for (Task<?> t : batch) {
        runBatch(new ArrayList<>(List.of(t)));
      }
      return;
    }
    if (unreachableLogged.compareAndSet(true, false)) {
      LOG.info("database reachable again: writes resume");
    }
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results[i], errors[i]);
    }
  }

  /**
   * True if {@code e} says the database could not be reached (no connection, or the connection
   * broke: SQLSTATE class 08, or a socket error underneath) rather than that a statement failed.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
      if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException
          || t instanceof java.net.SocketException || t instanceof java.io.EOFException) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static <R> void complete(Task<R> t, Object result, Throwable error) {
    if (error != null) {
      t.result().completeExceptionally(error);
      return;
    }
    R r = (R) result;
    if (t.afterCommit() != null) {
      try {
        t.afterCommit().accept(r);
      } catch (RuntimeException e) {
        LOG.warn("post-commit action failed", e);
      }
    }
    t.result().complete(r);
  }

  @Override
  public void close() {
    // No interrupt: H2 closes its file channel when a thread is interrupted mid-I/O.
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
