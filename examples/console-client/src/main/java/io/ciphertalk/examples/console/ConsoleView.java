package io.ciphertalk.examples.console;

import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Room;
import io.ciphertalk.client.RoomUnavailableException;
import io.ciphertalk.core.model.RoomKind;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The console's view state shared by the parts of a {@link ChatSession}: the client and the user it
 * is attached to, the current room, each room's self-destruct setting, who is typing where, when
 * this user last signalled typing, and the labels of the rooms seen (so a room is still named after
 * this user left it).
 *
 * <p>Thread-safe: guarded by this object's lock, which is never held across an SDK request that
 * goes to the server.
 */
final class ConsoleView {
  private volatile CipherTalkClient client;
  private volatile String self = "";

  // guarded by this
  private Room current;
  private final Map<String, Duration> expiry = new HashMap<>();
  private final Map<String, Set<String>> typing = new HashMap<>();
  private Instant lastTypingSignal = Instant.EPOCH;
  /** The room labels seen so far, so a room is still named after this user left it. */
  private final Map<String, String> labels = new HashMap<>();

  /** Binds the client and the signed-in user. */
  synchronized void attach(CipherTalkClient client, String selfUserId) {
    this.client = Objects.requireNonNull(client, "client");
    this.self = Objects.requireNonNull(selfUserId, "selfUserId");
  }

  /** The attached client (null before {@link #attach}). */
  CipherTalkClient client() {
    return client;
  }

  /** The signed-in user id ({@code ""} before {@link #attach}). */
  String self() {
    return self;
  }

  synchronized Room current() {
    return current;
  }

  synchronized void setCurrent(Room room) {
    current = room;
  }

  /** Whether {@code roomId} is the current room. */
  synchronized boolean isCurrent(String roomId) {
    return current != null && current.id().equals(roomId);
  }

  /**
   * Forgets the current room if it is {@code roomId} (the user left it or was removed).
   *
   * @return true if it was the current room
   */
  synchronized boolean leaveIfCurrent(String roomId) {
    if (current != null && current.id().equals(roomId)) {
      current = null;
      return true;
    }
    return false;
  }

  /** The prompt for the line editor: {@code alice@#team (expire 10s)> }. */
  synchronized String prompt() {
    String room = current == null ? "" : "@" + label(current);
    Duration e = current == null ? null : expiry.get(current.id());
    return self + room + (e == null ? "" : " (expire " + human(e) + ")") + "> ";
  }

  /** The self-destruct delay of new messages in {@code roomId}, or null for none. */
  synchronized Duration expiry(String roomId) {
    return expiry.get(roomId);
  }

  synchronized void setExpiry(String roomId, Optional<Duration> after) {
    if (after.isPresent()) {
      expiry.put(roomId, after.get());
    } else {
      expiry.remove(roomId);
    }
  }

  /**
   * The current room if a "typing" signal is due at {@code now} (at most one per {@code refresh}),
   * recording that it is sent; empty if there is no room or it is too soon.
   */
  synchronized Optional<Room> typingSignalDue(Instant now, Duration refresh) {
    if (current == null || now.isBefore(lastTypingSignal.plus(refresh))) {
      return Optional.empty();
    }
    lastTypingSignal = now;
    return Optional.of(current);
  }

  /** After a send: the next keystroke signals "typing" again at once. */
  synchronized void resetTypingSignal() {
    lastTypingSignal = Instant.EPOCH;
  }

  /** Records that {@code userId} is (not) typing in {@code roomId}. */
  synchronized void typing(String roomId, String userId, boolean isTyping) {
    Set<String> t = typing.computeIfAbsent(roomId, k -> new LinkedHashSet<>());
    if (isTyping) {
      t.add(userId);
    } else {
      t.remove(userId);
    }
  }

  /** A message from {@code userId} ends its typing in {@code roomId}. */
  synchronized void stoppedTyping(String roomId, String userId) {
    Set<String> t = typing.get(roomId);
    if (t != null) {
      t.remove(userId);
    }
  }

  /** Who is typing in the current room. */
  synchronized Set<String> typingInCurrent() {
    return current == null ? Set.of()
        : new LinkedHashSet<>(typing.getOrDefault(current.id(), Set.of()));
  }

  /** The current room, or a message saying what to do first. */
  Room requireCurrent(String roomId) {
    Room r = current();
    if (r == null) {
      throw new IllegalStateException("no current room: /dm USER, /create NAME or /join ROOM first");
    }
    if (roomId != null && !roomId.equals(r.id())) {
      throw new IllegalArgumentException("that message is in another room: /join it first");
    }
    return r;
  }

  /** A room of the client, or {@link RoomUnavailableException} if it went away. */
  Room room(String roomId) {
    return client.room(roomId).orElseThrow(() -> new RoomUnavailableException(roomId));
  }

  /** {@code #team}, or {@code @bob} for the private room with bob (whatever the server named it). */
  String label(Room r) {
    String l = Renderer.roomLabel(r.kind(), displayName(r));
    synchronized (this) {
      labels.put(r.id(), l);
    }
    return l;
  }

  /** The room's label if it was ever seen, even after this user left it; else "a room". */
  String knownLabel(String roomId) {
    CipherTalkClient c = client;
    Optional<Room> r = c == null ? Optional.empty() : c.room(roomId);
    if (r.isPresent()) {
      return label(r.get());
    }
    synchronized (this) {
      return labels.getOrDefault(roomId, "a room");
    }
  }

  /** Learns the labels of every room the client has (called once signed in). */
  void rememberRooms() {
    client.rooms().forEach(this::label);
  }

  /** The other member's name for a private room, the room's name for a group. */
  String displayName(Room r) {
    if (r.kind() == RoomKind.PRIVATE) {
      for (String member : r.members().keySet()) {
        if (!member.equals(self)) {
          return member;
        }
      }
    }
    return r.name();
  }

  /** {@code 2d}, {@code 1h30m}, {@code 10s}: as {@code /expire} takes it, never {@code PT10S}. */
  static String human(Duration d) {
    StringBuilder sb = new StringBuilder();
    long days = d.toDays();
    if (days > 0) {
      sb.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      sb.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      sb.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0 || sb.length() == 0) {
      sb.append(d.toSecondsPart()).append('s');
    }
    return sb.toString();
  }
}
