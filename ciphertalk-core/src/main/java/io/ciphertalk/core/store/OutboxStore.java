package io.ciphertalk.core.store;

import io.ciphertalk.core.model.MessageId;
import java.util.List;

/**
 * Messages sent while they could not yet be acknowledged by the server, kept in order until they
 * are. Thread-safe; arguments must not be null; payloads are copied. Failures are {@link
 * StoreException}s.
 */
public interface OutboxStore {

  /**
   * Appends a message; idempotent on {@code messageId} (enqueueing the same id again returns the
   * existing entry unchanged).
   */
  OutboxEntry enqueue(MessageId messageId, String roomId, byte[] payload);

  /** Up to {@code limit} (at least 1) pending entries in enqueue order. */
  List<OutboxEntry> pending(int limit);

  /** Removes the entry once the server acknowledged it; true if it was present. */
  boolean remove(MessageId messageId);

  /** Number of pending entries. */
  int size();
}
