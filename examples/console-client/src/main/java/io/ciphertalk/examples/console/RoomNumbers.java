package io.ciphertalk.examples.console;

import io.ciphertalk.core.model.MessageId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One room's view state: the numbers the console printed in front of its messages ({@code [3]}),
 * who sent each, and the mark of each of the user's own messages (sent, delivered, read). Numbers
 * are per room and never reused; with a store ({@code --store}) this state is saved in it
 * ({@link io.ciphertalk.core.store.AppDataStore}, sealed) after every change, so numbers and marks
 * survive a restart. Only the newest {@value #KEEP} numbers are kept. Not thread-safe: the session
 * guards it.
 */
final class RoomNumbers {
  /** How many numbered messages a room remembers. */
  static final int KEEP = 2_000;

  private static final int FORMAT = 1;

  /** A numbered message. */
  record Entry(MessageId id, String senderUserId, Mark mark) {}

  private int next = 1;
  private final TreeMap<Integer, Entry> byNumber = new TreeMap<>();
  private final Map<MessageId, Integer> numbers = new HashMap<>();

  /** The number of {@code id}, given one now if it has none. */
  int number(MessageId id, String senderUserId) {
    Integer n = numbers.get(id);
    if (n != null) {
      return n;
    }
    n = next++;
    numbers.put(id, n);
    byNumber.put(n, new Entry(id, senderUserId, null));
    while (byNumber.size() > KEEP) {
      numbers.remove(byNumber.pollFirstEntry().getValue().id());
    }
    return n;
  }

  Optional<Integer> known(MessageId id) {
    return Optional.ofNullable(numbers.get(id));
  }

  Optional<Entry> entry(int number) {
    return Optional.ofNullable(byNumber.get(number));
  }

  /** The mark of an own message (null if none was recorded). */
  Mark mark(MessageId id) {
    Integer n = numbers.get(id);
    return n == null ? null : byNumber.get(n).mark();
  }

  /**
   * Moves the mark of {@code id} forward (never back).
   *
   * @return true if it changed
   */
  boolean advance(MessageId id, String senderUserId, Mark mark) {
    int n = number(id, senderUserId);
    Entry e = byNumber.get(n);
    Mark merged = e.mark() == null ? mark : e.mark().max(mark);
    if (merged == e.mark()) {
      return false;
    }
    byNumber.put(n, new Entry(e.id(), e.senderUserId(), merged));
    return true;
  }

  byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + byNumber.size() * 40);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeInt(next);
      out.writeInt(byNumber.size());
      for (Map.Entry<Integer, Entry> e : byNumber.entrySet()) {
        out.writeInt(e.getKey());
        UUID u = e.getValue().id().uuid();
        out.writeLong(u.getMostSignificantBits());
        out.writeLong(u.getLeastSignificantBits());
        out.writeUTF(e.getValue().senderUserId());
        out.writeByte(e.getValue().mark() == null ? -1 : e.getValue().mark().ordinal());
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@link #encode()}'s output; an unreadable record gives a fresh state (numbers restart). */
  static RoomNumbers decode(byte[] data) {
    Objects.requireNonNull(data, "data");
    RoomNumbers r = new RoomNumbers();
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      if (in.readByte() != FORMAT) {
        return new RoomNumbers();
      }
      int next = in.readInt();
      int count = in.readInt();
      if (next < 1 || count < 0 || count > KEEP) {
        return new RoomNumbers();
      }
      Mark[] marks = Mark.values();
      for (int i = 0; i < count; i++) {
        int n = in.readInt();
        MessageId id = new MessageId(new UUID(in.readLong(), in.readLong()));
        String sender = in.readUTF();
        int m = in.readByte();
        if (n < 1 || n >= next || m < -1 || m >= marks.length) {
          return new RoomNumbers();
        }
        r.byNumber.put(n, new Entry(id, sender, m < 0 ? null : marks[m]));
        r.numbers.put(id, n);
      }
      r.next = next;
      return r;
    } catch (IOException e) {
      return new RoomNumbers();
    }
  }
}
