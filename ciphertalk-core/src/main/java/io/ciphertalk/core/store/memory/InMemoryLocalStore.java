package io.ciphertalk.core.store.memory;

import io.ciphertalk.core.model.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Room;
import io.ciphertalk.core.store.Account;
import io.ciphertalk.core.store.AccountKeyStore;
import io.ciphertalk.core.store.AccountStore;
import io.ciphertalk.core.store.IdentityStore;
import io.ciphertalk.core.store.LocalIdentity;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.MessageCursor;
import io.ciphertalk.core.store.MessageStore;
import io.ciphertalk.core.store.HeldEnvelope;
import io.ciphertalk.core.store.HeldEnvelopeStore;
import io.ciphertalk.core.store.OutboxEntry;
import io.ciphertalk.core.store.OutboxStore;
import io.ciphertalk.core.store.PreKeyStore;
import io.ciphertalk.core.store.PreKeyType;
import io.ciphertalk.core.store.SenderKeyStore;
import io.ciphertalk.core.store.RoomStore;
import io.ciphertalk.core.store.SeenStore;
import io.ciphertalk.core.store.SessionStore;
import io.ciphertalk.core.store.UnreadStore;
import io.ciphertalk.core.store.AppDataStore;
import io.ciphertalk.core.store.internal.StoreSupport;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.SecretBytes;
import java.time.InstantSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link LocalStore} in memory, for tests and ephemeral clients: nothing survives the process.
 * Thread-safe (each store locks itself). Expiry is judged by the injected clock.
 */
public final class InMemoryLocalStore implements LocalStore {
  private final InstantSource clock;
  private volatile boolean closed;
  private final Identities identities = new Identities();
  private final AccountKeys accountKeys = new AccountKeys();
  private final Sessions sessions = new Sessions();
  private final PreKeys preKeys = new PreKeys();
  private final SenderKeys senderKeys = new SenderKeys();
  private final Messages messages = new Messages();
  private final Outbox outbox = new Outbox();
  private final Held held = new Held();
  private final Accounts account = new Accounts();
  private final Rooms rooms = new Rooms();
  private final Seen seen = new Seen();
  private final Unread unread = new Unread();
  private final AppData appData = new AppData();

  private InMemoryLocalStore(InstantSource clock) {
    this.clock = clock;
  }

  /** An empty store judging expiry by {@code clock}. */
  public static InMemoryLocalStore create(InstantSource clock) {
    return new InMemoryLocalStore(Objects.requireNonNull(clock, "clock"));
  }

