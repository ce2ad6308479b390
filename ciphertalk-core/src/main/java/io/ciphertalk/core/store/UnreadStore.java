package io.ciphertalk.core.store;

import io.ciphertalk.core.model.MessageId;
import java.util.Set;

/**
 * Which messages of each room are unread on this device. Thread-safe; arguments must not be null.
 * Failures are {@link StoreException}s.
 */
public interface UnreadStore {

  /** The unread message ids of {@code roomId} (an immutable copy). */
  Set<MessageId> unread(String roomId);

  /** Replaces the unread set of {@code roomId}. */
  void setUnread(String roomId, Set<MessageId> ids);

  /** Adds one unread message. */
  void addUnread(String roomId, MessageId id);

  /** Marks messages read; returns how many were unread. */
  int markRead(String roomId, Set<MessageId> ids);
}
