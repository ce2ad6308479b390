package io.ciphertalk.core.store;

import io.ciphertalk.core.model.Message;
import io.ciphertalk.core.model.MessageId;
import java.util.List;
import java.util.Optional;

/**
 * Decrypted message history. Times are kept to the millisecond. A message whose
 * {@code expiresAt} has passed (by the store's injected clock) is never returned, even before
 * {@link #sweepExpired()} has deleted it. Thread-safe; arguments must not be null unless said.
 * Failures are {@link StoreException}s.
 */
public interface MessageStore {

  /** Largest page or search result size. */
  int MAX_PAGE = 500;

  /** Saves a message, replacing one with the same id (edits, deletes). */
  void saveMessage(Message message);

  /** The message with {@code id}, unless absent or expired. */
  Optional<Message> message(MessageId id);

  /**
   * Which of {@code ids} {@link #message} would return: for many ids at once (the ids of a
   * received batch), in one query where the store can. Inside a unit of work
   * ({@link LocalStore#inTransaction}) a store may keep the answers for the rest of the unit, so
   * {@code message} of an absent one needs no query.
   */
  default java.util.Set<MessageId> storedAmong(java.util.Collection<MessageId> ids) {
    java.util.Set<MessageId> out = new java.util.HashSet<>();
    for (MessageId id : ids) {
      if (message(id).isPresent()) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * A page of {@code roomId}'s history, newest first: up to {@code limit} (1 to {@value
   * #MAX_PAGE}) messages strictly older than {@code before}, or the newest ones if {@code before}
   * is null. Pass the cursor of the last message of a page to get the next (older) page.
   */
  List<Message> history(String roomId, MessageCursor before, int limit);

  /**
   * Messages whose body contains {@code text}, ignoring case, newest first; in one room, or in all
   * rooms if {@code roomId} is null. Deleted messages are not matched. (The encrypted store
   * decrypts to search, so this reads the room's whole history.)
   */
  List<Message> search(String roomId, String text, int limit);

  /** Deletes a message; true if it was present. */
  boolean deleteMessage(MessageId id);

  /**
   * Deletes every expired message and returns them (as they were, oldest expiry first), so the
   * app can announce them.
   */
  List<Message> sweepExpired();

  /** The earliest {@code expiresAt} among stored messages, to schedule the next sweep. */
  Optional<java.time.Instant> nextExpiry();

  /**
   * Records the send state of a message this device sent, if the move is allowed
   * ({@link io.ciphertalk.core.model.MessageStatus#canMoveTo}; anything may be set for an id
   * without a state). Kept until the message is deleted.
   *
   * @return true if the state changed
   */
  boolean updateSendState(MessageId id, io.ciphertalk.core.model.SendState state);

  /** The send state of a message this device sent, if one was recorded. */
  Optional<io.ciphertalk.core.model.SendState> sendState(MessageId id);
}
