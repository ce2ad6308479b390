package io.ciphertalk.core.store;

import io.ciphertalk.core.model.MessageId;
import java.util.List;

/**
 * Envelopes the client received but may not process yet: those from a user whose identity key
 * changed, until the app decides to trust the new key (docs/protocol.md, "Identity changes").
 * Keeping them here lets the client acknowledge them to the server at once, so they neither hold
 * up the device's delivery queue nor depend on memory to survive a restart. Thread-safe; arguments
 * must not be null; payloads are copied. Failures are {@link StoreException}s.
 */
public interface HeldEnvelopeStore {

  /**
   * Keeps an envelope; idempotent on {@code messageId}.
   *
   * @return true if it was added, false if that id is already held
   */
  boolean hold(MessageId messageId, String senderUserId, byte[] payload);

  /** Up to {@code limit} (at least 1) held envelopes of every sender, oldest first. */
  List<HeldEnvelope> all(int limit);

  /** Up to {@code limit} (at least 1) held envelopes of one sending user, oldest first. */
  List<HeldEnvelope> from(String senderUserId, int limit);

  /** Removes an envelope once it has been processed; true if it was held. */
  boolean remove(MessageId messageId);

  /** How many envelopes of {@code senderUserId} are held. */
  int count(String senderUserId);
}
