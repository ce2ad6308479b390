package io.ciphertalk.core.store;

import io.ciphertalk.core.model.MessageId;
import java.time.Instant;

/**
 * The ids of inbound messages already processed, so a redelivered message is recognised as a
 * duplicate across restarts. Thread-safe; arguments must not be null. Failures are
 * {@link StoreException}s.
 */
public interface SeenStore {

  /** Records {@code id} as seen now (by the store's clock); false if it was already recorded. */
  boolean markSeen(MessageId id);

  /** Whether {@code id} was recorded. */
  boolean isSeen(MessageId id);

  /** Forgets ids recorded before {@code cutoff} (bounds growth); returns how many. */
  int forgetSeenBefore(Instant cutoff);
}
