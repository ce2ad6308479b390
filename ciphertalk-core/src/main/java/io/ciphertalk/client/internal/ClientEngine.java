package io.ciphertalk.client.internal;

import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Presence;
import io.ciphertalk.client.ReceiptKind;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.RoomUnavailableException;
import io.ciphertalk.client.Scheduler;
import io.ciphertalk.client.SendOptions;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.MessageStatus;
import io.ciphertalk.core.model.SendState;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.PrivateRoomId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's brain. Owns one single-threaded executor (the "engine thread") on which every inbound
 * event, outbox flush and timer callback runs, so the session, sender-key and unread state needs no
 * further locking. App-facing calls validate on the caller's thread, persist to the outbox and hand
 * over to the engine thread.
 */
public final class ClientEngine implements ServerLink.Inbound, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientEngine.class);
  /** How long {@link #close()} waits for the engine's queued tasks before interrupting them. */
  private static final java.time.Duration ENGINE_STOP_WAIT = java.time.Duration.ofSeconds(10);

  /** Everything the engine is built from. */
  public record Config(
      ServerLink link,
      LocalData data,
      Function<DeviceAddress, E2eCrypto> cryptoFactory,
      Clock clock,
      Scheduler scheduler,
      RandomSource random,
      EventDispatcher events,
      int deviceId,
      Duration typingTtl,
      Duration reconnectBase,
      Duration reconnectMax,
      Duration signedPrekeyRotation,
      int prekeyBatch,
      int maxPendingGroupMessages) {
    public Config {
      Objects.requireNonNull(link, "link");
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(cryptoFactory, "cryptoFactory");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(scheduler, "scheduler");
      Objects.requireNonNull(random, "random");
      Objects.requireNonNull(events, "events");
    }
  }

  /** Counters for tests and monitoring. */
  public record Stats(long delivered, long duplicates, long undecryptable, int pendingGroup,
      int outbox, long sent) {}

  private final Config cfg;
  private final ServerLink link;
  private final LocalData data;
  private final Clock clock;
  private final ContentCodec codec = new ContentCodec();
  private final ExecutorService engine;
  private final TypingTracker typing;

  private volatile E2eCrypto crypto;
  private volatile DeviceLinking linking;
  /** Devices announced as rejected in this run (each once). */
  private final Set<DeviceAddress> rejected = new HashSet<>();
  private volatile DeviceAddress self;
  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  private volatile boolean wantConnected;
  private volatile boolean closed;
  private volatile Thread engineThread;

  // Engine-thread state.
  private int reconnectAttempt;
  private Scheduler.Cancellable reconnectTimer;
  private Scheduler.Cancellable rotationTimer;
  private boolean keysPublished;
  private Scheduler.Cancellable sweepTimer;
  private Instant sweepAt;
  /**
   * Per room: the epoch of this device's sender key and the devices it was sent to since this
   * engine started (after a restart every member gets it again, so a crash between a rotation and
   * its distribution only costs a resend).
   */
  private final Map<String, SentKeys> senderKeySentTo = new HashMap<>();

  private record SentKeys(long epoch, Set<DeviceAddress> to) {}
  /** Whether the envelopes held in the store were retried since this engine started. */
  private boolean heldRetried;
  private final Set<String> untrusted = new HashSet<>();
  private final Set<MessageId> readAhead = new LinkedHashSet<>();
  private final Map<String, Presence> presence = new ConcurrentHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong undecryptable = new AtomicLong();
  /** Outbox entries the server answered as stored. */
  private final AtomicLong sent = new AtomicLong();
  private final InboundBatcher inbound;
  /** Delivery receipts owed, (room, sender) to message ids; written once per inbound batch. */
  private final Map<Map.Entry<String, String>, List<String>> owedReceipts = new LinkedHashMap<>();
  private boolean inBatch;
  /** Events of the running inbound batch: published once it committed, dropped if it failed. */
  private final List<ChatEvent> batchEvents = new ArrayList<>();

  /** A group ciphertext on its way through {@link #handleGroup}. */
  private record PendingGroup(DeviceAddress from, MessageId id, byte[] ciphertext,
      Instant expiresAt, Runnable ack) {}

  public ClientEngine(Config cfg) {
    this.cfg = cfg;
    this.link = cfg.link();
    this.data = cfg.data();
    this.clock = cfg.clock();
    this.engine = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ciphertalk-engine");
      t.setDaemon(true);
      engineThread = t;
      return t;
    });
    this.typing = new TypingTracker(clock, cfg.scheduler(), cfg.typingTtl(), cfg.events()::publish);
    this.inbound = new InboundBatcher(this::runOnEngine, data, this::beginBatch, this::endBatch,
        this::afterBatch, e -> batchRolledBack());
    data.account().ifPresent(a -> initIdentity(a.userId()));
  }

  // ------------------------------------------------------------------ account and connection

  private void initIdentity(String userId) {
    this.self = new DeviceAddress(userId, cfg.deviceId());
    this.crypto = cfg.cryptoFactory().apply(self);
    this.linking = new DeviceLinking(self, crypto, link, clock, cfg.random());
    crypto.certificateSource((d, fresh) -> {
      try {
        return link.certificate(d, fresh);
      } catch (CipherTalkException e) {
        throw new CryptoException("cannot fetch the certificate of " + d + ": " + e.getMessage(), e);
      }
    });
  }

  public Optional<DeviceAddress> self() {
    return Optional.ofNullable(self);
  }

  public ConnectionState state() {
    return state;
  }

  public void register(String userId, String password) throws CipherTalkException {
    String token = link.register(userId, password);
    adoptAccount(userId, token);
  }

  public void login(String userId, String password) throws CipherTalkException {
    String token = link.login(userId, password);
    adoptAccount(userId, token);
  }

  public void useToken(String userId, String token) {
    adoptAccount(userId, token);
  }

  private void adoptAccount(String userId, String token) {
    Optional<LocalData.Account> existing = data.account();
    if (existing.isPresent() && !existing.get().userId().equals(userId)) {
      throw new IllegalStateException("this store belongs to user " + existing.get().userId());
    }
    data.saveAccount(new LocalData.Account(userId, cfg.deviceId(), token));
    if (self == null) {
      initIdentity(userId);
    }
  }

  /** Connects (blocking) and flushes the outbox; on failure a reconnect is scheduled. */
  public void connect() throws CipherTalkException {
    requireOpen();
    LocalData.Account account = data.account()
        .orElseThrow(() -> new IllegalStateException("register or login before connect"));
    wantConnected = true;
    CipherTalkException failure = callOnEngine(() -> {
      try {
        doConnect(account);
        return null;
      } catch (CipherTalkException e) {
        scheduleReconnect();
        return e;
      }
    });
    if (failure != null) {
      throw failure;
    }
  }

  /** Disconnects without automatic reconnect (until {@link #connect()}). */
  public void disconnect() {
    wantConnected = false;
    runOnEngine(() -> {
      cancelReconnect();
      link.disconnect();
      setState(ConnectionState.DISCONNECTED);
    });
    awaitEngine();
  }

  private void doConnect(LocalData.Account account) throws CipherTalkException {
    if (!link.isConnected()) {
      setState(ConnectionState.CONNECTING);
      try {
        link.connect(self, account.token(), this);
      } catch (AuthenticationException e) {
        // The token is dead (revoked, expired, account deleted): retrying cannot help.
        sessionEnded(e.getMessage());
        throw e;
      } catch (CipherTalkException e) {
        setState(ConnectionState.DISCONNECTED);
        throw e;
      }
    }
    reconnectAttempt = 0;
    if (!keysPublished && crypto.holdsPreAccountSessions()) {
      // Before its account key exists (which deletes its pre-certificate sessions): this store's
      // group sender keys went out over those sessions, so each room moves to a new epoch whose
      // key only certified devices get. A crash before the account key exists does this again.
      rotatePreAccountGroups();
    }
    if (!keysPublished && !linking.ensureAccount()) {
      // The account has certified devices and this one holds no account key: it must be linked
      // first (it publishes nothing, sends nothing and is sent nothing until then).
      setState(ConnectionState.CONNECTED);
      publish(new ChatEvent.LinkingRequired());
      return;
    }
    if (!keysPublished) {
      try {
        link.publishKeys(crypto.keysToPublish(cfg.prekeyBatch()));
        keysPublished = true;
      } catch (CryptoException e) {
        throw new CipherTalkException("cannot generate keys", e);
      }
      scheduleSignedPrekeyRotation();
    }
    refreshRooms();
    scheduleStoredExpiries();
    setState(ConnectionState.CONNECTED);
    if (!heldRetried) {
      // Envelopes held before a restart: still untrusted ones are announced again and stay held.
      heldRetried = true;
      for (String user : data.heldSenders()) {
        releaseHeld(user);
      }
    }
    flush();
  }

  private void rotatePreAccountGroups() {
    for (ServerLink.RoomInfo r : data.rooms()) {
      if (r.kind() != RoomKind.GROUP) {
        continue;
      }
      try {
        crypto.groups().rotate(r.id());
      } catch (CryptoException e) {
        LOG.warn("cannot move room {} to a new sender-key epoch at the account upgrade: {}", r.id(),
            e.getMessage());
      }
    }
  }

  private void refreshRooms() {
    try {
      Set<String> current = new HashSet<>();
      for (ServerLink.RoomInfo r : link.rooms()) {
        current.add(r.id());
        Optional<ServerLink.RoomInfo> old = room(r.id());
        if (old.isPresent()) {
          for (String u : old.get().members().keySet()) {
            if (!r.members().containsKey(u)) {
              memberGone(r.id(), u);
            }
          }
        }
        data.putRoom(r);
      }
      for (ServerLink.RoomInfo r : data.rooms()) {
        if (!current.contains(r.id())) {
          data.removeRoom(r.id());
        }
      }
    } catch (CipherTalkException e) {
      LOG.debug("room refresh failed: {}", e.getMessage());
    }
  }

  private void scheduleReconnect() {
    if (closed || !wantConnected || reconnectTimer != null) {
      return;
    }
    long base = cfg.reconnectBase().toMillis();
    long max = cfg.reconnectMax().toMillis();
    long delay = Math.min(max, base << Math.min(reconnectAttempt, 20));
    byte[] r = cfg.random().bytes(2);
    long jitter = delay / 4 == 0 ? 0 : (((r[0] & 0xff) << 8 | (r[1] & 0xff)) % (delay / 4));
    reconnectAttempt++;
    Instant at = clock.instant().plusMillis(delay + jitter);
    LOG.debug("reconnect attempt {} scheduled in {} ms", reconnectAttempt, delay + jitter);
    reconnectTimer = cfg.scheduler().schedule(at, () -> runOnEngine(() -> {
      reconnectTimer = null;
      if (closed || !wantConnected) {
        return;
      }
      try {
        doConnect(data.account().orElseThrow());
      } catch (RuntimeException e) {
        LOG.debug("reconnect failed: {}", e.getMessage());
        scheduleReconnect();
      }
    }));
  }

  /** Stops reconnecting and tells the app that only a new login can continue. */
  private void sessionEnded(String reason) {
    wantConnected = false;
    cancelReconnect();
    link.disconnect();
    LOG.info("the server refused this device's token; reconnecting stopped");
    setState(ConnectionState.DISCONNECTED);
    cfg.events().publish(new ChatEvent.SessionEnded(reason == null ? "authentication failed"
        : reason));
  }

  private void cancelReconnect() {
    if (reconnectTimer != null) {
      reconnectTimer.cancel();
      reconnectTimer = null;
    }
  }

  private void scheduleSignedPrekeyRotation() {
    if (rotationTimer != null) {
      rotationTimer.cancel();
    }
    rotationTimer = cfg.scheduler().schedule(clock.instant().plus(cfg.signedPrekeyRotation()),
        () -> runOnEngine(() -> {
          rotationTimer = null;
          if (closed) {
            return;
          }
          // the next rotation is armed before this one's new key is observable (as the sweep is)
          scheduleSignedPrekeyRotation();
          try {
            if (link.isConnected()) {
              link.publishKeys(crypto.rotateSignedPrekey());
              LOG.info("signed prekey rotated");
            }
          } catch (CipherTalkException | CryptoException e) {
            LOG.warn("signed prekey rotation failed: {}", e.getMessage());
          }
        }));
  }

  private void setState(ConnectionState s) {
    if (state != s) {
      state = s;
      publish(new ChatEvent.ConnectionStateChanged(s));
    }
  }

  // ------------------------------------------------------------------ rooms, contacts, presence

  public Optional<ServerLink.RoomInfo> room(String roomId) {
    return data.rooms().stream().filter(r -> r.id().equals(roomId)).findFirst();
  }

  public List<ServerLink.RoomInfo> rooms() {
    return data.rooms();
  }

  public ServerLink.RoomInfo createRoom(RoomKind kind, String name, Set<String> members)
      throws CipherTalkException {
    requireAccount();
    if (kind == RoomKind.PRIVATE) {
      String other = members.iterator().next();
      for (ServerLink.RoomInfo r : data.rooms()) {
        if (isPrivateRoomWith(r, other)) {
          if (r.members().get(other) == Role.OWNER) {
            // The other user opened this room: opening it ourselves accepts their invitation (the
            // server answers a repeated private-room creation with the existing room and accepts it).
            try {
              link.createRoom(kind, name, members);
            } catch (CipherTalkException e) {
              LOG.debug("could not accept the private room {} now: {}", r.id(), e.getMessage());
            }
          }
          return r;
        }
      }
      // The server is not trusted to pick the room: a room squatting the pair's id, of another
      // kind or with other members would deliver what is meant for {@code other} to someone else.
      ServerLink.RoomInfo r = link.createRoom(kind, name, members);
      if (!isPrivateRoomWith(r, other)) {
        LOG.warn("server answered a private room request for {} with room {} ({}, members {})",
            other, r.id(), r.kind(), r.members().keySet());
        throw new RequestFailedException("private_room_mismatch", "room " + r.id()
            + " is not the private room of " + self.userId() + " and " + other);
      }
      data.putRoom(r);
      return r;
    }
    ServerLink.RoomInfo r = link.createRoom(kind, name, members);
    data.putRoom(r);
    return r;
  }

  private boolean isPrivateRoomWith(ServerLink.RoomInfo r, String other) {
    return PrivateRoomId.isPrivateRoomOf(r.id(), r.kind(), r.members().keySet(), self.userId(),
        other);
  }

  public void invite(String roomId, String userId) throws CipherTalkException {
    requireRoom(roomId);
    link.invite(roomId, userId);
  }

  public void remove(String roomId, String userId) throws CipherTalkException {
    requireRoom(roomId);
    link.remove(roomId, userId);
    callOnEngine(() -> {
      memberGone(roomId, userId);
      room(roomId).ifPresent(r -> {
        Map<String, Role> m = new HashMap<>(r.members());
        m.remove(userId);
        data.putRoom(r.withMembers(m));
      });
      return null;
    });
  }

  public void leave(String roomId) throws CipherTalkException {
    requireRoom(roomId);
    link.leave(roomId);
    forget(roomId);
  }

  /** Declines a pending invitation: the server removes the membership, and the room is forgotten here. */
  public void declineInvite(String roomId) throws CipherTalkException {
    link.declineInvite(roomId);
    forget(roomId);
  }

  private void forget(String roomId) throws CipherTalkException {
    callOnEngine(() -> {
      data.removeRoom(roomId);
      senderKeySentTo.remove(roomId);
      crypto.groups().leave(roomId);
      return null;
    });
  }

  public void setRole(String roomId, String userId, Role role) throws CipherTalkException {
    requireRoom(roomId);
    link.setRole(roomId, userId, role);
  }

  /** Sets a group room's topic on the server and keeps the room it answers with. */
  public void setTopic(String roomId, String topic) throws CipherTalkException {
    ServerLink.RoomInfo r = requireRoom(roomId);
    if (r.kind() != RoomKind.GROUP) {
      throw new IllegalArgumentException("a private room has no topic: " + roomId);
    }
    ServerLink.RoomInfo after = link.renameRoom(roomId, r.name(), topic);
    callOnEngine(() -> {
      if (room(roomId).isPresent()) {
        data.putRoom(after);
      }
      return null;
    });
  }

  /**
   * Changes the account password with this device's token; the server keeps that token and
   * revokes the account's other tokens (other devices sign in again with the new password).
   */
  public int changePassword(String currentPassword, String newPassword, String oneTimeCode)
      throws CipherTalkException {
    requireAccount();
    LocalData.Account account = data.account().orElseThrow(
        () -> new IllegalStateException("register or login first"));
    return link.changePassword(account.token(), currentPassword, newPassword, oneTimeCode);
  }

  public ServerLink link() {
    return link;
  }

  public Presence presence(String userId) throws CipherTalkException {
    Presence p = presence.get(userId);
    if (p != null) {
      return p;
    }
    Presence fetched = link.presence(List.of(userId)).get(userId);
    return fetched != null ? fetched : new Presence(userId, false, Optional.empty());
  }

  public String safetyNumber(String userId) {
    requireAccount();
    return crypto.safetyNumber(userId);
  }

  /**
   * Accepts {@code userId}'s changed account key if {@code seenSafetyNumber} is exactly its new
   * safety number, and releases what was held for that user; returns whether it was accepted.
   */
  public boolean trustIdentity(String userId, String seenSafetyNumber) {
    requireAccount();
    Boolean ok = callOnEngine(() -> {
      if (!crypto.trust(userId, seenSafetyNumber)) {
        return false;
      }
      untrusted.remove(userId);
      runOnEngine(() -> releaseHeld(userId));
      requestFlush();
      return true;
    });
    return ok;
  }

  /** The scannable form of {@link #safetyNumber(String)}. */
  public String safetyNumberPayload(String userId) {
    requireAccount();
    return crypto.safetyNumberPayload(userId);
  }

  // ------------------------------------------------------------------ devices of this account

  /** On a new device of an existing account: the code to show (and enter on a linked device). */
  public io.ciphertalk.crypto.account.LinkingCode startLinking() {
    requireAccount();
    return callOnEngine(() -> linking.start());
  }

  /** On a linked device: approves the code typed from the new device; returns the confirmation code. */
  public String approveLink(String code) throws CipherTalkException {
    requireAccount();
    Object r = callOnEngine(() -> {
      try {
        return linking.approve(code);
      } catch (CipherTalkException e) {
        return e;
      } catch (io.ciphertalk.crypto.account.InvalidLinkException e) {
        return new RequestFailedException("invalid_link", e.getMessage());
      } catch (CryptoException e) {
        return new RequestFailedException("invalid_link", e.getMessage());
      }
    });
    if (r instanceof CipherTalkException e) {
      throw e;
    }
    return (String) r;
  }

  /** This account's certified devices (this one included). */
  public List<Integer> ownDevices() throws CipherTalkException {
    requireAccount();
    Object r = callOnEngine(() -> {
      try {
        return linking.certifiedDevices();
      } catch (CipherTalkException e) {
        return e;
      }
    });
    if (r instanceof CipherTalkException e) {
      throw e;
    }
    @SuppressWarnings("unchecked")
    List<Integer> out = (List<Integer>) r;
    return out;
  }

  /**
   * Revokes this account's device {@code deviceId} (a lost one, or this one on logout): signs the
   * revocation, publishes it, and rotates the sender keys of every group this account is in.
   */
  public void revokeDevice(int deviceId) throws CipherTalkException {
    requireAccount();
    Object r = callOnEngine(() -> {
      try {
        link.publishRevocation(linking.revoke(deviceId));
        deviceRevoked(self.userId());
        return null;
      } catch (CipherTalkException e) {
        return e;
      } catch (CryptoException e) {
        return new RequestFailedException("invalid_revocation", e.getMessage());
      }
    });
    if (r instanceof CipherTalkException e) {
      throw e;
    }
  }

  @Override
  public void onDevicesChanged(String userId) {
    runOnEngine(() -> {
      try {
        link.devices(userId); // the directory answer carries the user's revocations
      } catch (CipherTalkException e) {
        LOG.debug("device refresh of {} failed: {}", userId, e.getMessage());
        return;
      }
      applyRevocations(userId);
      if (crypto.hasAccountKey()) {
        lookAtNewDevices(userId);
      }
    });
  }

  /**
   * Checks, now, every device of {@code userId} this device has no session with: a certified one
   * gets a session (and a {@code DeviceLinked} event), any other is refused with a
   * {@code DeviceRejected} event, a changed account key is held as usual.
   */
  private void lookAtNewDevices(String userId) {
    List<Integer> ids;
    try {
      ids = link.devices(userId);
    } catch (CipherTalkException e) {
      return;
    }
    for (int id : ids) {
      DeviceAddress d = new DeviceAddress(userId, id);
      if (d.equals(self) || crypto.hasSession(d) || crypto.isRevoked(d)
          || untrusted.contains(userId)) {
        continue;
      }
      try {
        ensureSession(d);
      } catch (E2eCrypto.IdentityChangedException e) {
        identityChanged(e);
      } catch (E2eCrypto.UncertifiedDeviceException e) {
        rejectDevice(d, e);
      } catch (CipherTalkException | CryptoException e) {
        LOG.debug("cannot look at {} now: {}", d, e.getMessage());
      }
    }
  }

  /** Verifies and applies the revocations the directory served for {@code userId}. */
  private void applyRevocations(String userId) {
    boolean any = false;
    for (byte[] r : link.revocations(userId)) {
      try {
        any |= crypto.acceptRevocation(r);
      } catch (CryptoException | IllegalStateException e) {
        LOG.warn("ignoring a revocation of a device of {}: {}", userId, e.getMessage());
      }
    }
    if (any) {
      deviceRevoked(userId);
    }
  }

  /**
   * A device of {@code userId} was revoked. It is no longer among any room's member devices
   * ({@link #devicesOf} leaves revoked devices out), so every group that user is in moves to a new
   * sender-key epoch before its next message, as after removing a member, and the revoked device
   * reads nothing new; what was sent to whom under the old epoch is forgotten here.
   */
  private void deviceRevoked(String userId) {
    for (ServerLink.RoomInfo r : data.rooms()) {
      if (r.kind() == RoomKind.GROUP && r.members().containsKey(userId)) {
        senderKeySentTo.remove(r.id());
      }
    }
  }

  @Override
  public void onLinkEnvelope(DeviceAddress from, byte[] envelope) {
    runOnEngine(() -> {
      String confirm;
      try {
        confirm = linking.complete(from, envelope);
      } catch (io.ciphertalk.crypto.account.InvalidLinkException e) {
        LOG.warn("linking envelope from {} refused: {}", from, e.getMessage());
        return;
      }
      LOG.info("this device was linked to {} by device {}", self.userId(), from.deviceId());
      try {
        link.publishKeys(crypto.keysToPublish(cfg.prekeyBatch()));
        keysPublished = true;
        scheduleSignedPrekeyRotation();
      } catch (CipherTalkException | CryptoException e) {
        LOG.warn("publishing keys after linking failed: {}", e.getMessage());
      }
      publish(new ChatEvent.LinkCompleted(confirm));
      refreshRooms();
      scheduleStoredExpiries();
      flush();
    });
  }

  // ------------------------------------------------------------------ app operations on messages

  public MessageId sendText(String roomId, String text, SendOptions options) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(options, "options");
    if (text.length() > ContentCodec.MAX_BODY_CHARS) {
      throw new IllegalArgumentException("text longer than " + ContentCodec.MAX_BODY_CHARS);
    }
    requireRoom(roomId);
    MessageId id = MessageId.generate(clock, cfg.random());
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant expires = options.expiresAfter().map(now::plus).orElse(null);
    Content c = Content.of(Content.Kind.TEXT, roomId, id.toString(), now.toEpochMilli())
        .withBody(text)
        .withReplyTo(options.replyTo().map(MessageId::toString).orElse(null))
        .withExpiresAt(expires == null ? null : expires.toEpochMilli());
    Message m = new Message(id, roomId, self.userId(), self.deviceId(), now, text,
        options.replyTo(), Optional.ofNullable(expires), false, false, Map.of());
    // Stored from the caller's thread (the store is thread-safe), so send never waits for the
    // engine thread, which may be busy with the network.
    queueOwnMessage(m, null, c, expires);
    return id;
  }

  /** A fresh message id (for a file message, whose blob must name it before it is sent). */
  public MessageId newMessageId() {
    return MessageId.generate(clock, cfg.random());
  }

  /** The bearer token of the logged-in account, if any (for the blob REST API). */
  public Optional<String> token() {
    return data.account().map(LocalData.Account::token);
  }

  /** Throws {@link io.ciphertalk.client.RoomUnavailableException} unless this user is in the room. */
  public void checkRoom(String roomId) {
    requireRoom(roomId);
  }

  /**
   * Sends the file message {@code id} (its blob already uploaded): {@code name} is its text,
   * {@code descriptor} the encoded attachment descriptor, both inside the encryption.
   */
  public Message sendFile(String roomId, MessageId id, String name, byte[] descriptor, SendOptions options,
      Instant expires) {
    Objects.requireNonNull(descriptor, "descriptor");
    requireRoom(roomId);
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Content c = Content.of(Content.Kind.FILE, roomId, id.toString(), now.toEpochMilli())
        .withBody(name)
        .withReplyTo(options.replyTo().map(MessageId::toString).orElse(null))
        .withExpiresAt(expires == null ? null : expires.toEpochMilli())
        .withKeyMaterial(descriptor);
    Message m = new Message(id, roomId, self.userId(), self.deviceId(), now, name,
        options.replyTo(), Optional.ofNullable(expires), false, false, Map.of());
    queueOwnMessage(m, descriptor, c, expires);
    return m;
  }

  /**
   * Stores a message this device sends (with its attachment descriptor, if any), its seen id,
   * its QUEUED state and its outbox entry in one store transaction: a crash keeps all or none of
   * them, never a message in the history that shows as queued with no outbox entry to send it.
   * QUEUED is announced before the entry can be sent (so no SENT overtakes it); the flush follows.
   */
  private void queueOwnMessage(Message m, byte[] descriptor, Content c, Instant expires) {
    OutboxEntry entry = entry(OutboxEntry.Route.ROOM, m.roomId(), Set.of(), true, m.id(), c, expires);
    data.inTransaction(() -> {
      if (descriptor != null) {
        data.putAttachment(m.id(), descriptor);
      }
      data.putMessage(m);
      data.markSeen(m.id());
      moveSendState(m.roomId(), m.id(), SendState.of(MessageStatus.QUEUED));
      data.appendOutbox(entry);
    });
    runOnEngine(() -> scheduleExpiry(m));
    requestFlush();
  }

  /** The encoded attachment descriptor of a file message in the local history. */
  public Optional<byte[]> attachment(MessageId id) {
    return data.attachment(id);
  }

  /**
   * The expiry an edit, delete or reaction of {@code m} carries: {@code m}'s own, both on the frame
   * (so the server drops it with {@code m}) and inside the content, which receivers check against
   * the frame's (a mismatch is dropped).
   */
  private static Long expiryMillis(Message m) {
    return m.expiresAt().map(Instant::toEpochMilli).orElse(null);
  }

  public void edit(String roomId, MessageId target, String newText) {
    Objects.requireNonNull(newText, "newText");
    requireRoom(roomId);
    Message m = ownMessage(roomId, target);
    if (m.deleted()) {
      throw new IllegalArgumentException("message " + target + " is deleted");
    }
    MessageId id = MessageId.generate(clock, cfg.random());
    Content c = Content.of(Content.Kind.EDIT, roomId, id.toString(), clock.millis())
        .withTarget(target.toString()).withBody(newText).withExpiresAt(expiryMillis(m));
    OutboxEntry entry = entry(OutboxEntry.Route.ROOM, roomId, Set.of(), true, id, c,
        m.expiresAt().orElse(null));
    // The local change and the entry that tells the others: both or neither.
    data.inTransaction(() -> {
      data.message(target).ifPresent(x -> data.putMessage(x.withEditedText(newText)));
      data.appendOutbox(entry);
    });
    requestFlush();
  }

  public void deleteForEveryone(String roomId, MessageId target) {
    requireRoom(roomId);
    Message m = ownMessage(roomId, target);
    MessageId id = MessageId.generate(clock, cfg.random());
    Content c = Content.of(Content.Kind.DELETE, roomId, id.toString(), clock.millis())
        .withTarget(target.toString()).withExpiresAt(expiryMillis(m));
    OutboxEntry entry = entry(OutboxEntry.Route.ROOM, roomId, Set.of(), true, id, c,
        m.expiresAt().orElse(null));
    // Never deleted here while the others are not told (or told while it stays here).
    data.inTransaction(() -> {
      data.removeAttachment(target);
      data.putMessage(m.asDeleted());
      data.appendOutbox(entry);
    });
    requestFlush();
  }

  public void react(String roomId, MessageId target, String emoji, boolean add) {
    Objects.requireNonNull(emoji, "emoji");
    if (emoji.isEmpty() || emoji.length() > 32) {
      throw new IllegalArgumentException("emoji must be 1 to 32 chars");
    }
    requireRoom(roomId);
    Message m = data.message(target).filter(x -> x.roomId().equals(roomId))
        .orElseThrow(() -> new IllegalArgumentException("unknown message " + target));
    MessageId id = MessageId.generate(clock, cfg.random());
    Content c = Content.of(Content.Kind.REACTION, roomId, id.toString(), clock.millis())
        .withTarget(target.toString()).withEmoji(emoji).withFlag(add).withExpiresAt(expiryMillis(m));
    OutboxEntry entry = entry(OutboxEntry.Route.ROOM, roomId, Set.of(), true, id, c,
        m.expiresAt().orElse(null));
    data.inTransaction(() -> {
      data.message(target).ifPresent(x -> data.putMessage(applyReaction(x, self.userId(), emoji,
          add)));
      data.appendOutbox(entry);
    });
    requestFlush();
  }

  /** Marks the room read; nothing to do (and no error) for a room this user is no longer in. */
  public void markRead(String roomId) {
    requireAccount();
    if (room(Objects.requireNonNull(roomId, "roomId")).isEmpty()) {
      return;
    }
    // The unread set is cleared in the transaction that queues the receipts: a crash between
    // them would leave the room read here and the senders never told.
    callOnEngine(() -> {
      data.inTransaction(() -> markReadOnEngine(roomId));
      return null;
    });
    requestFlush(); // the receipts leave after markRead has returned
  }

  private void markReadOnEngine(String roomId) {
    Set<MessageId> unread = data.unread(roomId);
    if (unread.isEmpty()) {
      return;
    }
    data.setUnread(roomId, Set.of());
    Map<String, List<String>> bySender = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    for (MessageId id : unread) {
      all.add(id.toString());
      data.message(id).ifPresent(m -> bySender.computeIfAbsent(m.senderUserId(),
          k -> new ArrayList<>()).add(id.toString()));
    }
    long now = clock.millis();
    for (var e : bySender.entrySet()) {
      MessageId rid = MessageId.generate(clock, cfg.random());
      enqueueOnEngine(OutboxEntry.Route.USERS, roomId, Set.of(e.getKey()), false, rid,
          Content.of(Content.Kind.RECEIPT_READ, roomId, rid.toString(), now)
              .withIds(e.getValue()), null);
    }
    MessageId sid = MessageId.generate(clock, cfg.random());
    enqueueOnEngine(OutboxEntry.Route.USERS, roomId, Set.of(), true, sid,
        Content.of(Content.Kind.READ_SYNC, roomId, sid.toString(), now).withIds(all), null);
  }

  public int unreadCount(String roomId) {
    return data.unread(roomId).size();
  }

  /** Sends a typing signal; dropped (no error) for a room this user is no longer in. */
  public void typing(String roomId, boolean isTyping) {
    requireAccount();
    Optional<ServerLink.RoomInfo> found = room(Objects.requireNonNull(roomId, "roomId"));
    if (found.isEmpty()) {
      LOG.debug("typing indicator for a room this user left: dropped");
      return;
    }
    ServerLink.RoomInfo room = found.get();
    MessageId id = MessageId.generate(clock, cfg.random());
    Instant expires = clock.instant().plus(cfg.typingTtl())
        .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Content c = Content.of(Content.Kind.TYPING, roomId, id.toString(), clock.millis())
        .withFlag(isTyping);
    runOnEngine(() -> {
      if (state != ConnectionState.CONNECTED) {
        LOG.debug("typing indicator dropped while {}", state);
        return; // stale by the time we reconnect: dropped, never queued
      }
      OutboxEntry e = room.kind() == RoomKind.GROUP
          ? entry(OutboxEntry.Route.ROOM, roomId, Set.of(), false, id, c, expires)
          : entry(OutboxEntry.Route.USERS, roomId, others(room), false, id, c, expires);
      try {
        deliver(e);
      } catch (CipherTalkException | CryptoException ex) {
        LOG.debug("typing indicator not sent: {}", ex.getMessage());
      }
    });
  }

  public List<Message> history(String roomId, int limit) {
    checkLimit(limit);
    return visible(data.latest(roomId, limit));
  }

  public List<Message> historyBefore(String roomId, MessageId before, int limit) {
    checkLimit(limit);
    Objects.requireNonNull(before, "before");
    return visible(data.before(roomId, before, limit));
  }

  public List<Message> search(String text, int limit) {
    Objects.requireNonNull(text, "text");
    checkLimit(limit);
    if (text.isBlank()) {
      return List.of();
    }
    return visible(data.search(text, limit));
  }

  private List<Message> visible(List<Message> ms) {
    Instant now = clock.instant();
    return ms.stream().filter(m -> m.expiresAt().map(x -> x.isAfter(now)).orElse(true)).toList();
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be 1..500: " + limit);
    }
  }

  private Message ownMessage(String roomId, MessageId target) {
    Objects.requireNonNull(target, "messageId");
    Message m = data.message(target).filter(x -> x.roomId().equals(roomId))
        .orElseThrow(() -> new IllegalArgumentException("unknown message " + target));
    if (!m.senderUserId().equals(self.userId())) {
      throw new IllegalArgumentException("message " + target + " was not sent by this user");
    }
    return m;
  }

  private ServerLink.RoomInfo requireRoom(String roomId) {
    requireAccount();
    Objects.requireNonNull(roomId, "roomId");
    return room(roomId).orElseThrow(() -> new RoomUnavailableException(roomId));
  }

  private void requireAccount() {
    requireOpen();
    if (self == null) {
      throw new IllegalStateException("register or login first");
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
  }

  private Set<String> others(ServerLink.RoomInfo room) {
    Set<String> s = new TreeSet<>(room.members().keySet());
    s.remove(self.userId());
    return s;
  }

  // ------------------------------------------------------------------ outbox

  private OutboxEntry entry(OutboxEntry.Route route, String roomId, Set<String> users,
      boolean includeOwn, MessageId id, Content c, Instant expires) {
    return new OutboxEntry(0, id, roomId, route, users, Set.of(), includeOwn, codec.encode(c),
        expires);
  }

  private void enqueueOnEngine(OutboxEntry.Route route, String roomId, Set<String> users,
      boolean includeOwn, MessageId id, Content c, Instant expires) {
    data.appendOutbox(entry(route, roomId, users, includeOwn, id, c, expires));
  }

  /** Outbox entries sent and not yet answered by the server, by id (engine thread). */
  private final Map<MessageId, OutboxEntry> inFlight = new HashMap<>();
  /** Resends of an entry after {@code stale_devices} answers (engine thread). */
  private final Map<MessageId, Integer> staleResends = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean flushQueued =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Outbox entries sent without waiting for the server's answers (the send pipeline's depth). */
  static final int SEND_WINDOW = 256;

  /** Records a new send state of one of this device's messages and announces it. */
  private void moveSendState(String roomId, MessageId id, SendState state) {
    if (data.updateSendState(id, state)) {
      publish(new ChatEvent.MessageStatusChanged(roomId, id, state));
    }
  }

  /** An outbox entry will not be sent: off the outbox, and its message (if any) failed. */
  private void refused(OutboxEntry e, String reason) {
    data.removeOutbox(e);
    moveSendState(e.roomId(), e.id(), SendState.failed(reason));
  }

  /** Queues one {@link #flush} on the engine thread unless one is queued already. */
  private void requestFlush() {
    if (flushQueued.compareAndSet(false, true)) {
      runOnEngine(() -> {
        flushQueued.set(false);
        flush();
      });
    }
  }

  /**
   * Sends outbox entries in order, pipelined: up to {@link #SEND_WINDOW} are on the wire at once,
   * and each leaves the outbox when the server answers that it stored it ({@link #answered}).
   * Stops at the first entry that cannot be sent for a transient reason; it is sent again by a later
   * flush (after a reconnect at the latest), with the same message id, which the server
   * deduplicates.
   */
  private void flush() {
    if (state != ConnectionState.CONNECTED || closed || !crypto.hasAccountKey()) {
      return;
    }
    int free = SEND_WINDOW - inFlight.size();
    if (free <= 0) {
      return;
    }
    for (OutboxEntry e : data.outbox(inFlight.size() + free)) {
      if (inFlight.containsKey(e.id())) {
        continue;
      }
      if (free-- <= 0) {
        return;
      }
      if (e.expiresAt() != null && !e.expiresAt().isAfter(clock.instant())) {
        data.removeOutbox(e); // self-destructed before it could leave
        continue;
      }
      java.util.concurrent.CompletableFuture<Void> sent;
      try {
        sent = deliverOnce(e);
      } catch (RequestFailedException ex) {
        if (isTransient(ex)) {
          LOG.debug("outbox flush paused: {}", ex.code());
          return;
        }
        LOG.warn("server refused outbox entry {}: {}", e.id(), ex.code());
        refused(e, ex.code());
        continue;
      } catch (CipherTalkException ex) {
        LOG.debug("outbox flush paused: {}", ex.getMessage());
        return;
      } catch (CryptoException ex) {
        LOG.warn("cannot encrypt outbox entry {}: {}", e.id(), ex.getClass().getSimpleName());
        refused(e, "encryption_failed");
        continue;
      }
      inFlight.put(e.id(), e);
      sent.whenComplete((v, err) -> runOnEngine(() -> answered(e, err)));
    }
  }

  /** The server answered a pipelined send of {@code e} (engine thread). */
  private void answered(OutboxEntry e, Throwable err) {
    inFlight.remove(e.id());
    Throwable cause = err instanceof java.util.concurrent.CompletionException
        && err.getCause() != null ? err.getCause() : err;
    if (cause == null) {
      staleResends.remove(e.id());
      sent.incrementAndGet();
      data.removeOutbox(e);
      moveSendState(e.roomId(), e.id(), SendState.of(MessageStatus.SENT));
      requestFlush();
      return;
    }
    if (cause instanceof WireServerLink.StaleDevicesException stale) {
      // The device cache was corrected; the next flush encrypts again for the right set.
      int n = staleResends.merge(e.id(), 1, Integer::sum);
      if (n >= 3) {
        staleResends.remove(e.id());
        LOG.warn("outbox entry {} dropped: device list keeps changing ({})", e.id(),
            stale.getMessage());
        refused(e, "stale_devices");
      }
      requestFlush();
      return;
    }
    if (cause instanceof RequestFailedException r && !isTransient(r)) {
      LOG.warn("server refused outbox entry {}: {}", e.id(), r.code());
      staleResends.remove(e.id());
      refused(e, r.code());
      requestFlush();
      return;
    }
    // Transient (timeout, disconnected, rate limited): it stays in the outbox for a later flush.
    LOG.debug("send of {} not confirmed: {}", e.id(), cause.toString());
  }

  private static boolean isTransient(RequestFailedException e) {
    return switch (e.code()) {
      case "timeout", "not_connected", "rate_limited", "internal", "identity_untrusted" -> true;
      default -> false;
    };
  }

  /** Sends {@code e} and waits for the server's answer (typing indicators, sender keys). */
  private void deliver(OutboxEntry e) throws CipherTalkException, CryptoException {
    for (int attempt = 1; ; attempt++) {
      try {
        awaitSent(deliverOnce(e));
        return;
      } catch (WireServerLink.StaleDevicesException stale) {
        // The device cache was corrected; encrypt again for the right set, same message id.
        if (attempt >= 3) {
          throw new RequestFailedException("stale_devices", stale.getMessage());
        }
        LOG.debug("device list changed, resending {}: {}", e.id(), stale.getMessage());
      }
    }
  }

  private static void awaitSent(java.util.concurrent.CompletableFuture<Void> sent)
      throws CipherTalkException {
    try {
      sent.get();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new RequestFailedException("not_connected", "interrupted");
    } catch (java.util.concurrent.ExecutionException ex) {
      if (ex.getCause() instanceof CipherTalkException c) {
        throw c;
      }
      throw new RequestFailedException("internal", String.valueOf(ex.getCause()));
    }
  }

  /**
   * Encrypts {@code e} and puts it on the wire (on the engine thread); the future completes when
   * the server answers. Throws what fails before anything was sent.
   */
  private java.util.concurrent.CompletableFuture<Void> deliverOnce(OutboxEntry e)
      throws CipherTalkException, CryptoException {
    ServerLink.RoomInfo room = room(e.roomId()).orElse(null);
    if (e.route() == OutboxEntry.Route.ROOM) {
      if (room == null) {
        throw new RequestFailedException("not_member", "no longer in room " + e.roomId());
      }
      if (room.kind() == RoomKind.GROUP) {
        distributeSenderKey(room);
        byte[] ct = crypto.groups().encrypt(room.id(), e.content(), e.id(), e.expiresAt());
        return link.sendGroupAsync(e.id(), room.id(), ct, e.expiresAt());
      }
      return sendPairwise(e, devicesOf(others(room), e.includeOwnDevices()));
    }
    if (e.route() == OutboxEntry.Route.USERS) {
      return sendPairwise(e, devicesOf(e.users(), e.includeOwnDevices()));
    }
    // The server wants every device of each addressed user (and our own other devices).
    Set<String> users = new TreeSet<>();
    e.devices().forEach(d -> users.add(d.userId()));
    return sendPairwise(e, devicesOf(users, true));
  }

  /**
   * Every device of {@code users} and, always, this user's other devices: the server refuses a
   * pairwise send that leaves one out (so every device sees the same conversation).
   */
  private List<DeviceAddress> devicesOf(Set<String> users, boolean includeOwnIgnored)
      throws CipherTalkException {
    boolean includeOwn = true;
    List<DeviceAddress> out = new ArrayList<>();
    for (String u : users) {
      if (u.equals(self.userId())) {
        continue;
      }
      for (int d : link.devices(u)) {
        out.add(new DeviceAddress(u, d));
      }
      applyRevocations(u);
    }
    if (includeOwn) {
      for (int d : link.devices(self.userId())) {
        if (d != self.deviceId()) {
          out.add(new DeviceAddress(self.userId(), d));
        }
      }
      applyRevocations(self.userId());
    }
    out.removeIf(crypto::isRevoked);
    return out;
  }

  private java.util.concurrent.CompletableFuture<Void> sendPairwise(OutboxEntry e,
      List<DeviceAddress> devices) throws CipherTalkException, CryptoException {
    List<ServerLink.Envelope> envs = new ArrayList<>();
    Map<String, Set<DeviceAddress>> held = new LinkedHashMap<>();
    for (DeviceAddress d : devices) {
      if (untrusted.contains(d.userId())) {
        held.computeIfAbsent(d.userId(), k -> new LinkedHashSet<>()).add(d);
        continue;
      }
      try {
        ensureSession(d);
      } catch (E2eCrypto.IdentityChangedException ex) {
        identityChanged(ex);
        held.computeIfAbsent(d.userId(), k -> new LinkedHashSet<>()).add(d);
        continue;
      } catch (E2eCrypto.UncertifiedDeviceException ex) {
        rejectDevice(d, ex);
        continue; // never encrypt to a device its account did not certify
      } catch (RequestFailedException ex) {
        if (isTransient(ex)) {
          throw ex;
        }
        LOG.info("no bundle for {}: {}; skipped", d, ex.code());
        continue;
      }
      envs.add(new ServerLink.Envelope(d, crypto.encrypt(d, e.content(), e.id(), e.expiresAt())));
    }
    if (!held.isEmpty()) {
      // The server accepts a pairwise send only if it addresses every device, so the outbox pauses
      // here (keeping its order) until the app decides about the changed identity.
      throw new RequestFailedException("identity_untrusted",
          "waiting for a decision about the identity of " + held.keySet());
    }
    if (envs.isEmpty()) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    return link.sendPairwiseAsync(e.id(), e.roomId(), envs, e.expiresAt());
  }

  private void ensureSession(DeviceAddress d) throws CipherTalkException, CryptoException {
    if (!crypto.hasSession(d)) {
      try {
        crypto.startSession(link.fetchBundle(d));
      } catch (E2eCrypto.UncertifiedDeviceException e) {
        // The bundle may have been fetched before the device was linked: ask once more.
        crypto.startSession(link.fetchBundle(d));
      }
      announceNewDevices();
    }
  }

  private Set<DeviceAddress> memberDevices(ServerLink.RoomInfo room) throws CipherTalkException {
    Set<DeviceAddress> all = new HashSet<>(devicesOf(others(room), true));
    all.add(self);
    return all;
  }

  private void distributeSenderKey(ServerLink.RoomInfo room)
      throws CipherTalkException, CryptoException {
    Set<DeviceAddress> members = memberDevices(room);
    // Rotates first (and saves) if a device of the current epoch is no longer a member.
    GroupKeys.Distribution dist = crypto.groups().distribution(room.id(), members);
    SentKeys keys = senderKeySentTo.get(room.id());
    if (keys == null || keys.epoch() != dist.epoch()) {
      keys = new SentKeys(dist.epoch(), new HashSet<>());
      senderKeySentTo.put(room.id(), keys);
    }
    Set<DeviceAddress> sent = keys.to();
    List<DeviceAddress> missing = new ArrayList<>();
    for (DeviceAddress d : members) {
      if (!d.equals(self) && !sent.contains(d)) {
        missing.add(d);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    Set<String> users = new TreeSet<>();
    missing.forEach(d -> users.add(d.userId()));
    MessageId id = MessageId.generate(clock, cfg.random());
    Content c = Content.of(Content.Kind.SENDER_KEY, room.id(), id.toString(), clock.millis())
        .withKeyMaterial(dist.message().get());
    OutboxEntry e = new OutboxEntry(0, id, room.id(), OutboxEntry.Route.DEVICES, Set.of(),
        Set.copyOf(missing), true, codec.encode(c), null);
    deliver(e);
    sent.addAll(devicesOf(users, true));
  }

  /**
   * Another member left or was removed. Nothing to remember: the next group send compares the
   * saved epoch's devices with the room's and rotates (see {@link SenderKeyGroups}).
   */
  private void memberGone(String roomId, String userId) {
    if (self != null && userId.equals(self.userId())) {
      return;
    }
    senderKeySentTo.remove(roomId);
  }

  // ------------------------------------------------------------------ inbound

  @Override
  public void onEnvelope(DeviceAddress from, MessageId id, byte[] ciphertext, Instant expiresAt,
      Runnable ack) {
    inbound.submit(id, done -> inBatch(() -> handleEnvelope(from, id, ciphertext, expiresAt,
        done)), ack);
  }

  /**
   * Publishes an event; during an inbound batch only after the batch committed, so an app that
   * reads the history when it hears of a message finds it there, and never hears of a message
   * that was then not stored.
   */
  private void publish(ChatEvent e) {
    // Only the engine thread's own events wait for its batch to commit: an app thread's (a send's
    // QUEUED state) is published at once, never parked with a batch that may still fail.
    if (inBatch && Thread.currentThread() == engineThread) {
      batchEvents.add(e);
    } else {
      cfg.events().publish(e);
    }
  }

  /**
   * Inside an inbound batch's transaction, first: crypto state changed by its decryptions is
   * written once at the end ({@link #endBatch}), not after every message; what the store knows of
   * the batch's ids (seen, stored) is read in two queries, not two per message.
   */
  private void beginBatch(List<MessageId> ids) {
    data.prepareInbound(ids);
    crypto.beginBatch();
  }

  /** Inside an inbound batch's transaction, last: the receipts it owes, the crypto state. */
  private void endBatch() {
    writeOwedReceipts();
    crypto.endBatch();
  }

  /**
   * An inbound batch's transaction failed and was rolled back: the crypto caches hold state the
   * store no longer has (ratchets advanced, keys consumed), so they are dropped and read back;
   * then the connection is dropped so the server delivers the batch again, which decrypts as the
   * first time.
   */
  private void batchRolledBack() {
    E2eCrypto c = crypto;
    if (c != null) {
      c.abortBatch();
    }
    dropConnectionForRedelivery();
  }

  /** After an inbound batch committed and was acknowledged: its events, then the outbox. */
  private void afterBatch() {
    for (ChatEvent e : batchEvents) {
      cfg.events().publish(e);
    }
    batchEvents.clear();
    flush();
  }

  private void inBatch(Runnable r) {
    inBatch = true;
    try {
      r.run();
    } finally {
      inBatch = false;
    }
  }

  private void handleEnvelope(DeviceAddress from, MessageId id, byte[] ct, Instant expiresAt,
      Runnable ack) {
    handleEnvelope(from, id, ct, expiresAt, ack, false);
  }

  /**
   * @param fromStore true for an envelope read back from the held store; its {@code ack} removes
   *     it from there, and it stays there if it has to be held again
   */
  private void handleEnvelope(DeviceAddress from, MessageId id, byte[] ct, Instant expiresAt,
      Runnable ack, boolean fromStore) {
    if (data.isSeen(id)) {
      duplicates.incrementAndGet();
      ack.run();
      return;
    }
    if (untrusted.contains(from.userId())) {
      hold(new LocalData.HeldEnvelope(from, id, ct, expiresAt, null), ack, fromStore);
      return;
    }
    byte[] pt;
    try {
      pt = crypto.decrypt(from, ct, id, expiresAt);
    } catch (E2eCrypto.IdentityChangedException e) {
      identityChanged(e);
      hold(new LocalData.HeldEnvelope(from, id, ct, expiresAt, null), ack, fromStore);
      return;
    } catch (E2eCrypto.UncertifiedDeviceException e) {
      rejectDevice(from, e);
      undecryptable.incrementAndGet();
      ack.run();
      return;
    } catch (CryptoException e) {
      LOG.warn("dropping undecryptable envelope {} from {}: {}", id, from,
          e.getClass().getSimpleName());
      lost(Optional.empty(), from, id);
      ack.run();
      return;
    }
    announceNewDevices();
    link.noteDevice(from);
    handlePlaintext(from, id, pt, expiresAt, null);
    ack.run();
  }

  /** Counts a message this device could not decrypt and tells the app, so it is not lost silently. */
  private void lost(Optional<String> roomId, DeviceAddress from, MessageId id) {
    undecryptable.incrementAndGet();
    cfg.events().publish(new ChatEvent.MessageUndecryptable(roomId, from.userId(),
        from.deviceId(), id));
  }

  private void announceNewDevices() {
    for (E2eCrypto.NewDevice d : crypto.takeNewDevices()) {
      LOG.info("new certified device {} of a known account", d.address());
      // A device listed before it was certified (one waiting to be linked) was skipped when the
      // sender key went out, though counted as served: it gets the key with the next group send.
      senderKeySentTo.values().forEach(k -> k.to().remove(d.address()));
      publish(new ChatEvent.DeviceLinked(d.address().userId(),
          d.address().deviceId()));
    }
  }

  /** A device without a valid certificate: refused, and announced once per run. */
  private void rejectDevice(DeviceAddress d, E2eCrypto.UncertifiedDeviceException e) {
    if (rejected.add(d)) {
      LOG.warn("refusing device {}: {}", d, e.getMessage());
      publish(new ChatEvent.DeviceRejected(d.userId(), d.deviceId(), e.getMessage()));
    }
  }

  /** Bound on envelopes held per user while an identity decision is pending. */
  static final int MAX_HELD_PER_USER = 1000;

  /**
   * Keeps an envelope from a user whose identity is not trusted in the local store, then
   * acknowledges it: stored, it survives a restart, and the server need not keep it (which would
   * hold up this device's queue until the user decides).
   */
  private void hold(LocalData.HeldEnvelope e, Runnable ack, boolean fromStore) {
    if (fromStore) {
      return; // still held; it stays in the store
    }
    String userId = e.from().userId();
    if (data.heldCount(userId) >= MAX_HELD_PER_USER) {
      LOG.warn("more than {} messages from {} await an identity decision; dropping one",
          MAX_HELD_PER_USER, userId);
      lost(Optional.ofNullable(e.roomId()), e.from(), e.id());
      ack.run();
      return;
    }
    data.holdEnvelope(e); // false: already held (a redelivery); acknowledge it all the same
    ack.run();
  }

  /**
   * Processes what is held from {@code userId}, oldest first (after trust, or at start-up): what
   * can be handled now is, and removed from the store; the rest stays held.
   */
  private void releaseHeld(String userId) {
    for (LocalData.HeldEnvelope e : data.heldFrom(userId)) {
      Runnable done = () -> data.removeHeld(e.id());
      if (e.roomId() == null) {
        handleEnvelope(e.from(), e.id(), e.ciphertext(), e.expiresAt(), done, true);
      } else {
        handleGroup(e.roomId(), new PendingGroup(e.from(), e.id(), e.ciphertext(), e.expiresAt(),
            done), true);
      }
    }
  }

  @Override
  public void onGroupMessage(String roomId, DeviceAddress from, MessageId id, byte[] ciphertext,
      Instant expiresAt, Runnable ack) {
    inbound.submit(id, done -> inBatch(() -> handleGroup(roomId,
        new PendingGroup(from, id, ciphertext, expiresAt, done), false)), ack);
  }

  /**
   * @param fromStore true for a message read back from the held store; its {@code ack} removes it
   *     from there, and it stays there while its sender key is still missing
   */
  private void handleGroup(String roomId, PendingGroup g, boolean fromStore) {
    if (g.from().equals(self) || data.isSeen(g.id())) {
      duplicates.incrementAndGet();
      g.ack().run();
      return;
    }
    byte[] pt;
    try {
      pt = crypto.groups().decrypt(roomId, g.from(), g.ciphertext(), g.id(), g.expiresAt());
    } catch (E2eCrypto.NoSenderKeyException | E2eCrypto.UnknownGroupMemberException e) {
      if (fromStore) {
        return; // still waiting for the key; it stays held
      }
      if (data.heldCount(g.from().userId()) < cfg.maxPendingGroupMessages()) {
        // The sender key is on its way over a pairwise session. Held in the store, the message
        // can be acknowledged now: it survives a restart and does not hold up the room stream.
        data.holdEnvelope(new LocalData.HeldEnvelope(g.from(), g.id(), g.ciphertext(),
            g.expiresAt(), roomId));
        g.ack().run();
        return;
      }
      LOG.info("group message {} in {} from {} has no sender key; dropped", g.id(), roomId,
          g.from());
      lost(Optional.of(roomId), g.from(), g.id());
      g.ack().run();
      return;
    } catch (CryptoException e) {
      LOG.warn("dropping undecryptable group message {} in {} from {}: {}", g.id(), roomId,
          g.from(), e.getClass().getSimpleName());
      lost(Optional.of(roomId), g.from(), g.id());
      g.ack().run();
      return;
    }
    handlePlaintext(g.from(), g.id(), pt, g.expiresAt(), roomId);
    g.ack().run();
  }

  private void handlePlaintext(DeviceAddress from, MessageId routingId, byte[] pt,
      Instant routingExpiry, String groupRoom) {
    Content c;
    try {
      c = codec.decode(pt);
    } catch (ContentCodec.MalformedContentException e) {
      LOG.warn("malformed content from {}: {}", from, e.getMessage());
      data.markSeen(routingId);
      return;
    }
    data.markSeen(routingId);
    if (groupRoom != null && !groupRoom.equals(c.roomId())) {
      LOG.warn("group message from {} claims room {} but arrived in {}; dropped", from,
          c.roomId(), groupRoom);
      return;
    }
    if (!Objects.equals(c.expiresAtMillis(),
        routingExpiry == null ? null : routingExpiry.toEpochMilli())
        && c.kind() != Content.Kind.TYPING && c.kind() != Content.Kind.SENDER_KEY) {
      LOG.warn("expiry mismatch in content from {}; dropped", from);
      return;
    }
    Optional<ServerLink.RoomInfo> room = room(c.roomId());
    if (room.isEmpty()) {
      refreshRooms();
      room = room(c.roomId());
    }
    boolean own = from.userId().equals(self.userId());
    if (room.isEmpty() || (!own && !room.get().members().containsKey(from.userId()))) {
      LOG.info("content from {} for room {} where it is not a member; dropped", from, c.roomId());
      return;
    }
    delivered.incrementAndGet();
    try {
      dispatchContent(from, own, room.get(), c);
    } catch (IllegalArgumentException e) {
      LOG.warn("invalid content from {}: {}", from, e.getMessage());
    }
  }

  private void dispatchContent(DeviceAddress from, boolean own, ServerLink.RoomInfo room,
      Content c) {
    Instant sentAt = Instant.ofEpochMilli(c.sentAtMillis());
    LOG.debug("{} received {} from {} in {} flag {}", self, c.kind(), from, room.id(), c.flag());
    switch (c.kind()) {
      case TEXT, FILE -> onText(from, own, room, c, sentAt);
      case EDIT -> {
        MessageId t = MessageId.parse(require(c.target(), "target"));
        Optional<Message> m = data.message(t).filter(x -> x.senderUserId().equals(from.userId())
            && x.roomId().equals(room.id()) && !x.deleted());
        m.ifPresent(x -> {
          Message edited = x.withEditedText(require(c.body(), "body"));
          data.putMessage(edited);
          publish(new ChatEvent.MessageEdited(edited));
        });
      }
      case DELETE -> {
        MessageId t = MessageId.parse(require(c.target(), "target"));
        Optional<Message> m = data.message(t).filter(x -> x.senderUserId().equals(from.userId())
            && x.roomId().equals(room.id()));
        m.ifPresent(x -> {
          data.removeAttachment(x.id());
          data.putMessage(x.asDeleted());
          removeUnread(room.id(), Set.of(t));
          publish(new ChatEvent.MessageDeleted(room.id(), t, from.userId()));
        });
      }
      case REACTION -> {
        MessageId t = MessageId.parse(require(c.target(), "target"));
        String emoji = require(c.emoji(), "emoji");
        boolean add = Boolean.TRUE.equals(c.flag());
        Optional<Message> m = data.message(t).filter(x -> x.roomId().equals(room.id()));
        Optional<Message> updated = m.map(x -> applyReaction(x, from.userId(), emoji, add));
        updated.ifPresent(data::putMessage);
        publish(new ChatEvent.ReactionChanged(room.id(), t, from.userId(), emoji, add,
            updated));
      }
      case TYPING -> {
        if (!own) {
          typing.update(room.id(), from.userId(), Boolean.TRUE.equals(c.flag()));
        }
      }
      case RECEIPT_DELIVERED, RECEIPT_READ -> {
        ReceiptKind kind = c.kind() == Content.Kind.RECEIPT_READ ? ReceiptKind.READ
            : ReceiptKind.DELIVERED;
        for (String s : require(c.ids(), "ids")) {
          MessageId t = MessageId.parse(s);
          Optional<Message> mine = data.message(t)
              .filter(x -> x.senderUserId().equals(self.userId()));
          if (mine.isPresent()) {
            publish(new ChatEvent.ReceiptReceived(room.id(), t, from.userId(), kind,
                sentAt));
            if (!own) {
              moveSendState(room.id(), t, SendState.of(kind == ReceiptKind.READ
                  ? MessageStatus.READ : MessageStatus.DELIVERED));
            }
          }
        }
      }
      case READ_SYNC -> {
        if (own) {
          Set<MessageId> ids = new HashSet<>();
          for (String s : require(c.ids(), "ids")) {
            ids.add(MessageId.parse(s));
          }
          Set<MessageId> unread = data.unread(room.id());
          for (MessageId id : ids) {
            if (!unread.contains(id) && data.message(id).isEmpty()) {
              rememberReadAhead(id);
            }
          }
          removeUnread(room.id(), ids);
        }
      }
      case SENDER_KEY -> {
        byte[] keyMaterial = require(c.keyMaterial(), "keyMaterial");
        ServerLink.RoomInfo current = room;
        if (crypto.groups().announcesNewerEpoch(room.id(), keyMaterial)) {
          // Following a new epoch hands this device's fresh key to the members it knows of:
          // they must be the server's current members, not a view from before a removal.
          refreshRooms();
          current = room(room.id()).orElse(null);
          if (current == null || !current.members().containsKey(from.userId())) {
            LOG.info("sender key from {} for {}, which is no longer a member; dropped", from,
                room.id());
            return;
          }
        }
        try {
          if (crypto.groups().accept(current.id(), from, keyMaterial, memberDevices(current))) {
            senderKeySentTo.remove(room.id()); // moved to a newer epoch: redistribute our new key
          }
        } catch (CipherTalkException e) {
          LOG.info("cannot list members of {} to accept a sender key: {}", room.id(),
              e.getMessage());
          return;
        } catch (CryptoException e) {
          LOG.warn("rejected sender key from {} in {}: {}", from, room.id(),
              e.getClass().getSimpleName());
          return;
        }
        retryPending(room.id(), from);
      }
      default -> throw new IllegalArgumentException("unhandled kind " + c.kind());
    }
  }

  private void onText(DeviceAddress from, boolean own, ServerLink.RoomInfo room, Content c,
      Instant sentAt) {
    MessageId id = MessageId.parse(c.messageId());
    if (data.message(id).isPresent()) {
      duplicates.incrementAndGet();
      return;
    }
    Optional<Instant> expires = Optional.ofNullable(c.expiresAtMillis()).map(Instant::ofEpochMilli);
    if (expires.isPresent() && !expires.get().isAfter(clock.instant())) {
      return; // already self-destructed
    }
    Optional<MessageId> replyTo = Optional.ofNullable(c.replyTo()).map(MessageId::parse);
    Message m = new Message(id, room.id(), from.userId(), from.deviceId(), sentAt,
        require(c.body(), "body"), replyTo, expires, false, false, Map.of());
    Optional<io.ciphertalk.client.Attachment> attachment = Optional.empty();
    if (c.kind() == Content.Kind.FILE) {
      byte[] descriptor = require(c.keyMaterial(), "keyMaterial");
      attachment = Optional.of(io.ciphertalk.client.Attachment.decode(descriptor)); // refuses a bad one
      data.putAttachment(id, descriptor);
    }
    data.putMessage(m);
    scheduleExpiry(m);
    if (!own) {
      if (!readAhead.remove(id)) {
        data.addUnread(room.id(), id);
      }
      owedReceipts.computeIfAbsent(Map.entry(room.id(), from.userId()), k -> new ArrayList<>())
          .add(id.toString());
      if (!inBatch) {
        writeOwedReceipts();
        flush();
      }
    }
    Optional<Message> target = replyTo.flatMap(data::message);
    publish(new ChatEvent.MessageReceived(m, target, own, attachment));
  }

  private void rememberReadAhead(MessageId id) {
    readAhead.add(id);
    if (readAhead.size() > 10_000) {
      var it = readAhead.iterator();
      it.next();
      it.remove();
    }
  }

  private void removeUnread(String roomId, Set<MessageId> ids) {
    data.removeUnread(roomId, ids);
  }

  /** Largest number of message ids one delivery receipt carries. */
  static final int MAX_RECEIPT_IDS = 500;

  /**
   * Queues the delivery receipts owed, one per (room, sender) for everything received since the
   * last call (Signal coalesces receipts per batch the same way), instead of one encrypted send
   * per message.
   */
  private void writeOwedReceipts() {
    long now = clock.millis();
    for (var e : owedReceipts.entrySet()) {
      List<String> ids = e.getValue();
      for (int from = 0; from < ids.size(); from += MAX_RECEIPT_IDS) {
        MessageId rid = MessageId.generate(clock, cfg.random());
        String roomId = e.getKey().getKey();
        enqueueOnEngine(OutboxEntry.Route.USERS, roomId, Set.of(e.getKey().getValue()), false, rid,
            Content.of(Content.Kind.RECEIPT_DELIVERED, roomId, rid.toString(), now)
                .withIds(List.copyOf(ids.subList(from, Math.min(ids.size(), from + MAX_RECEIPT_IDS)))),
            null);
      }
    }
    owedReceipts.clear();
  }

  /**
   * A batch could not be stored (and was not acknowledged): reconnects, so the server delivers it
   * again, rather than leaving its deliveries unfinished, which would stall the stream.
   */
  private void dropConnectionForRedelivery() {
    owedReceipts.clear();
    batchEvents.clear();
    link.disconnect();
    setState(ConnectionState.DISCONNECTED);
    scheduleReconnect();
  }

  private static <T> T require(T v, String field) {
    if (v == null) {
      throw new IllegalArgumentException("missing " + field);
    }
    return v;
  }

  private static Message applyReaction(Message m, String userId, String emoji, boolean add) {
    Map<String, Set<String>> r = new HashMap<>();
    m.reactions().forEach((k, v) -> r.put(k, new HashSet<>(v)));
    if (add) {
      r.computeIfAbsent(emoji, k -> new HashSet<>()).add(userId);
    } else if (r.containsKey(emoji)) {
      r.get(emoji).remove(userId);
      if (r.get(emoji).isEmpty()) {
        r.remove(emoji);
      }
    }
    Map<String, Set<String>> frozen = new HashMap<>();
    r.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
    return m.withReactions(frozen);
  }

  /** A sender key of {@code from} arrived for {@code roomId}: decrypt what waited for it. */
  private void retryPending(String roomId, DeviceAddress from) {
    for (LocalData.HeldEnvelope e : data.heldFrom(from.userId())) {
      if (roomId.equals(e.roomId()) && e.from().equals(from)) {
        handleGroup(roomId, new PendingGroup(e.from(), e.id(), e.ciphertext(), e.expiresAt(),
            () -> data.removeHeld(e.id())), true);
      }
    }
  }

  private void identityChanged(E2eCrypto.IdentityChangedException e) {
    String user = e.address().userId();
    if (untrusted.add(user)) {
      LOG.info("identity key of {} changed; holding messages until trusted", user);
      publish(new ChatEvent.IdentityKeyChanged(user, e.address().deviceId(),
          e.newSafetyNumber(), false));
    }
  }

  @Override
  public void onPresence(Presence p) {
    presence.put(p.userId(), p);
    publish(new ChatEvent.PresenceChanged(p));
  }

  @Override
  public void onMembership(String roomId, String userId, ChatEvent.MembershipChange change,
      Optional<Role> role, Optional<ServerLink.RoomInfo> room) {
    runOnEngine(() -> {
      boolean me = self != null && userId.equals(self.userId());
      if ((change == ChatEvent.MembershipChange.REMOVED
          || change == ChatEvent.MembershipChange.LEFT)) {
        if (me) {
          data.removeRoom(roomId);
          senderKeySentTo.remove(roomId);
          crypto.groups().leave(roomId);
        } else {
          memberGone(roomId, userId);
        }
      }
      if (room.isPresent() && !me) {
        data.putRoom(room.get());
      } else if (room.isPresent() && change != ChatEvent.MembershipChange.REMOVED
          && change != ChatEvent.MembershipChange.LEFT) {
        data.putRoom(room.get());
      } else if (room.isEmpty() && !me) {
        refreshRooms();
      }
      publish(new ChatEvent.MembershipChanged(roomId, userId, change, role));
    });
  }

  @Override
  public void onRoomRenamed(ServerLink.RoomInfo room, String byUserId) {
    runOnEngine(() -> {
      if (room(room.id()).isEmpty()) {
        return; // not (or no longer) a room of this user
      }
      data.putRoom(room);
      publish(new ChatEvent.RoomTopicChanged(room.id(), byUserId, room.name(), room.topic()));
    });
  }

  @Override
  public void onPrekeysLow(int remaining) {
    runOnEngine(() -> {
      if (!keysPublished) {
        return; // not linked yet: this device publishes nothing before it has a certificate
      }
      try {
        link.publishKeys(crypto.refillOneTimePrekeys(cfg.prekeyBatch()));
        LOG.info("published {} one-time prekeys ({} were left)", cfg.prekeyBatch(), remaining);
      } catch (CipherTalkException | CryptoException e) {
        LOG.warn("one-time prekey refill failed: {}", e.getMessage());
      }
    });
  }

  @Override
  public void onDisconnected(String reason) {
    runOnEngine(() -> {
      LOG.info("connection lost: {}", reason);
      scheduleReconnect(); // armed before the state change is observable
      setState(ConnectionState.DISCONNECTED);
    });
  }

  // ------------------------------------------------------------------ self-destruct

  private void scheduleStoredExpiries() {
    data.nextExpiry().ifPresent(this::armSweep);
  }

  private void scheduleExpiry(Message m) {
    m.expiresAt().ifPresent(this::armSweep);
  }

  /** Makes sure a sweep runs at {@code at} (one timer: the earliest pending expiry). */
  private void armSweep(Instant at) {
    if (sweepAt != null && !at.isBefore(sweepAt)) {
      return;
    }
    if (sweepTimer != null) {
      sweepTimer.cancel();
    }
    sweepAt = at;
    sweepTimer = cfg.scheduler().schedule(at, () -> runOnEngine(this::sweep));
  }

  private void sweep() {
    sweepAt = null;
    sweepTimer = null;
    if (closed) {
      return;
    }
    List<Message> expired = data.sweepExpired();
    data.nextExpiry().ifPresent(this::armSweep); // re-armed before anyone hears of this sweep
    for (Message m : expired) {
      data.removeAttachment(m.id());
      removeUnread(m.roomId(), Set.of(m.id()));
      publish(new ChatEvent.MessageExpired(m.roomId(), m.id()));
    }
  }

  // ------------------------------------------------------------------ engine thread plumbing

  private void runOnEngine(Runnable r) {
    if (closed) {
      return;
    }
    engine.execute(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("engine task failed", e);
      }
    });
  }

  /**
   * Waits for the tasks still queued on the engine (a frame that arrived while closing) so that
   * none of them touches the store after {@link #close()} has closed it. Called on the engine
   * thread itself (a listener closing the client), it cannot wait and returns at once.
   */
  private void awaitEngineStopped() {
    if (Thread.currentThread() == engineThread) {
      return;
    }
    try {
      if (!engine.awaitTermination(ENGINE_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        engine.shutdownNow();
      }
    } catch (InterruptedException e) {
      engine.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private <T> T callOnEngine(java.util.concurrent.Callable<T> c) {
    requireOpen();
    if (Thread.currentThread() == engineThread) {
      try {
        return c.call(); // a listener running on the engine thread must not wait for itself
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    var f = engine.submit(c);
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("engine busy for 60 s");
    }
  }

  /** Waits until every task queued so far on the engine thread has run. */
  public void awaitEngine() {
    if (!closed) {
      callOnEngine(() -> null);
    }
  }

  public Stats stats() {
    return new Stats(delivered.get(), duplicates.get(), undecryptable.get(), data.heldGroupMessages(),
        data.outbox(10_000).size(), sent.get());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    wantConnected = false;
    try {
      callOnEngine(() -> {
        cancelReconnect();
        if (rotationTimer != null) {
          rotationTimer.cancel();
        }
        if (sweepTimer != null) {
          sweepTimer.cancel();
        }
        link.close();
        return null;
      });
    } finally {
      closed = true;
      engine.shutdown();
      awaitEngineStopped();
      state = ConnectionState.CLOSED;
      publish(new ChatEvent.ConnectionStateChanged(ConnectionState.CLOSED));
      data.close();
    }
  }
}
