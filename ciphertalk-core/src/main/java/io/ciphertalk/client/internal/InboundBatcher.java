package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the stream of deliveries into batches for the engine thread. The transport thread queues
 * each delivery ({@link #submit}); one engine task takes everything queued (up to
 * {@link #MAX_BATCH}) and processes it in one store transaction, then acknowledges.
 *
 * <p>Why: processed one by one, every delivery costs several store commits (session, seen id,
 * message, unread set, outbox), an engine task of its own and, for a text, a delivery receipt sent
 * and waited for. In a batch the store commits once, receipts are coalesced per sender
 * ({@code endOfBatch} writes them inside the transaction, so they are durable with the messages
 * they confirm) and the outbox is flushed once ({@code afterBatch}).
 *
 * <p>Acks are held back until the transaction committed: the server deletes what is acknowledged,
 * so an ack before the commit could lose a message to a crash. If the transaction fails, nothing of
 * the batch is acknowledged and {@code onFailure} runs (the engine reconnects, and the server
 * delivers the batch again).
 *
 * <p>Thread-safe: {@link #submit} from any thread; batches run on the engine thread only.
 */
final class InboundBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(InboundBatcher.class);

  /** Deliveries per transaction: bounds how long other threads may wait for the store. */
  static final int MAX_BATCH = 256;

  /** One delivery: its id (if known), how to process it (given the ack to call when done), its ack. */
  private record Item(MessageId id, Consumer<Runnable> handler, Runnable ack) {}

  private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Consumer<Runnable> engine;
  private final LocalData data;
  private final Consumer<List<MessageId>> beginOfBatch;
  private final Runnable endOfBatch;
  private final Runnable afterBatch;
  private final Consumer<RuntimeException> onFailure;

  /**
   * @param engine runs a task on the engine thread
   * @param beginOfBatch runs on the engine thread inside the batch's transaction, before its
   *     items, with the ids of its deliveries (to read what the store knows of them at once)
   * @param endOfBatch runs on the engine thread inside the batch's transaction, after its items
   * @param afterBatch runs on the engine thread after the commit and the acks
   * @param onFailure runs on the engine thread when a batch's transaction failed (rolled back):
   *     whatever the batch cached in memory must be dropped there
   */
  InboundBatcher(Consumer<Runnable> engine, LocalData data, Runnable beginOfBatch,
      Runnable endOfBatch, Runnable afterBatch, Consumer<RuntimeException> onFailure) {
    this(engine, data, ids -> beginOfBatch.run(), endOfBatch, afterBatch, onFailure);
  }

  InboundBatcher(Consumer<Runnable> engine, LocalData data, Consumer<List<MessageId>> beginOfBatch,
      Runnable endOfBatch, Runnable afterBatch, Consumer<RuntimeException> onFailure) {
    this.engine = engine;
    this.data = data;
    this.beginOfBatch = beginOfBatch;
    this.endOfBatch = endOfBatch;
    this.afterBatch = afterBatch;
    this.onFailure = onFailure;
  }

  /** Queues a delivery; {@code handler} runs on the engine thread with the ack to call when done. */
  void submit(Consumer<Runnable> handler, Runnable ack) {
    submit(null, handler, ack);
  }

  /** {@link #submit(Consumer, Runnable)} for a delivery whose message id is {@code id}. */
  void submit(MessageId id, Consumer<Runnable> handler, Runnable ack) {
    queue.add(new Item(id, handler, ack));
    if (scheduled.compareAndSet(false, true)) {
      engine.accept(this::runBatch);
    }
  }

  private void runBatch() {
    scheduled.set(false);
    List<Item> batch = new ArrayList<>();
    for (Item i; batch.size() < MAX_BATCH && (i = queue.poll()) != null; ) {
      batch.add(i);
    }
    if (batch.isEmpty()) {
      return;
    }
    // More queued than one batch takes: run again after whatever else waits on the engine thread.
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      engine.accept(this::runBatch);
    }
    List<Runnable> acks = new ArrayList<>(batch.size());
    List<MessageId> ids = new ArrayList<>(batch.size());
    for (Item i : batch) {
      if (i.id() != null) {
        ids.add(i.id());
      }
    }
    try {
      data.inTransaction(() -> {
        acks.clear();
        beginOfBatch.accept(ids);
        for (Item item : batch) {
          Runnable ack = () -> acks.add(item.ack());
          try {
            item.handler().accept(ack);
          } catch (StoreException e) {
            throw e;
          } catch (RuntimeException e) {
            // A delivery the engine cannot handle is dropped and acknowledged: left unfinished it
            // would hold back the acks of everything behind it, and the server's window with them.
            LOG.error("dropping a delivery whose processing failed", e);
            ack.run();
          }
        }
        endOfBatch.run();
      });
    } catch (RuntimeException e) {
      LOG.error("a batch of {} deliveries could not be stored; they will be delivered again",
          batch.size(), e);
      onFailure.accept(e);
      return;
    }
    for (Runnable ack : acks) {
      ack.run();
    }
    afterBatch.run();
  }
}
