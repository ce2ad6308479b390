package io.ciphertalk.client.internal;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listeners on the app's callback executor, one at a time and in publication
 * order whatever the executor's parallelism. A listener that throws is logged and skipped; the next
 * listener and the next event are still delivered. Thread-safe.
 */
public final class EventDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final Executor executor;
  private final List<ChatListener> listeners = new CopyOnWriteArrayList<>();
  private final Queue<ChatEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  public EventDispatcher(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  public void addListener(ChatListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(ChatListener listener) {
    listeners.remove(listener);
  }

  /** Queues {@code event} for delivery. Never throws because of a listener. */
  public void publish(ChatEvent event) {
    queue.add(Objects.requireNonNull(event, "event"));
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        draining.set(false);
        LOG.warn("callback executor rejected event delivery; {} events dropped", queue.size());
        queue.clear();
      }
    }
  }

  private void drain() {
    try {
      ChatEvent e;
      int budget = 256; // yield the executor thread now and then
      while (budget-- > 0 && (e = queue.poll()) != null) {
        deliver(e);
      }
    } finally {
      draining.set(false);
      if (!queue.isEmpty()) {
        scheduleDrain();
      }
    }
  }

  private void deliver(ChatEvent event) {
    for (ChatListener l : listeners) {
      try {
        event.dispatchTo(l);
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError vme) {
          throw vme;
        }
        LOG.warn("chat listener {} threw on {}; contained", l.getClass().getName(),
            event.getClass().getSimpleName(), e);
      }
    }
  }
}
