package io.ciphertalk.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.client.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Room;
import io.ciphertalk.core.model.RoomMember;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.MessageCursor;
import io.ciphertalk.crypto.DeviceAddress;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link LocalData} on the store SPI of {@code io.ciphertalk.core.store} (in memory, or the Jdbi/H2
 * store encrypted at rest). Converts between the client's types and the model's; outbox entries
 * travel as the store's opaque (sealed) payload. Thread-safe as the store is.
 */
public final class StoreLocalData implements LocalData {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Rooms are cached with the server's largest size; the server enforces the real one. */
  private static final int MAX_MEMBERS = 1000;

  private final LocalStore store;
  /**
   * The rooms as last read or written through this object (null: read them again). The engine
   * looks a room up for every message it receives; the encrypted store would decrypt every room
   * each time. Guarded by {@code this} (never held during store calls, which may wait for another
   * thread's transaction); this object is the client's only writer of rooms.
   */
  private List<ServerLink.RoomInfo> roomCache;
  /** Counts room writes, so a read that raced with a write does not fill the cache. */
  private long roomWrites;

  private synchronized void roomsChanged() {
    roomCache = null;
    roomWrites++;
  }

  public StoreLocalData(LocalStore store) {
    this.store = store;
  }

  public LocalStore store() {
    return store;
  }

  @Override
  public Optional<Account> account() {
    return store.account().account().map(a -> new Account(a.userId(), a.deviceId(), a.token()));
  }

  @Override
  public void saveAccount(Account a) {
    store.account().saveAccount(new io.ciphertalk.core.store.Account(a.userId(), a.deviceId(),
        a.token()));
  }

  // ------------------------------------------------------------------ messages

  private static io.ciphertalk.core.model.Message toModel(Message m) {
    return new io.ciphertalk.core.model.Message(m.id(), m.roomId(),
        DeviceAddress.of(m.senderUserId(), m.senderDeviceId()), m.sentAt(), m.text(),
        m.replyTo().orElse(null), m.expiresAt().orElse(null), m.edited(), m.deleted(),
        m.reactions());
  }

  private static Message fromModel(io.ciphertalk.core.model.Message m) {
    return new Message(m.id(), m.roomId(), m.sender().userId(), m.sender().deviceId(), m.sentAt(),
        m.body(), Optional.ofNullable(m.replyTo()), Optional.ofNullable(m.expiresAt()), m.edited(),
        m.deleted(), m.reactions());
  }

  @Override
  public void putMessage(Message message) {
    store.messages().saveMessage(toModel(message));
  }

  @Override
  public Optional<Message> message(MessageId id) {
    return store.messages().message(id).map(StoreLocalData::fromModel);
  }

  @Override
  public boolean updateSendState(MessageId id, io.ciphertalk.core.model.SendState state) {
    if (state.status() != io.ciphertalk.core.model.MessageStatus.QUEUED
        && store.messages().sendState(id).isEmpty()) {
      return false; // not a message this device is tracking (a receipt, an edit, a typing event)
    }
    return store.messages().updateSendState(id, state);
  }

  /** {@code m} with its recorded send state, for what the app reads. */
  private Message withState(Message m) {
    Optional<io.ciphertalk.core.model.SendState> st = store.messages().sendState(m.id());
    return st.isEmpty() ? m : m.withSendState(st);
  }

  @Override
  public void deleteMessage(MessageId id) {
    store.messages().deleteMessage(id);
    removeAttachment(id);
  }

  /** Descriptors live in the store's sealed app data, under a prefix apps must not use. */
  static final String ATTACHMENT_PREFIX = "ciphertalk.attachment/";

  @Override
  public void putAttachment(MessageId id, byte[] descriptor) {
    store.appData().put(ATTACHMENT_PREFIX + id, descriptor);
  }

  @Override
  public Optional<byte[]> attachment(MessageId id) {
    return store.appData().get(ATTACHMENT_PREFIX + id);
  }

  @Override
  public void removeAttachment(MessageId id) {
    store.appData().remove(ATTACHMENT_PREFIX + id);
  }

  private List<Message> oldestFirst(List<io.ciphertalk.core.model.Message> newestFirst) {
    List<Message> out = new ArrayList<>(newestFirst.size());
    for (io.ciphertalk.core.model.Message m : newestFirst) {
      out.add(withState(fromModel(m)));
    }
    Collections.reverse(out);
    return out;
  }

  @Override
  public List<Message> latest(String roomId, int limit) {
    return oldestFirst(store.messages().history(roomId, null, limit));
  }

