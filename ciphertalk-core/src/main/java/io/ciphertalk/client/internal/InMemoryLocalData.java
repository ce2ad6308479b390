package io.ciphertalk.client.internal;

import io.ciphertalk.client.Message;
import io.ciphertalk.core.model.MessageId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** {@link LocalData} in memory; lost when the process ends. Thread-safe (one lock). */
public final class InMemoryLocalData implements LocalData {
  /** Bound on remembered processed ids. */
  static final int MAX_SEEN = 100_000;

  private Account account;
  private final Map<String, LinkedHashMap<MessageId, Message>> history = new HashMap<>();
  private final Map<MessageId, String> roomOf = new HashMap<>();
  private final Map<String, ServerLink.RoomInfo> rooms = new LinkedHashMap<>();
  private final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
  private long nextSeq = 1;
  private final LinkedHashSet<MessageId> seen = new LinkedHashSet<>();
  private final Map<String, Set<MessageId>> unread = new HashMap<>();

  @Override
  public synchronized Optional<Account> account() {
    return Optional.ofNullable(account);
  }

  @Override
  public synchronized void saveAccount(Account a) {
    this.account = a;
  }

  @Override
  public synchronized void putMessage(Message m) {
    history.computeIfAbsent(m.roomId(), r -> new LinkedHashMap<>()).put(m.id(), m);
    roomOf.put(m.id(), m.roomId());
  }

  @Override
  public synchronized Optional<Message> message(MessageId id) {
    String room = roomOf.get(id);
    return room == null ? Optional.empty() : Optional.ofNullable(history.get(room).get(id));
  }

  @Override
  public synchronized void deleteMessage(MessageId id) {
    String room = roomOf.remove(id);
    if (room != null) {
      history.get(room).remove(id);
    }
  }

  @Override
  public synchronized List<Message> latest(String roomId, int limit) {
    List<Message> all = new ArrayList<>(history.getOrDefault(roomId, new LinkedHashMap<>()).values());
    return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
  }

  @Override
  public synchronized List<Message> before(String roomId, MessageId before, int limit) {
    List<Message> all = new ArrayList<>(history.getOrDefault(roomId, new LinkedHashMap<>()).values());
    int end = 0;
    while (end < all.size() && !all.get(end).id().equals(before)) {
      end++;
    }
    return List.copyOf(all.subList(Math.max(0, end - limit), end));
  }

  @Override
  public synchronized List<Message> search(String needle, int limit) {
    String n = needle.toLowerCase(Locale.ROOT);
    List<Message> out = new ArrayList<>();
    for (var room : history.values()) {
      for (Message m : room.values()) {
        if (!m.deleted() && m.text().toLowerCase(Locale.ROOT).contains(n)) {
          out.add(m);
        }
      }
    }
    out.sort((a, b) -> b.sentAt().compareTo(a.sentAt()));
    return List.copyOf(out.subList(0, Math.min(limit, out.size())));
  }

  @Override
  public synchronized List<Message> expiring() {
    List<Message> out = new ArrayList<>();
    history.values().forEach(r -> r.values().stream().filter(m -> m.expiresAt().isPresent())
        .forEach(out::add));
    return out;
  }

  @Override
  public synchronized void putRoom(ServerLink.RoomInfo room) {
    rooms.put(room.id(), room);
  }

  @Override
  public synchronized void removeRoom(String roomId) {
    rooms.remove(roomId);
  }

  @Override
  public synchronized List<ServerLink.RoomInfo> rooms() {
    return List.copyOf(rooms.values());
  }

  @Override
  public synchronized OutboxEntry appendOutbox(OutboxEntry entry) {
    OutboxEntry e = entry.withSeq(nextSeq++);
    outbox.put(e.seq(), e);
    return e;
  }

  @Override
  public synchronized List<OutboxEntry> outbox() {
    return List.copyOf(outbox.values());
  }

  @Override
  public synchronized void removeOutbox(long seq) {
    outbox.remove(seq);
  }

  @Override
  public synchronized boolean isSeen(MessageId id) {
    return seen.contains(id);
  }

  @Override
  public synchronized boolean markSeen(MessageId id) {
    if (!seen.add(id)) {
      return false;
    }
    if (seen.size() > MAX_SEEN) {
      var it = seen.iterator();
      it.next();
      it.remove();
    }
    return true;
  }

  @Override
  public synchronized Set<MessageId> unread(String roomId) {
    return Set.copyOf(unread.getOrDefault(roomId, Collections.emptySet()));
  }

  @Override
  public synchronized void setUnread(String roomId, Set<MessageId> ids) {
    unread.put(roomId, new LinkedHashSet<>(ids));
  }

  @Override
  public void close() {}
}
