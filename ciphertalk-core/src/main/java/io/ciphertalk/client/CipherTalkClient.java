package io.ciphertalk.client;

import io.ciphertalk.client.internal.ClientEngine;
import io.ciphertalk.client.internal.E2eCrypto;
import io.ciphertalk.client.internal.EventDispatcher;
import io.ciphertalk.client.internal.SenderKeyGroups;
import io.ciphertalk.client.internal.ServerLink;
import io.ciphertalk.client.internal.SessionCrypto;
import io.ciphertalk.client.internal.StoreLocalData;
import io.ciphertalk.client.internal.SystemScheduler;
import io.ciphertalk.client.internal.WireServerLink;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.memory.InMemoryLocalStore;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.HandshakeSuite;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The front door of the CipherTalk client SDK: one device of one user, connected to a CipherTalk
 * server, exchanging end-to-end-encrypted messages. The server only ever sees ciphertext and
 * routing metadata (docs/threat-model.md says exactly what).
 *
 * <pre>{@code
 * try (CipherTalkClient alice = CipherTalkClient.builder()
 *     .serverUri(URI.create("wss://chat.example/ws"), URI.create("https://chat.example/"))
 *     .listener(myListener)
 *     .build()) {
 *   alice.register("alice", password);
 *   alice.connect();
 *   Room room = alice.privateRoom("bob");
 *   room.send("hello");
 * }
 * }</pre>
 *
 * <p>Thread-safe; methods never return null (absence is an empty {@code Optional} or list) and
 * reject null arguments with {@link NullPointerException}. Events reach listeners on the callback
 * executor, in order. Key management
 * (prekey publication and refill, signed-prekey rotation, sessions, sender keys), multi-device copies,
 * the offline outbox and reconnection with backoff happen underneath without the app asking.
 */
public final class CipherTalkClient implements AutoCloseable {
  private final ClientEngine engine;
  private final EventDispatcher events;
  private final io.ciphertalk.core.store.AppDataStore appData;
  private final AttachmentTransfers transfers;
  private final FileSender files;
  private final AutoCloseable ownedScheduler;
  private final ExecutorService ownedCallbacks;
  private final ClientMeters meters;