  @Override
  public List<Message> before(String roomId, MessageId before, int limit) {
    Optional<io.ciphertalk.core.model.Message> anchor = store.messages().message(before);
    if (anchor.isEmpty()) {
      return List.of();
    }
    return oldestFirst(store.messages().history(roomId, MessageCursor.of(anchor.get()), limit));
  }

  @Override
  public List<Message> search(String needle, int limit) {
    return store.messages().search(null, needle, limit).stream().map(StoreLocalData::fromModel)
        .map(this::withState).toList();
  }

  @Override
  public Optional<Instant> nextExpiry() {
    return store.messages().nextExpiry();
  }

  @Override
  public List<Message> sweepExpired() {
    return store.messages().sweepExpired().stream().map(StoreLocalData::fromModel).toList();
  }

  // ------------------------------------------------------------------ rooms

  @Override
  public void putRoom(ServerLink.RoomInfo r) {
    List<RoomMember> members = new ArrayList<>();
    r.members().forEach((u, role) -> members.add(new RoomMember(u, role)));
    store.rooms().saveRoom(new Room(r.id(), r.kind(), r.name(),
        r.topic().isEmpty() ? null : r.topic(), members,
        Math.max(MAX_MEMBERS, members.size())));
    roomsChanged();
  }

  @Override
  public void removeRoom(String roomId) {
    store.rooms().removeRoom(roomId);
    roomsChanged();
  }

  @Override
  public List<ServerLink.RoomInfo> rooms() {
    long version;
    synchronized (this) {
      if (roomCache != null) {
        return roomCache;
      }
      version = roomWrites;
    }
    List<ServerLink.RoomInfo> out = new ArrayList<>();
    for (Room r : store.rooms().rooms()) {
      Map<String, io.ciphertalk.core.model.Role> m = new LinkedHashMap<>();
      r.members().forEach(x -> m.put(x.userId(), x.role()));
      out.add(new ServerLink.RoomInfo(r.roomId(), r.kind(), r.name() == null ? "" : r.name(), m,
          r.description()));
    }
    List<ServerLink.RoomInfo> read = List.copyOf(out);
    synchronized (this) {
      if (roomWrites == version) {
        roomCache = read;
      }
    }
    return read;
  }

  // ------------------------------------------------------------------ outbox

  @Override
  public OutboxEntry appendOutbox(OutboxEntry e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("route", e.route().name());
    ArrayNode users = o.putArray("users");
    e.users().forEach(users::add);
    ArrayNode devices = o.putArray("devices");
    e.devices().forEach(d -> devices.add(d.toString()));
    o.put("own", e.includeOwnDevices());
    o.put("content", Base64.getEncoder().encodeToString(e.content()));
    byte[] payload = payload(o, e.expiresAt());
    io.ciphertalk.core.store.OutboxEntry stored =
        store.outbox().enqueue(e.id(), e.roomId(), payload);
    OutboxEntry out = e.withSeq(stored.seq());
    if (java.util.Arrays.equals(stored.payload(), payload)) { // not an older entry of that id
      parsedOutbox.put(out.id(), out);
    }
    return out;
  }

  /**
   * Outbox entries as this object wrote or last parsed them, by id. The engine reads the outbox's
   * head after every answer from the server (up to its send window, 256 entries, almost all of
   * them already on the wire); parsing each again was most of the cost of a flush. An entry is
   * used only for the stored row of the same id and sequence number.
   */
  private final Map<MessageId, OutboxEntry> parsedOutbox =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public List<OutboxEntry> outbox(int limit) {
    List<OutboxEntry> out = new ArrayList<>();
    for (io.ciphertalk.core.store.OutboxEntry s : store.outbox().pending(limit)) {
      OutboxEntry parsed = parsedOutbox.get(s.messageId());
      if (parsed != null && parsed.seq() == s.seq()) {
        out.add(parsed);
        continue;
      }
      try {
        JsonNode o = JSON.readTree(s.payload());
        Set<String> users = new HashSet<>();
        o.path("users").forEach(u -> users.add(u.asText()));
        Set<DeviceAddress> devices = new HashSet<>();
        o.path("devices").forEach(d -> devices.add(device(d.asText())));
        Instant exp = o.hasNonNull("expiresAt") ? Instant.ofEpochMilli(o.get("expiresAt").asLong())
            : null;
        OutboxEntry entry = new OutboxEntry(s.seq(), s.messageId(), s.roomId(),
            OutboxEntry.Route.valueOf(o.get("route").asText()), users, devices,
            o.path("own").asBoolean(), Base64.getDecoder().decode(o.get("content").asText()), exp);
        parsedOutbox.put(entry.id(), entry);
        out.add(entry);
      } catch (IOException | RuntimeException ex) {
        // Only this client writes the payload; one that does not parse is dropped, not retried.
        store.outbox().remove(s.messageId());
      }
    }
    return out;
  }

