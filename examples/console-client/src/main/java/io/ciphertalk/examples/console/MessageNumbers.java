package io.ciphertalk.examples.console;

import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.MessageId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The numbers the console prints in front of messages ({@code [3]}) and the marks of the user's own
 * messages, per room: one {@link RoomNumbers} per room, read from the client's store the first time
 * a room is used and saved there after every change, so numbers and marks survive a restart.
 *
 * <p>Thread-safe: guarded by this object's lock; it never takes the {@link ConsoleView}'s lock.
 */
final class MessageNumbers {
  /** The app-data key prefix of a room's {@link RoomNumbers}. */
  static final String VIEW_KEY = "console/room/";

  /** A numbered message of a room. */
  record Ref(String roomId, MessageId id, String senderUserId) {}

  private final ConsoleView view;
  private final Map<String, RoomNumbers> rooms = new HashMap<>();

  MessageNumbers(ConsoleView view) {
    this.view = Objects.requireNonNull(view, "view");
  }

  /** Message {@code number} of the current room. */
  Ref ref(int number) {
    Room r = view.requireCurrent(null);
    RoomNumbers.Entry e;
    synchronized (this) {
      e = numbers(r.id()).entry(number).orElse(null);
    }
    if (e == null) {
      throw new IllegalArgumentException("no message [" + number + "] in " + view.label(r));
    }
    return new Ref(r.id(), e.id(), e.senderUserId());
  }

  /** The number of a message, given one now (and saved) if it has none. */
  synchronized int number(String roomId, MessageId id, String senderUserId) {
    RoomNumbers v = numbers(roomId);
    boolean isNew = v.known(id).isEmpty();
    int n = v.number(id, senderUserId);
    if (isNew) {
      save(roomId, v);
    }
    return n;
  }

  /** The number of a message if it has one. */
  synchronized Optional<Integer> known(String roomId, MessageId id) {
    return numbers(roomId).known(id);
  }

  /** Moves the mark of one of the user's own messages forward (never back). */
  synchronized void advance(String roomId, MessageId id, Mark mark) {
    RoomNumbers v = numbers(roomId);
    if (v.advance(id, view.self(), mark)) {
      save(roomId, v);
    }
  }

  /** The mark of one of the user's own messages ({@link Mark#SENT} if none was recorded). */
  synchronized Mark mark(String roomId, MessageId id) {
    Mark m = numbers(roomId).mark(id);
    return m == null ? Mark.SENT : m;
  }

  /** The room's numbers, read from the store the first time. Called with this lock held. */
  private RoomNumbers numbers(String roomId) {
    RoomNumbers v = rooms.get(roomId);
    if (v == null) {
      v = new RoomNumbers();
      try {
        Optional<byte[]> saved = view.client().appData().get(VIEW_KEY + roomId);
        if (saved.isPresent()) {
          v = RoomNumbers.decode(saved.get());
        }
      } catch (RuntimeException e) {
        // no store to read (closed client): numbers start afresh for this run
      }
      rooms.put(roomId, v);
    }
    return v;
  }

  private void save(String roomId, RoomNumbers v) {
    try {
      view.client().appData().put(VIEW_KEY + roomId, v.encode());
    } catch (RuntimeException e) {
      // the view still works in memory; the next change tries again
    }
  }
}
