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

  /**
   * Which of {@code ids} were recorded: {@link #isSeen} for many ids at once (the ids of a received
   * batch), in one query where the store can. Inside a unit of work
   * ({@link LocalStore#inTransaction}) a store may keep the answers for the rest of the unit, so
   * {@code isSeen} and {@code markSeen} of these ids need no query.
   */
  default java.util.Set<MessageId> seenAmong(java.util.Collection<MessageId> ids) {
    java.util.Set<MessageId> out = new java.util.HashSet<>();
    for (MessageId id : ids) {
      if (isSeen(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** Forgets ids recorded before {@code cutoff} (bounds growth); returns how many. */
  int forgetSeenBefore(Instant cutoff);
}