  private CipherTalkClient(Builder b, ServerLink link,
      BiFunction<DeviceAddress, LocalStore, E2eCrypto> cryptoFactory, LocalStore store,
      Scheduler scheduler, SystemScheduler owned) {
    this.ownedCallbacks = b.callbackExecutor == null
        ? Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "ciphertalk-callbacks");
          t.setDaemon(true);
          return t;
        })
        : null;
    this.events = new EventDispatcher(b.callbackExecutor != null ? b.callbackExecutor
        : ownedCallbacks);
    b.listeners.forEach(events::addListener);
    this.ownedScheduler = owned;
    this.appData = store.appData();
    this.engine = new ClientEngine(new ClientEngine.Config(link, new StoreLocalData(store),
        address -> cryptoFactory.apply(address, store), b.clock, scheduler, b.random, events,
        b.deviceId, b.typingTimeout, b.reconnectBase, b.reconnectMax, b.signedPrekeyRotation,
        b.prekeyBatch, 1000));
    this.meters = b.meterRegistry == null ? null
        : ClientMeters.bind(b.meterRegistry, b.meterTags, engine::stats);
    this.transfers = new AttachmentTransfers(b.httpUri, () -> engine.token().orElse(null), b.random,
        b.requestTimeout);
    this.files = new FileSender(engine, transfers, b.random, b.clock);
  }

  /** The attachment of a file message in the local history, if {@code messageId} is one. */
  public java.util.Optional<Attachment> attachment(MessageId messageId) {
    return engine.attachment(Objects.requireNonNull(messageId, "messageId")).map(Attachment::decode);
  }

  /**
   * Downloads an attachment into {@code target}, verifying every chunk and the digest while it
   * streams; the file appears at {@code target} (replacing one there) only after the last chunk
   * verified. On failure nothing is left behind. A broken connection is resumed with an HTTP range
   * from the first byte not yet received (never from the start, and no byte is handed out twice);
   * progress callbacks count verified plaintext and never go back.
   *
   * @param listener progress callbacks, or null
   * @param transfer a cancel handle, or null
   * @throws io.ciphertalk.crypto.attachment.AttachmentIntegrityException if the ciphertext is not the
   *     sender's (altered, truncated, extended, or a wrong key or digest)
   * @throws RequestFailedException if the server refused ({@code not_found}: gone, or not a member)
   * @throws TransferFailedException if the connection broke 5 times in a row without a byte coming
   *     through (each retry after a growing pause)
   * @throws java.util.concurrent.CancellationException if {@code transfer} was cancelled
   */
  public void download(Attachment attachment, java.nio.file.Path target, TransferListener listener,
      Transfer transfer) throws java.io.IOException {
    transfers.download(Objects.requireNonNull(attachment, "attachment"), Objects.requireNonNull(target, "target"),
        listener, transfer);
  }

  /**
   * Downloads an attachment into {@code out} (not closed), verifying while it streams. The bytes
   * written belong to chunks that verified on their own, but the file is authentic only if this
   * returns normally: on an exception the caller discards what was written. Resumes and fails as
   * {@link #download(Attachment, java.nio.file.Path, TransferListener, Transfer)}.
   *
   * @return the number of bytes written
   */
  public long download(Attachment attachment, java.io.OutputStream out, TransferListener listener,
      Transfer transfer) throws java.io.IOException {
    return transfers.download(Objects.requireNonNull(attachment, "attachment"), Objects.requireNonNull(out, "out"),
        listener, transfer);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates an account on the server, makes this device its first device and generates its
   * identity keys (published on {@link #connect()}).
   *
   * @throws AuthenticationException if the name is taken or the password refused
   */
  public void register(String userId, String password) throws CipherTalkException {
    engine.register(checkUser(userId), Objects.requireNonNull(password, "password"));
  }

  /**
   * Logs this device in to an existing account (a second device gets its own identity keys).
   *
   * @throws AuthenticationException if the credentials are wrong
   */
  public void login(String userId, String password) throws CipherTalkException {
    engine.login(checkUser(userId), Objects.requireNonNull(password, "password"));
  }

  /**
   * Uses a bearer token the app obtained itself (e.g. from its own login flow, or an account the
   * host created with the embedded server's API) for this device.
   */
  public void useToken(String userId, String token) {
    engine.useToken(checkUser(userId), Objects.requireNonNull(token, "token"));
  }

  /**
   * Validates a user id and returns its canonical form. User ids are case-insensitive: the server
   * keeps them in lower case, so the SDK lower-cases every user id it is given ({@code "Dave"} and
   * {@code "dave"} are the same account) before anything reaches the network.
   */
  static String checkUser(String userId) {
    Objects.requireNonNull(userId, "userId");
    String canonical = userId.toLowerCase(java.util.Locale.ROOT);
    new DeviceAddress(canonical, 1); // validates the user-id syntax
    return canonical;
  }

  /**
   * Connects and authenticates, publishes keys if needed, and flushes the outbox in order. If the
   * connection later drops, the client reconnects by itself with exponential backoff.
   *
   * @throws CipherTalkException if the first attempt fails (a reconnect is still scheduled)
   */
  public void connect() throws CipherTalkException {
    engine.connect();
  }

  /** Disconnects and stops reconnecting until {@link #connect()}; sends go to the outbox. */
  public void disconnect() {
    engine.disconnect();
  }

  /** The connection state. */
  public ConnectionState connectionState() {
    return engine.state();
  }

  /** This device's address, once registered or logged in. */
  public Optional<DeviceAddress> address() {
    return engine.self();
  }

  /** Adds a listener (in addition to those given to the builder). */
  public void addListener(ChatListener listener) {
    events.addListener(listener);
  }

  public void removeListener(ChatListener listener) {
    events.removeListener(listener);
  }

  /** The private (1:1) room with {@code userId}, created on the server if it does not exist. */
  public Room privateRoom(String user) throws CipherTalkException {
    String userId = checkUser(user);
    if (engine.self().map(a -> a.userId().equals(userId)).orElse(false)) {
      throw new IllegalArgumentException("cannot open a private room with oneself");
    }
    return new RoomHandle(engine, files, transfers, engine.createRoom(RoomKind.PRIVATE, userId, Set.of(userId)));
  }

  /** Creates a group room with this user as owner and {@code members} as members. */
  public Room createGroup(String name, Set<String> members) throws CipherTalkException {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > 128) {
      throw new IllegalArgumentException("room name must be 1 to 128 characters");
    }
    Set<String> m = new LinkedHashSet<>();
    for (String u : members) {
      m.add(checkUser(u));
    }
    return new RoomHandle(engine, files, transfers, engine.createRoom(RoomKind.GROUP, name, m));
  }

  /** The rooms this user is a member of, as last synchronised with the server. */
  public List<Room> rooms() {
    List<Room> out = new ArrayList<>();
    engine.rooms().forEach(r -> out.add(new RoomHandle(engine, files, transfers, r)));
    return out;
  }

  /**
   * Rooms someone else put this user in (a group, or a private room they opened) that this user
   * has not accepted yet. Such a room works as usual (messages arrive, the user can leave), but
   * until it is accepted the server shows neither side the other's presence through it, and its
   * members get this user's one-time prekeys only within the server's budget for strangers.
   */
  public List<Room> pendingInvites() throws CipherTalkException {
    List<Room> out = new ArrayList<>();
    for (var r : engine.link().pendingInvites()) {
      out.add(new RoomHandle(engine, files, transfers, r));
    }
    return out;
  }

  /**
   * Accepts a pending invitation (see {@link #pendingInvites()}).
   *
   * @throws RequestFailedException {@code not_found} if no invitation to that room is pending
   */
  public void acceptInvite(String roomId) throws CipherTalkException {
    engine.link().acceptInvite(checkRoom(roomId));
  }

  /**
   * Declines a pending invitation: this user leaves the room.
   *
   * @throws RequestFailedException {@code not_found} if no invitation to that room is pending
   */
  public void declineInvite(String roomId) throws CipherTalkException {
    engine.declineInvite(checkRoom(roomId));
  }

  private static String checkRoom(String roomId) {
    Objects.requireNonNull(roomId, "roomId");
    if (!roomId.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("not a room id: " + roomId);
    }
    return roomId;
  }

  /** A room by id, if this user is a member. */
  public Optional<Room> room(String roomId) {
    return engine.room(roomId).map(r -> new RoomHandle(engine, files, transfers, r));
  }

  /** Searches the decrypted local history (newest first, at most {@code limit}). */
  public List<Message> search(String text, int limit) {
    return engine.search(text, limit);
  }

  /** Adds a contact. */
  public void addContact(String userId, String nickname) throws CipherTalkException {
    engine.link().addContact(checkUser(userId), Objects.requireNonNull(nickname, "nickname"));
  }

  /** The contact list. */
  public List<Contact> contacts() throws CipherTalkException {
    return engine.link().contacts();
  }

  public void removeContact(String userId) throws CipherTalkException {
    engine.link().removeContact(checkUser(userId));
  }

  /** Blocks (or unblocks) a user: the server stops routing their messages to this user. */
  public void block(String userId, boolean blocked) throws CipherTalkException {
    engine.link().block(checkUser(userId), blocked);
  }

  /** A contact's or room member's presence (cached from events, else asked from the server). */
  public Presence presence(String userId) throws CipherTalkException {
    return engine.presence(checkUser(userId));
  }

  /**
   * The safety number of this account and {@code userId}'s (12 groups of 5 digits): computed over
   * the two account keys, so every device of both users shows the same number, and it does not
   * change when either adds or removes a device. Compare it out of band.
   *
   * @throws IllegalArgumentException if this client has not seen that user's account key yet
   * @throws IllegalStateException if this device is not linked to its account yet
   */
  public String safetyNumber(String userId) {
    return engine.safetyNumber(checkUser(userId));
  }

  /** {@link #safetyNumber(String)} as a payload to show or scan as a QR code. */
  public String safetyNumberPayload(String userId) {
    return engine.safetyNumberPayload(checkUser(userId));
  }

  /**
   * Accepts {@code userId}'s new account key after an {@link ChatEvent.IdentityKeyChanged} event,
   * only if {@code seenSafetyNumber} is exactly the new safety number the users compared (the 60
   * digits, spaces ignored, or the scanned payload): never "whatever is pending". Messages held
   * for that user are then delivered and sent.
   *
   * @return whether the key was accepted (false: the number does not match, or nothing changed)
   */
  public boolean trustIdentity(String userId, String seenSafetyNumber) {
    Objects.requireNonNull(seenSafetyNumber, "seenSafetyNumber");
    return engine.trustIdentity(checkUser(userId), seenSafetyNumber);
  }

  /**
   * On a new device of an account that already has devices (after {@link
   * ChatEvent.LinkingRequired}): starts linking and returns the code to show, as text ({@code
   * LinkingCode.text()}) and as a QR payload ({@code qrPayload()}). Enter it on a linked device with
   * {@link #approveLink(String)}; a {@link ChatEvent.LinkCompleted} event follows. The code works
   * once; calling this again replaces it.
   */
  public io.ciphertalk.crypto.account.LinkingCode startLinking() {
    return engine.startLinking();
  }

  /**
   * On a device of the account: approves the code shown on the new device and sends it the account
   * key, encrypted to that code, through the server (the new device must be connected).
   *
   * @return the six-digit confirmation code, which the new device must show too
   * @throws RequestFailedException {@code invalid_link} for a mistyped or unusable code,
   *     {@code not_found} if the new device is not connected
   */
  public String approveLink(String code) throws CipherTalkException {
    return engine.approveLink(Objects.requireNonNull(code, "code"));
  }

  /**
   * Revokes this account's device {@code deviceId} (a lost phone): publishes a revocation signed
   * with the account key. Contacts and this account's devices stop encrypting to it, the server
   * refuses it, and every group this account is in moves to a new sender-key epoch.
   */
  public void revokeDevice(int deviceId) throws CipherTalkException {
    if (deviceId < 1) {
      throw new IllegalArgumentException("deviceId must be positive: " + deviceId);
    }
    engine.revokeDevice(deviceId);
  }

  /** Logs this device out for good: it revokes itself (as {@link #revokeDevice}) and disconnects. */
  public void logout() throws CipherTalkException {
    engine.revokeDevice(engine.self().orElseThrow(
        () -> new IllegalStateException("register or login first")).deviceId());
    engine.disconnect();
  }

  /**
   * Changes the account's password. The server keeps this device's session and revokes every other
   * token of the account: the account's other devices get a {@link ChatEvent.SessionEnded} and sign
   * in again with the new password. Needs the HTTP endpoint.
   *
   * @param oneTimeCode the current one-time code (or a recovery code) when the account has a
   *     second factor, else null
   * @return how many other sessions the server ended
   * @throws AuthenticationException if the current password is wrong ({@code invalid_credentials}),
   *     a one-time code is needed or wrong ({@code totp_required}), or the new password is refused
   *     ({@code weak_password}: 8 to 256 characters); the message starts with that code
   */
  public int changePassword(String currentPassword, String newPassword, String oneTimeCode)
      throws CipherTalkException {
    return engine.changePassword(Objects.requireNonNull(currentPassword, "currentPassword"),
        Objects.requireNonNull(newPassword, "newPassword"), oneTimeCode);
  }

  /** This account's devices that are certified by its account key (this one included). */
  public List<Integer> ownDevices() throws CipherTalkException {
    return engine.ownDevices();
  }

  /**
   * The app's own small records, kept in this client's store (sealed with the history by the
   * encrypted store): view state such as message numbers or read marks, settings. Closed with
   * the client.
   */
  public io.ciphertalk.core.store.AppDataStore appData() {
    return appData;
  }

  /** This client's counters (decrypted, duplicate and undecryptable messages, outbox size). */
  public ClientStats stats() {
    ClientEngine.Stats s = engine.stats();
    return new ClientStats(s.delivered(), s.duplicates(), s.undecryptable(), s.pendingGroup(),
        s.outbox(), s.sent());
  }

  /** Internal: the engine, for tests in this module. */
  ClientEngine engine() {
    return engine;
  }

  /** Disconnects, stops timers and closes the store. Idempotent. */
  @Override
  public void close() {
    if (meters != null) {
      meters.close();
    }
    engine.close();
    if (ownedScheduler != null) {
      try {
        ownedScheduler.close();
      } catch (Exception ignored) {
        // SystemScheduler.close does not throw
      }
    }
    if (ownedCallbacks != null) {
      ownedCallbacks.shutdown();
    }
  }

  /**
   * Builds a {@link CipherTalkClient}. Each setter checks its value at once. Not thread-safe.
   * Required: a server ({@link #serverUri} or {@link #transport}).
   */
  public static final class Builder {
    private ServerLink link;
    private Supplier<? extends Transport> transports;
    private URI httpUri;
    private Duration requestTimeout = Duration.ofSeconds(15);
    private BiFunction<DeviceAddress, LocalStore, E2eCrypto> cryptoFactory;
    private LocalStore store;
    private Clock clock = Clock.systemUTC();
    private RandomSource random = RandomSource.secure();
    private Executor callbackExecutor;
    private Scheduler scheduler;
    private final List<ChatListener> listeners = new ArrayList<>();
    private KeyExchange keyExchange = KeyExchange.PQXDH;
    private boolean requirePostQuantum;
    private Duration prekeyGracePeriod = SessionCrypto.DEFAULT_PREKEY_GRACE;
    private int deviceId = 1;
    private Duration typingTimeout = Duration.ofSeconds(6);
    private Duration reconnectBase = Duration.ofSeconds(1);
    private Duration reconnectMax = Duration.ofMinutes(1);
    private Duration signedPrekeyRotation = Duration.ofDays(7);
    private int prekeyBatch = 50;
    private io.micrometer.core.instrument.MeterRegistry meterRegistry;
    private io.micrometer.core.instrument.Tags meterTags = io.micrometer.core.instrument.Tags.empty();

    private Builder() {}

    /**
     * Reports this client's meters to a Micrometer registry of the host's (its Prometheus, OTLP,
     * JMX ... registry): {@code ciphertalk.client.messages.sent}, {@code .messages.delivered},
     * {@code .messages.duplicates}, {@code .decrypt.failures} (function counters) and
     * {@code ciphertalk.client.outbox.depth}, {@code .held.group.messages} (gauges), the numbers
     * of {@link CipherTalkClient#stats()}. They are removed from the registry when the client
     * closes. Default: none.
     *
     * @param tags key/value pairs added to every meter (e.g. {@code "client", "bot"}); needed to
     *     tell clients apart when several in one JVM share a registry
     * @throws IllegalArgumentException if the tags are not key/value pairs
     */
    public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry,
        String... tags) {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(tags, "tags");
      if (tags.length % 2 != 0) {
        throw new IllegalArgumentException("tags must be key/value pairs: " + tags.length + " strings");
      }
      this.meterTags = io.micrometer.core.instrument.Tags.of(tags);
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Connects over WebSocket to {@code webSocketUri} (e.g. {@code ws://host:8000/ws}) and uses
     * {@code httpUri} (e.g. {@code http://host:8080/}) for {@link #register} and {@link #login}.
     * The WebSocket transport reconnects by itself; the client re-authenticates each time.
     */
    public Builder serverUri(URI webSocketUri, URI httpUri) {
      Objects.requireNonNull(webSocketUri, "webSocketUri");
      WebSocketTransport.builder(webSocketUri); // validates the scheme now
      this.transports = () -> WebSocketTransport.builder(webSocketUri)
          .backoff(Duration.ofMillis(250), Duration.ofSeconds(30)).build();
      this.httpUri = Objects.requireNonNull(httpUri, "httpUri");
      this.link = null;
      return this;
    }

    /**
     * Connects through transports made by {@code factory} (called for each new connection, since a
     * closed transport never reopens), e.g. {@code () -> new InMemoryTransport(endpoint)} for a
     * server in the same JVM. {@code httpUri} serves {@link #register}/{@link #login}; it may be
     * null when the app obtains tokens itself ({@link CipherTalkClient#useToken}).
     */
    public Builder transport(Supplier<? extends Transport> factory, URI httpUri) {
      this.transports = Objects.requireNonNull(factory, "factory");
      this.httpUri = httpUri;
      this.link = null;
      return this;
    }

    /** How long a request to the server may take before it fails with "timeout" (default 15 s). */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive(d, "requestTimeout");
      return this;
    }

    /** Internal: a server link (tests in this module and the transport adapters). */
    Builder link(ServerLink link) {
      this.link = Objects.requireNonNull(link, "link");
      return this;
    }

    /** Internal: the end-to-end crypto implementation. */
    Builder crypto(BiFunction<DeviceAddress, LocalStore, E2eCrypto> factory) {
      this.cryptoFactory = Objects.requireNonNull(factory, "crypto");
      return this;
    }

    /**
     * Where this device keeps its keys, history and outbox: an
     * {@link io.ciphertalk.core.store.memory.InMemoryLocalStore} or the encrypted
     * {@link io.ciphertalk.core.store.jdbi.JdbiLocalStore} (give it the same clock as the client).
     * Default: a new in-memory store on the client's clock. The client closes it.
     */
    public Builder store(LocalStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The clock for timestamps, self-destruct and typing expiry (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The randomness for keys and ids (default: {@link RandomSource#secure()}). */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Where listeners are called (default: one daemon thread owned by the client). */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /** The timer scheduler (default: one daemon thread on the client's clock). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Adds a listener. */
    public Builder listener(ChatListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * The handshake suite for new sessions this device starts (default {@link KeyExchange#PQXDH};
     * X3DH and RSA_OAEP stay selectable, and are accepted from peers unless {@link
     * #requirePostQuantum} is set).
     */
    public Builder keyExchange(KeyExchange suite) {
      this.keyExchange = Objects.requireNonNull(suite, "keyExchange");
      return this;
    }

    /**
     * Refuse sessions that peers start with a classical suite (X3DH, RSA_OAEP): their initial
     * messages fail with {@code io.ciphertalk.crypto.session.SuiteNotAcceptedException}, are
     * logged and dropped, and nothing changes (default false). Requires {@link
     * KeyExchange#PQXDH} as this device's own suite.
     */
    public Builder requirePostQuantum(boolean require) {
      this.requirePostQuantum = require;
      return this;
    }

    /** This device's number within the user's account (default 1); each device needs its own. */
    public Builder deviceId(int deviceId) {
      if (deviceId < 1) {
        throw new IllegalArgumentException("deviceId must be positive: " + deviceId);
      }
      this.deviceId = deviceId;
      return this;
    }

    /** How long a "typing" indicator lasts without a refresh (default 6 s). */
    public Builder typingTimeout(Duration d) {
      this.typingTimeout = positive(d, "typingTimeout");
      return this;
    }

    /** Reconnect backoff: first delay and cap (defaults 1 s and 60 s; jitter up to 25% added). */
    public Builder reconnectBackoff(Duration base, Duration max) {
      positive(base, "base");
      positive(max, "max");
      if (max.compareTo(base) < 0) {
        throw new IllegalArgumentException("max backoff below base: " + max);
      }
      this.reconnectBase = base;
      this.reconnectMax = max;
      return this;
    }

    /** How often the signed prekey is replaced (default 7 days). */
    public Builder signedPrekeyRotation(Duration d) {
      this.signedPrekeyRotation = positive(d, "signedPrekeyRotation");
      return this;
    }

    /**
     * How long a replaced signed or KEM prekey stays usable for initial messages still in flight
     * (default 30 days, 1 day to 365 days). Afterwards it is deleted, as libsignal does, so a
     * later compromise of this device cannot open initial messages sent to it.
     */
    public Builder prekeyGracePeriod(Duration d) {
      positive(d, "prekeyGracePeriod");
      if (d.compareTo(Duration.ofDays(1)) < 0 || d.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException("prekeyGracePeriod must be 1 to 365 days: " + d);
      }
      this.prekeyGracePeriod = d;
      return this;
    }

    /** How many one-time prekeys are published at a time (default 50, 1..500). */
    public Builder prekeyBatch(int n) {
      if (n < 1 || n > 500) {
        throw new IllegalArgumentException("prekeyBatch must be 1..500: " + n);
      }
      this.prekeyBatch = n;
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    KeyExchange keyExchangeValue() {
      return keyExchange;
    }

    /**
     * Builds the client (not yet connected).
     *
     * @throws IllegalStateException if no server or no store was given
     */
    public CipherTalkClient build() {
      if (link == null && transports == null) {
        throw new IllegalStateException("serverUri(...) or transport(...) is required");
      }
      if (requirePostQuantum && keyExchange != KeyExchange.PQXDH) {
        throw new IllegalStateException(
            "requirePostQuantum(true) needs keyExchange(PQXDH), not " + keyExchange);
      }
      Scheduler sch = scheduler;
      SystemScheduler owned = null;
      if (sch == null) {
        owned = new SystemScheduler(clock, "ciphertalk-timers");
        sch = owned;
      }
      LocalStore st = store != null ? store : InMemoryLocalStore.create(clock);
      ServerLink l = link != null ? link
          : new WireServerLink(transports, httpUri, requestTimeout, sch, clock);
      BiFunction<DeviceAddress, LocalStore, E2eCrypto> crypto = cryptoFactory;
      if (crypto == null) {
        HandshakeSuite suite = HandshakeSuite.valueOf(keyExchange.name());
        RandomSource r = random;
        Clock c = clock;
        boolean pqOnly = requirePostQuantum;
        Duration grace = prekeyGracePeriod;
        crypto = (address, s) -> new SessionCrypto(address, suite, r,
            new SenderKeyGroups(address, r, c, s.senderKeys()), s, pqOnly, c, grace);
      }
      return new CipherTalkClient(this, l, crypto, st, sch, owned);
    }
  }
}