  private void live() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }

  @Override
  public AccountKeyStore accountKeys() {
    live();
    return accountKeys;
  }

  @Override
  public IdentityStore identities() {
    return identities;
  }

  @Override
  public SessionStore sessions() {
    return sessions;
  }

  @Override
  public PreKeyStore preKeys() {
    return preKeys;
  }

  @Override
  public SenderKeyStore senderKeys() {
    return senderKeys;
  }

  @Override
  public MessageStore messages() {
    return messages;
  }

  @Override
  public OutboxStore outbox() {
    return outbox;
  }

  @Override
  public HeldEnvelopeStore held() {
    return held;
  }

  @Override
  public AccountStore account() {
    return account;
  }

  @Override
  public RoomStore rooms() {
    return rooms;
  }

  @Override
  public SeenStore seen() {
    return seen;
  }

  @Override
  public UnreadStore unread() {
    return unread;
  }

  @Override
  public AppDataStore appData() {
    return appData;
  }

  @Override
  public void close() {
    closed = true;
  }

  private final class Accounts implements AccountStore {
    private volatile Account value;

    @Override
    public Optional<Account> account() {
      live();
      return Optional.ofNullable(value);
    }

    @Override
    public void saveAccount(Account account) {
      live();
      value = Objects.requireNonNull(account, "account");
    }

    @Override
    public synchronized boolean clearAccount() {
      live();
      boolean had = value != null;
      value = null;
      return had;
    }
  }

  private final class Rooms implements RoomStore {
    private final Map<String, Room> map = new ConcurrentHashMap<>();

    @Override
    public void saveRoom(Room room) {
      live();
      map.put(Objects.requireNonNull(room, "room").roomId(), room);
    }

    @Override
    public Optional<Room> room(String roomId) {
      live();
      return Optional.ofNullable(map.get(Objects.requireNonNull(roomId, "roomId")));
    }

    @Override
    public List<Room> rooms() {
      live();
      List<Room> out = new ArrayList<>(map.values());
      out.sort(Comparator.comparing(Room::roomId));
      return out;
    }

    @Override
    public boolean removeRoom(String roomId) {
      live();
      return map.remove(Objects.requireNonNull(roomId, "roomId")) != null;
    }
  }

  private final class Seen implements SeenStore {
    private final Map<MessageId, Long> map = new ConcurrentHashMap<>();

    @Override
    public boolean markSeen(MessageId id) {
      live();
      return map.putIfAbsent(Objects.requireNonNull(id, "id"), clock.millis()) == null;
    }

    @Override
    public boolean isSeen(MessageId id) {
      live();
      return map.containsKey(Objects.requireNonNull(id, "id"));
    }

    @Override
    public int forgetSeenBefore(Instant cutoff) {
      live();
      long c = Objects.requireNonNull(cutoff, "cutoff").toEpochMilli();
      int n = 0;
      for (Map.Entry<MessageId, Long> e : map.entrySet()) {
        if (e.getValue() < c && map.remove(e.getKey(), e.getValue())) {
          n++;
        }
      }
      return n;
    }
  }

  private final class AppData implements AppDataStore {
    private final Map<String, byte[]> map = new HashMap<>();

    @Override
    public synchronized Optional<byte[]> get(String key) {
      live();
      AppDataStore.check(key, null);
      return Optional.ofNullable(map.get(key)).map(byte[]::clone);
    }

    @Override
    public synchronized void put(String key, byte[] value) {
      live();
      Objects.requireNonNull(value, "value");
      AppDataStore.check(key, value);
      map.put(key, value.clone());
    }

    @Override
    public synchronized boolean remove(String key) {
      live();
      AppDataStore.check(key, null);
      return map.remove(key) != null;
    }
  }

  private final class Unread implements UnreadStore {
    private final Map<String, Set<MessageId>> map = new HashMap<>();

    @Override
    public synchronized Set<MessageId> unread(String roomId) {
      live();
      return Set.copyOf(map.getOrDefault(Objects.requireNonNull(roomId, "roomId"), Set.of()));
    }

    @Override
    public synchronized void setUnread(String roomId, Set<MessageId> ids) {
      live();
      map.put(Objects.requireNonNull(roomId, "roomId"), new HashSet<>(Set.copyOf(ids)));
    }

    @Override
    public synchronized void addUnread(String roomId, MessageId id) {
      live();
      map.computeIfAbsent(Objects.requireNonNull(roomId, "roomId"), r -> new HashSet<>())
          .add(Objects.requireNonNull(id, "id"));
    }

    @Override
    public synchronized int markRead(String roomId, Set<MessageId> ids) {
      live();
      Set<MessageId> set = map.get(Objects.requireNonNull(roomId, "roomId"));
      if (set == null) {
        return 0;
      }
      int n = 0;
      for (MessageId id : ids) {
        if (set.remove(id)) {
          n++;
        }
      }
      return n;
    }
  }

  @Override
  public String toString() {
    return "InMemoryLocalStore";
  }

  private final class Identities implements IdentityStore {
    private volatile LocalIdentity local;
    private final Map<DeviceAddress, byte[]> peers = new ConcurrentHashMap<>();

    @Override
    public Optional<LocalIdentity> localIdentity() {
      live();
      return Optional.ofNullable(local);
    }

    @Override
    public void saveLocalIdentity(LocalIdentity identity) {
      live();
      Objects.requireNonNull(identity, "identity");
      local = LocalIdentity.of(identity.address(), identity.publicKey(), identity.privateKey());
    }

    @Override
    public Optional<byte[]> peerIdentity(DeviceAddress peer) {
      live();
      byte[] k = peers.get(Objects.requireNonNull(peer, "peer"));
      return k == null ? Optional.empty() : Optional.of(k.clone());
    }

    @Override
    public boolean savePeerIdentity(DeviceAddress peer, byte[] identityKey) {
      live();
      Objects.requireNonNull(peer, "peer");
      byte[] copy = Objects.requireNonNull(identityKey, "identityKey").clone();
      byte[] old = peers.put(peer, copy);
      return old != null && !Arrays.equals(old, copy);
    }

    @Override
    public boolean removePeerIdentity(DeviceAddress peer) {
      live();
      return peers.remove(Objects.requireNonNull(peer, "peer")) != null;
    }
  }

  private final class AccountKeys implements AccountKeyStore {
    private volatile SecretBytes keyPair;
    private volatile byte[] certificate;
    private final Map<String, byte[]> pins = new ConcurrentHashMap<>();
    private final Map<String, List<byte[]>> revocations = new ConcurrentHashMap<>();

    @Override
    public Optional<SecretBytes> accountKeyPair() {
      live();
      SecretBytes k = keyPair;
      return k == null ? Optional.empty() : Optional.of(SecretBytes.copyOf(k.toByteArray()));
    }

    @Override
    public void saveAccountKeyPair(SecretBytes pair) {
      live();
      keyPair = SecretBytes.copyOf(Objects.requireNonNull(pair, "keyPair").toByteArray());
    }

    @Override
    public Optional<byte[]> ownCertificate() {
      live();
      byte[] c = certificate;
      return c == null ? Optional.empty() : Optional.of(c.clone());
    }

    @Override
    public void saveOwnCertificate(byte[] cert) {
      live();
      certificate = Objects.requireNonNull(cert, "certificate").clone();
    }

    @Override
    public Optional<byte[]> pinnedAccountKey(String userId) {
      live();
      byte[] k = pins.get(Objects.requireNonNull(userId, "userId"));
      return k == null ? Optional.empty() : Optional.of(k.clone());
    }

    @Override
    public void pinAccountKey(String userId, byte[] accountKey) {
      live();
      pins.put(Objects.requireNonNull(userId, "userId"),
          Objects.requireNonNull(accountKey, "accountKey").clone());
    }

    @Override
    public List<byte[]> revocations(String userId) {
      live();
      List<byte[]> l = revocations.get(Objects.requireNonNull(userId, "userId"));
      if (l == null) {
        return List.of();
      }
      synchronized (l) {
        return l.stream().map(byte[]::clone).toList();
      }
    }

    @Override
    public void addRevocation(String userId, byte[] revocation) {
      live();
      Objects.requireNonNull(revocation, "revocation");
      List<byte[]> l = revocations.computeIfAbsent(Objects.requireNonNull(userId, "userId"),
          k -> new ArrayList<>());
      synchronized (l) {
        if (l.stream().noneMatch(r -> Arrays.equals(r, revocation))) {
          l.add(revocation.clone());
        }
      }
    }
  }

  private final class Sessions implements SessionStore {
    private final Map<DeviceAddress, byte[]> map = new ConcurrentHashMap<>();

    @Override
    public Optional<byte[]> loadSession(DeviceAddress peer) {
      live();
      byte[] s = map.get(Objects.requireNonNull(peer, "peer"));
      return s == null ? Optional.empty() : Optional.of(s.clone());
    }

    @Override
    public void storeSession(DeviceAddress peer, byte[] state) {
      live();
      map.put(Objects.requireNonNull(peer, "peer"), Objects.requireNonNull(state, "state").clone());
    }

    @Override
    public boolean deleteSession(DeviceAddress peer) {
      live();
      return map.remove(Objects.requireNonNull(peer, "peer")) != null;
    }

    @Override
    public List<DeviceAddress> sessionDevices(String userId) {
      live();
      Objects.requireNonNull(userId, "userId");
      List<DeviceAddress> out = new ArrayList<>();
      for (DeviceAddress a : map.keySet()) {
        if (a.userId().equals(userId)) {
          out.add(a);
        }
      }
      out.sort(Comparator.naturalOrder());
      return out;
    }

    @Override
    public List<DeviceAddress> allSessionDevices() {
      live();
      List<DeviceAddress> out = new ArrayList<>(map.keySet());
      out.sort(Comparator.naturalOrder());
      return out;
    }

    @Override
    public int deleteAllSessions(String userId) {
      live();
      int n = 0;
      for (DeviceAddress a : sessionDevices(userId)) {
        if (map.remove(a) != null) {
          n++;
        }
      }
      return n;
    }
  }

  private final class PreKeys implements PreKeyStore {
    private final Map<PreKeyType, Map<Integer, byte[]>> map = new ConcurrentHashMap<>();

    private Map<Integer, byte[]> of(PreKeyType type) {
      return map.computeIfAbsent(Objects.requireNonNull(type, "type"), t -> new ConcurrentHashMap<>());
    }

    @Override
    public void storePreKey(PreKeyType type, int id, SecretBytes privateKey) {
      live();
      of(type).put(id, Objects.requireNonNull(privateKey, "privateKey").toByteArray());
    }

    @Override
    public Optional<SecretBytes> loadPreKey(PreKeyType type, int id) {
      live();
      byte[] k = of(type).get(id);
      return k == null ? Optional.empty() : Optional.of(SecretBytes.copyOf(k));
    }

    @Override
    public Optional<SecretBytes> consumePreKey(PreKeyType type, int id) {
      live();
      byte[] k = of(type).remove(id);
      return k == null ? Optional.empty() : Optional.of(SecretBytes.wrap(k));
    }

    @Override
    public boolean removePreKey(PreKeyType type, int id) {
      live();
      byte[] k = of(type).remove(id);
      if (k != null) {
        Arrays.fill(k, (byte) 0);
      }
      return k != null;
    }

    @Override
    public List<Integer> preKeyIds(PreKeyType type) {
      live();
      List<Integer> ids = new ArrayList<>(of(type).keySet());
      ids.sort(Comparator.naturalOrder());
      return ids;
    }
  }

  private final class SenderKeys implements SenderKeyStore {
    private final Map<String, Map<DeviceAddress, byte[]>> map = new ConcurrentHashMap<>();

    @Override
    public Optional<byte[]> loadSenderKey(String roomId, DeviceAddress sender) {
      live();
      Objects.requireNonNull(sender, "sender");
      Map<DeviceAddress, byte[]> room = map.get(Objects.requireNonNull(roomId, "roomId"));
      byte[] s = room == null ? null : room.get(sender);
      return s == null ? Optional.empty() : Optional.of(s.clone());
    }

    @Override
    public void storeSenderKey(String roomId, DeviceAddress sender, byte[] state) {
      live();
      Objects.requireNonNull(sender, "sender");
      byte[] copy = Objects.requireNonNull(state, "state").clone();
      map.computeIfAbsent(Objects.requireNonNull(roomId, "roomId"), r -> new ConcurrentHashMap<>())
          .put(sender, copy);
    }

    @Override
    public boolean deleteSenderKey(String roomId, DeviceAddress sender) {
      live();
      Objects.requireNonNull(sender, "sender");
      Map<DeviceAddress, byte[]> room = map.get(Objects.requireNonNull(roomId, "roomId"));
      return room != null && room.remove(sender) != null;
    }

    @Override
    public int deleteSenderKeys(String roomId) {
      live();
      Map<DeviceAddress, byte[]> room = map.remove(Objects.requireNonNull(roomId, "roomId"));
      return room == null ? 0 : room.size();
    }
  }

  private final class Messages implements MessageStore {
    private final Map<MessageId, Message> byId = new HashMap<>();
    private final Map<String, NavigableMap<MessageCursor, Message>> byRoom = new HashMap<>();
    private final Map<MessageId, io.ciphertalk.core.model.SendState> sendStates = new HashMap<>();

    @Override
    public synchronized boolean updateSendState(MessageId id,
        io.ciphertalk.core.model.SendState state) {
      live();
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(state, "state");
      io.ciphertalk.core.model.SendState old = sendStates.get(id);
      if (old != null && !old.status().canMoveTo(state.status())) {
        return false;
      }
      sendStates.put(id, state);
      return true;
    }

    @Override
    public synchronized Optional<io.ciphertalk.core.model.SendState> sendState(MessageId id) {
      live();
      return Optional.ofNullable(sendStates.get(Objects.requireNonNull(id, "id")));
    }

    private boolean visible(Message m, Instant now) {
      return !m.isExpiredAt(now);
    }

    @Override
    public synchronized void saveMessage(Message message) {
      live();
      Message m = StoreSupport.toMillis(Objects.requireNonNull(message, "message"));
      Message old = byId.put(m.id(), m);
      if (old != null) {
        byRoom.get(old.roomId()).remove(MessageCursor.of(old));
      }
      byRoom.computeIfAbsent(m.roomId(), r -> new TreeMap<>()).put(MessageCursor.of(m), m);
    }

    @Override
    public synchronized Optional<Message> message(MessageId id) {
      live();
      Message m = byId.get(Objects.requireNonNull(id, "id"));
      return m != null && visible(m, clock.instant()) ? Optional.of(m) : Optional.empty();
    }

    @Override
    public synchronized List<Message> history(String roomId, MessageCursor before, int limit) {
      live();
      Objects.requireNonNull(roomId, "roomId");
      StoreSupport.checkLimit(limit);
      NavigableMap<MessageCursor, Message> room = byRoom.get(roomId);
      List<Message> out = new ArrayList<>();
      if (room == null) {
        return out;
      }
      NavigableMap<MessageCursor, Message> view =
          before == null ? room.descendingMap() : room.headMap(before, false).descendingMap();
      Instant now = clock.instant();
      for (Message m : view.values()) {
        if (visible(m, now)) {
          out.add(m);
          if (out.size() == limit) {
            break;
          }
        }
      }
      return out;
    }

    @Override
    public synchronized List<Message> search(String roomId, String text, int limit) {
      live();
      Objects.requireNonNull(text, "text");
      StoreSupport.checkLimit(limit);
      String needle = StoreSupport.lower(text);
      Instant now = clock.instant();
      List<Message> all = new ArrayList<>();
      for (Map.Entry<String, NavigableMap<MessageCursor, Message>> e : byRoom.entrySet()) {
        if (roomId == null || roomId.equals(e.getKey())) {
          for (Message m : e.getValue().values()) {
            if (visible(m, now) && StoreSupport.matches(m, needle)) {
              all.add(m);
            }
          }
        }
      }
      all.sort(Comparator.comparing(MessageCursor::of).reversed());
      return all.size() > limit ? new ArrayList<>(all.subList(0, limit)) : all;
    }

    @Override
    public synchronized boolean deleteMessage(MessageId id) {
      live();
      Message old = byId.remove(Objects.requireNonNull(id, "id"));
      sendStates.remove(id);
      if (old != null) {
        byRoom.get(old.roomId()).remove(MessageCursor.of(old));
      }
      return old != null;
    }

    @Override
    public synchronized List<Message> sweepExpired() {
      live();
      Instant now = clock.instant();
      List<Message> gone = new ArrayList<>();
      for (Message m : new ArrayList<>(byId.values())) {
        if (!visible(m, now)) {
          deleteMessage(m.id());
          gone.add(m);
        }
      }
      gone.sort(Comparator.comparing(Message::expiresAt).thenComparing(Message::id));
      return gone;
    }

    @Override
    public synchronized Optional<Instant> nextExpiry() {
      live();
      return byId.values().stream()
          .map(Message::expiresAt)
          .filter(Objects::nonNull)
          .min(Comparator.naturalOrder());
    }
  }

  private final class Held implements HeldEnvelopeStore {
    private final LinkedHashMap<MessageId, HeldEnvelope> entries = new LinkedHashMap<>();
    private long nextSeq = 1;

    @Override
    public synchronized boolean hold(MessageId messageId, String senderUserId, byte[] payload) {
      live();
      Objects.requireNonNull(messageId, "messageId");
      if (entries.containsKey(messageId)) {
        return false;
      }
      entries.put(messageId, new HeldEnvelope(nextSeq++, messageId, senderUserId,
          Instant.ofEpochMilli(clock.millis()), payload));
      return true;
    }

    @Override
    public synchronized List<HeldEnvelope> all(int limit) {
      return select(null, limit);
    }

    @Override
    public synchronized List<HeldEnvelope> from(String senderUserId, int limit) {
      return select(Objects.requireNonNull(senderUserId, "senderUserId"), limit);
    }

    private List<HeldEnvelope> select(String sender, int limit) {
      live();
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1: " + limit);
      }
      List<HeldEnvelope> out = new ArrayList<>();
      for (HeldEnvelope e : entries.values()) {
        if (out.size() == limit) {
          break;
        }
        if (sender == null || e.senderUserId().equals(sender)) {
          out.add(e);
        }
      }
      return out;
    }

    @Override
    public synchronized boolean remove(MessageId messageId) {
      live();
      return entries.remove(Objects.requireNonNull(messageId, "messageId")) != null;
    }

    @Override
    public synchronized int count(String senderUserId) {
      live();
      Objects.requireNonNull(senderUserId, "senderUserId");
      return (int) entries.values().stream().filter(e -> e.senderUserId().equals(senderUserId)).count();
    }
  }

  private final class Outbox implements OutboxStore {
    private final LinkedHashMap<MessageId, OutboxEntry> entries = new LinkedHashMap<>();
    private long nextSeq = 1;

    @Override
    public synchronized OutboxEntry enqueue(MessageId messageId, String roomId, byte[] payload) {
      live();
      Objects.requireNonNull(messageId, "messageId");
      OutboxEntry existing = entries.get(messageId);
      if (existing != null) {
        return existing;
      }
      OutboxEntry e =
          new OutboxEntry(nextSeq++, messageId, roomId, Instant.ofEpochMilli(clock.millis()), payload);
      entries.put(messageId, e);
      return e;
    }

    @Override
    public synchronized List<OutboxEntry> pending(int limit) {
      live();
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1: " + limit);
      }
      List<OutboxEntry> out = new ArrayList<>();
      for (OutboxEntry e : entries.values()) {
        if (out.size() == limit) {
          break;
        }
        out.add(e);
      }
      return out;
    }

    @Override
    public synchronized boolean remove(MessageId messageId) {
      live();
      return entries.remove(Objects.requireNonNull(messageId, "messageId")) != null;
    }

    @Override
    public synchronized int size() {
      live();
      return entries.size();
    }
  }
}