  @Override
  public void removeOutbox(OutboxEntry entry) {
    store.outbox().remove(entry.id());
    parsedOutbox.remove(entry.id());
  }

  /** The stored payload: {@code o} with the expiry (if any), as JSON bytes. */
  private static byte[] payload(ObjectNode o, Instant expiresAt) {
    if (expiresAt != null) {
      o.put("expiresAt", expiresAt.toEpochMilli());
    }
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** A device address as {@link DeviceAddress#toString()} writes it ({@code user.device}). */
  private static DeviceAddress device(String text) {
    int dot = text.lastIndexOf('.');
    return DeviceAddress.of(text.substring(0, dot), Integer.parseInt(text.substring(dot + 1)));
  }

  // ------------------------------------------------------------------ held envelopes

  /** Held envelopes read back at once; more than this many per user are never held. */
  private static final int MAX_HELD_READ = 10_000;

  @Override
  public boolean holdEnvelope(HeldEnvelope e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("from", e.from().toString());
    o.put("ciphertext", Base64.getEncoder().encodeToString(e.ciphertext()));
    if (e.roomId() != null) {
      o.put("room", e.roomId());
    }
    byte[] payload = payload(o, e.expiresAt());
    return store.held().hold(e.id(), e.from().userId(), payload);
  }

  @Override
  public List<HeldEnvelope> heldFrom(String userId) {
    List<HeldEnvelope> out = new ArrayList<>();
    for (io.ciphertalk.core.store.HeldEnvelope s : store.held().from(userId, MAX_HELD_READ)) {
      try {
        JsonNode o = JSON.readTree(s.payload());
        DeviceAddress from = device(o.get("from").asText());
        Instant exp = o.hasNonNull("expiresAt") ? Instant.ofEpochMilli(o.get("expiresAt").asLong())
            : null;
        out.add(new HeldEnvelope(from, s.messageId(),
            Base64.getDecoder().decode(o.get("ciphertext").asText()), exp,
            o.hasNonNull("room") ? o.get("room").asText() : null));
      } catch (IOException | RuntimeException ex) {
        // Only this client writes the payload; one that does not parse is dropped, not retried.
        store.held().remove(s.messageId());
      }
    }
    return out;
  }

  @Override
  public Set<String> heldSenders() {
    Set<String> users = new LinkedHashSet<>();
    for (io.ciphertalk.core.store.HeldEnvelope s : store.held().all(MAX_HELD_READ)) {
      users.add(s.senderUserId());
    }
    return users;
  }

  @Override
  public int heldGroupMessages() {
    int n = 0;
    for (String user : heldSenders()) {
      n += (int) heldFrom(user).stream().filter(e -> e.roomId() != null).count();
    }
    return n;
  }

  @Override
  public int heldCount(String userId) {
    return store.held().count(userId);
  }

  @Override
  public void removeHeld(MessageId id) {
    store.held().remove(id);
  }

  // ------------------------------------------------------------------ seen, unread

  @Override
  public void prepareInbound(java.util.Collection<MessageId> ids) {
    if (!ids.isEmpty()) {
      // The answers are kept by the store for the rest of the unit (SeenStore#seenAmong).
      store.seen().seenAmong(ids);
      store.messages().storedAmong(ids);
    }
  }

  @Override
  public boolean isSeen(MessageId id) {
    return store.seen().isSeen(id);
  }

  @Override
  public boolean markSeen(MessageId id) {
    return store.seen().markSeen(id);
  }

  @Override
  public Set<MessageId> unread(String roomId) {
    return store.unread().unread(roomId);
  }

  @Override
  public void setUnread(String roomId, Set<MessageId> ids) {
    store.unread().setUnread(roomId, ids);
  }

  @Override
  public void addUnread(String roomId, MessageId id) {
    store.unread().addUnread(roomId, id);
  }

  @Override
  public int removeUnread(String roomId, Set<MessageId> ids) {
    return ids.isEmpty() ? 0 : store.unread().markRead(roomId, ids);
  }

  /**
   * Runs {@code work} as one store unit. The room cache may have been filled inside the unit with
   * rows it wrote, which a rollback takes back (and which other threads do not see before the
   * commit): if rooms were written, the cache is dropped when the unit ends, either way.
   */
  @Override
  public void inTransaction(Runnable work) {
    long before;
    synchronized (this) {
      before = roomWrites;
    }
    try {
      store.inTransaction(work);
    } finally {
      synchronized (this) {
        if (roomWrites != before) {
          roomsChanged();
        }
      }
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
