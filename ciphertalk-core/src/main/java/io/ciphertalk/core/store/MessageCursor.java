package io.ciphertalk.core.store;

import io.ciphertalk.core.model.Message;
import io.ciphertalk.core.model.MessageId;
import java.time.Instant;
import java.util.Objects;

/**
 * A position in a room's history, ordered by {@code (sentAt, id)}: pages are read backwards from
 * a cursor. Immutable.
 *
 * @param sentAt the message time, never null
 * @param id the message id (breaks ties), never null
 */
public record MessageCursor(Instant sentAt, MessageId id) implements Comparable<MessageCursor> {
  public MessageCursor {
    Objects.requireNonNull(sentAt, "sentAt");
    Objects.requireNonNull(id, "id");
  }

  /** The cursor at {@code m}. */
  public static MessageCursor of(Message m) {
    return new MessageCursor(m.sentAt(), m.id());
  }

  @Override
  public int compareTo(MessageCursor o) {
    int c = Long.compare(sentAt.toEpochMilli(), o.sentAt.toEpochMilli());
    return c != 0 ? c : id.compareTo(o.id);
  }
}
