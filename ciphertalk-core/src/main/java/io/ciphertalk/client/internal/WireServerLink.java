package io.ciphertalk.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.Presence;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.Scheduler;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.PresenceStatus;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.transport.TransportState;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.ContactInfo;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.DeliveryKind;
import io.ciphertalk.core.wire.ErrorCode;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.MemberInfo;
import io.ciphertalk.core.wire.PresenceInfo;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.core.wire.WireException;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.Rsa;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.IdentityKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ServerLink} over the CipherTalk wire protocol (docs/protocol.md, "Wire"): JSON frames on a
 * {@link Transport} (WebSocket or in-memory), accounts over the server's HTTP API. Requests are
 * correlated by frame id and time out; deliveries are acknowledged per stream (cumulative) once the
 * engine has processed them and every earlier one ({@link StreamAcks}). Prekey bundles are converted between the session library's encoding
 * and the wire's fields here. Device lists are cached per user and corrected by the server's
 * {@code STALE_DEVICES} answers. Thread-safe.
 */
public final class WireServerLink implements ServerLink {
  private static final Logger LOG = LoggerFactory.getLogger(WireServerLink.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<? extends Transport> transports;
  private final URI httpBase;
  private final WireCodec codec = WireCodec.create();
  private final Duration timeout;
  private final HttpClient http;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
  private final Map<String, java.util.NavigableSet<Integer>> deviceCache =
      new ConcurrentHashMap<>();
  private final Map<DeviceAddress, DeviceBundle> prefetched = new ConcurrentHashMap<>();
  /** Revocations as the directory last served them, per user (unverified). */
  private final Map<String, List<byte[]>> revocations = new ConcurrentHashMap<>();
  /** Certificates as the directory last served them (unverified). */
  private final Map<DeviceAddress, byte[]> certificates = new ConcurrentHashMap<>();
  private final StreamAcks acks = new StreamAcks();
  private final Scheduler scheduler;
  private final Clock clock;
  private final AtomicBoolean ackFlushArmed = new AtomicBoolean();
  private final Object lock = new Object();
  private Transport transport;
  private volatile Inbound inbound;
  private volatile boolean authenticated;
  private volatile boolean closing;
  private CompletableFuture<Void> opened = new CompletableFuture<>();

  /**
   * @param transports makes a fresh transport for each connection (a closed transport never
   *     reopens)
   * @param httpBase the server's HTTP base URI for register/login, or null if accounts are made
   *     elsewhere
   * @param scheduler runs the delayed acknowledgements ({@link StreamAcks})
   * @param clock the scheduler's clock
   */
  public WireServerLink(Supplier<? extends Transport> transports, URI httpBase, Duration timeout,
      Scheduler scheduler, Clock clock) {
    this.transports = transports;
    this.httpBase = httpBase;
    this.timeout = timeout;
    this.scheduler = scheduler;
    this.clock = clock;
    this.http = httpBase == null ? null
        : HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Signals that a send addressed the wrong device set; the device cache was corrected. */
  public static final class StaleDevicesException extends CipherTalkException {
    private static final long serialVersionUID = 1L;

    StaleDevicesException(String message) {
      super(message);
    }
  }

  // ------------------------------------------------------------------ accounts (HTTP)

  @Override
  public String register(String userId, String password) throws CipherTalkException {
    JsonNode r = post("/api/register", userId, password);
    if (r == null) {
      throw new RequestFailedException("not_connected", "no HTTP endpoint configured");
    }
    return login(userId, password);
  }

  @Override
  public String login(String userId, String password) throws CipherTalkException {
    JsonNode r = post("/api/login", userId, password);
    if (r == null || !r.path("token").isTextual()) {
      throw new AuthenticationException("login answered without a token");
    }
    return r.get("token").textValue();
  }

  @Override
  public int changePassword(String token, String currentPassword, String newPassword,
      String oneTimeCode) throws CipherTalkException {
    ObjectNode body = JSON.createObjectNode().put("currentPassword", currentPassword)
        .put("newPassword", newPassword);
    if (oneTimeCode != null) {
      body.put("totp", oneTimeCode);
    }
    JsonNode r = post("/api/password", body, token);
    if (r == null) {
      throw new RequestFailedException("not_connected", "no HTTP endpoint configured");
    }
    return r.path("revoked").asInt(0);
  }

  private JsonNode post(String path, String user, String password) throws CipherTalkException {
    return post(path, JSON.createObjectNode().put("username", user).put("password", password),
        null);
  }

  private JsonNode post(String path, ObjectNode body, String bearer) throws CipherTalkException {
    if (http == null) {
      return null;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(httpBase.resolve(path)).timeout(timeout)
        .header("Content-Type", "application/json");
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    HttpRequest req = b.POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    try {
      HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString(
          StandardCharsets.UTF_8));
      JsonNode json = resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body());
      if (resp.statusCode() / 100 == 2) {
        return json;
      }
      String code = json.path("error").asText("http_" + resp.statusCode());
      if (resp.statusCode() == 401 || resp.statusCode() == 403 || resp.statusCode() == 409
          || resp.statusCode() == 400) {
        throw new AuthenticationException(code + ": " + json.path("message").asText(""));
      }
      throw new RequestFailedException(resp.statusCode() == 429 ? "rate_limited" : "internal",
          "HTTP " + resp.statusCode() + " " + code);
    } catch (IOException e) {
      throw new RequestFailedException("not_connected", "HTTP request failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestFailedException("not_connected", "interrupted");
    }
  }

  // ------------------------------------------------------------------ connection

  @Override
  public void connect(DeviceAddress self, String token, Inbound in) throws CipherTalkException {
    this.inbound = in;
    // What the directory said before this connection may be stale (revocations while offline).
    deviceCache.clear();
    certificates.clear();
    CompletableFuture<Void> waitOpen;
    synchronized (lock) {
      closing = false;
      if (transport == null || transport.state() == TransportState.CLOSED) {
        opened = new CompletableFuture<>();
        transport = transports.get();
        Transport t = transport;
        t.start(new Listener(t));
      }
      waitOpen = opened;
    }
    try {
      waitOpen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new RequestFailedException("not_connected", "transport did not open");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestFailedException("not_connected", "interrupted");
    }
    if (authenticated) {
      return;
    }
    Frame reply;
    try {
      reply = request(id -> new Frame.Hello(id, token, self.deviceId(), "ciphertalk-java/0.1"));
    } catch (RequestFailedException e) {
      if ("forbidden".equals(e.code())) {
        // The server refuses this device itself (it was revoked): as with a dead token, no retry
        // can help, so the session ends here.
        throw new AuthenticationException(e.getMessage());
      }
      throw e;
    }
    if (!(reply instanceof Frame.Welcome w) || !w.device().equals(self)) {
      throw new AuthenticationException("unexpected answer to hello");
    }
    acks.reconnected();
    authenticated = true;
  }

  @Override
  public void disconnect() {
    flushAcks(); // a clean disconnect leaves nothing finished unacknowledged
    Transport t;
    synchronized (lock) {
      closing = true;
      t = transport;
      transport = null;
      authenticated = false;
    }
    if (t != null) {
      t.close();
    }
    failPending();
  }

  @Override
  public boolean isConnected() {
    return authenticated;
  }

  @Override
  public void close() {
    disconnect();
  }

  private void failPending() {
    for (var e : pending.entrySet()) {
      e.getValue().completeExceptionally(new RequestFailedException("not_connected",
          "connection closed"));
    }
    pending.clear();
  }

  private final class Listener implements TransportListener {
    private final Transport owner;

    Listener(Transport owner) {
      this.owner = owner;
    }

    private boolean current() {
      synchronized (lock) {
        return transport == owner;
      }
    }

    @Override
    public void onOpen() {
      synchronized (lock) {
        if (transport == owner) {
          opened.complete(null);
        }
      }
    }

    @Override
    public void onFrame(String text) {
      if (!current()) {
        return;
      }
      Frame f;
      try {
        f = codec.decode(text);
      } catch (WireException e) {
        LOG.warn("undecodable frame from server: {} at {}", e.code(), e.field());
        return;
      }
      if (f instanceof Frame.Response) {
        CompletableFuture<Frame> p = pending.remove(f.id());
        if (p != null) {
          p.complete(f);
        }
        return;
      }
      try {
        onPush(f);
      } catch (RuntimeException e) {
        LOG.warn("push {} could not be handled", f.type(), e);
      }
    }

    @Override
    public void onClosed(int code, String reason, boolean willReconnect) {
      boolean notify;
      synchronized (lock) {
        if (transport != owner) {
          return;
        }
        authenticated = false;
        opened = new CompletableFuture<>();
        if (!willReconnect) {
          transport = null;
        }
        notify = !closing;
      }
      failPending();
      Inbound in = inbound;
      if (notify && in != null) {
        in.onDisconnected("closed " + code + (reason.isEmpty() ? "" : " " + reason));
      }
    }
  }

  private void onPush(Frame f) {
    Inbound in = inbound;
    if (in == null) {
      return;
    }
    if (f instanceof Frame.Deliver d) {
      Delivery del = d.delivery();
      acks.received(del.stream(), del.seq());
      Runnable ack = () -> {
        long upTo = acks.finished(del.stream(), del.seq());
        if (upTo >= 0) {
          sendAck(del.stream(), upTo);
        } else if (upTo == StreamAcks.LATER && ackFlushArmed.compareAndSet(false, true)) {
          scheduler.schedule(clock.instant().plus(StreamAcks.DELAY), this::flushAcks);
        }
      };
      Instant expires = del.expiresAt() == null ? null : Instant.ofEpochMilli(del.expiresAt());
      if (del.kind() == DeliveryKind.GROUP) {
        in.onGroupMessage(del.room(), del.sender(), del.messageId(),
            del.ciphertext().toByteArray(), expires, ack);
      } else {
        in.onEnvelope(del.sender(), del.messageId(), del.ciphertext().toByteArray(), expires, ack);
      }
    } else if (f instanceof Frame.LinkDeliver l) {
      in.onLinkEnvelope(l.from(), l.envelope().toByteArray());
    } else if (f instanceof Frame.PresenceEvent p) {
      in.onPresence(presence(p.presence()));
    } else if (f instanceof Frame.RoomEvent e) {
      onRoomEvent(in, e);
    } else if (f instanceof Frame.Notice n) {
      switch (n.kind()) {
        case PREKEYS_LOW -> in.onPrekeysLow(n.count() == null ? 0 : n.count());
        case SESSION_REPLACED -> LOG.warn("another connection took over this device");
        case RATE_LIMITED -> LOG.info("server rate limit: retry after {} ms", n.retryAfterMs());
        case DEVICES_CHANGED -> {
          if (n.message() != null && !n.message().isEmpty()) {
            forgetDirectory(n.message());
            in.onDevicesChanged(n.message());
          }
        }
        default -> LOG.debug("notice {}", n.kind());
      }
    }
    // typing_event and receipt_event are not used: this client sends both end-to-end encrypted.
  }

  private void onRoomEvent(Inbound in, Frame.RoomEvent e) {
    RoomInfo after = room(e.room());
    if (e.change() == io.ciphertalk.core.wire.RoomChange.RENAMED) {
      in.onRoomRenamed(after, e.actor());
      return;
    }
    for (String u : e.users()) {
      Optional<Role> role = Optional.ofNullable(after.members().get(u));
      ChatEvent.MembershipChange change;
      switch (e.change()) {
        case CREATED, MEMBERS_ADDED -> change = ChatEvent.MembershipChange.JOINED;
        case MEMBER_REMOVED -> change = ChatEvent.MembershipChange.REMOVED;
        case MEMBER_LEFT -> change = ChatEvent.MembershipChange.LEFT;
        case ROLE_CHANGED -> change = ChatEvent.MembershipChange.ROLE_CHANGED;
        default -> {
          continue;
        }
      }
      in.onMembership(after.id(), u, change, role, Optional.of(after));
    }
  }

  private void flushAcks() {
    ackFlushArmed.set(false);
    acks.takeDue().forEach(this::sendAck);
  }

  private void sendAck(String stream, long seq) {
    Transport t;
    synchronized (lock) {
      t = transport;
    }
    if (t != null && authenticated) {
      String id = "a" + ids.incrementAndGet();
      t.send(codec.encodeToString(new Frame.Ack(id, stream, seq)));
    }
  }

  // ------------------------------------------------------------------ requests

  private interface FrameFactory {
    Frame make(String id);
  }

  private Frame request(FrameFactory factory) throws CipherTalkException {
    String id = "c" + ids.incrementAndGet();
    Frame frame = factory.make(id);
    CompletableFuture<Frame> f = new CompletableFuture<>();
    pending.put(id, f);
    Transport t;
    synchronized (lock) {
      t = transport;
    }
    if (t == null || !t.send(codec.encodeToString(frame))) {
      pending.remove(id);
      throw new RequestFailedException("not_connected", "not connected");
    }
    Frame reply;
    try {
      reply = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.remove(id);
      throw new RequestFailedException("timeout", frame.type() + " not answered in " + timeout);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CipherTalkException c) {
        throw c;
      }
      throw new RequestFailedException("internal", String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestFailedException("not_connected", "interrupted");
    }
    if (reply instanceof Frame.ErrorReply err) {
      throw error(err);
    }
    return reply;
  }

  /**
   * Sends a request without waiting; the future completes with the reply (never an error reply),
   * or exceptionally with a {@link CipherTalkException} (timeout, not connected, or the server's
   * error).
   */
  private CompletableFuture<Frame> requestAsync(FrameFactory factory) {
    String id = "c" + ids.incrementAndGet();
    Frame frame = factory.make(id);
    CompletableFuture<Frame> f = new CompletableFuture<>();
    pending.put(id, f);
    Transport t;
    synchronized (lock) {
      t = transport;
    }
    if (t == null || !t.send(codec.encodeToString(frame))) {
      pending.remove(id);
      return CompletableFuture.failedFuture(
          new RequestFailedException("not_connected", "not connected"));
    }
    CompletableFuture<Frame> out = new CompletableFuture<>();
    f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((reply, err) -> {
      if (err != null) {
        pending.remove(id);
        Throwable cause = err instanceof java.util.concurrent.CompletionException
            && err.getCause() != null ? err.getCause() : err;
        out.completeExceptionally(cause instanceof CipherTalkException ? cause
            : cause instanceof TimeoutException
                ? new RequestFailedException("timeout", frame.type() + " not answered in " + timeout)
                : new RequestFailedException("internal", String.valueOf(cause)));
      } else if (reply instanceof Frame.ErrorReply e) {
        out.completeExceptionally(error(e));
      } else {
        out.complete(reply);
      }
    });
    return out;
  }

  private static CompletableFuture<Void> expectAsync(CompletableFuture<Frame> reply,
      Class<? extends Frame> type) {
    return reply.thenApply(f -> {
      if (!type.isInstance(f)) {
        throw new java.util.concurrent.CompletionException(
            new RequestFailedException("internal", "unexpected answer " + f.type()));
      }
      return null;
    });
  }

  private CipherTalkException error(Frame.ErrorReply err) {
    if (err.code() == ErrorCode.AUTH_FAILED) {
      return new AuthenticationException(err.message());
    }
    if (err.code() == ErrorCode.STALE_DEVICES) {
      for (DeviceAddress d : err.missingDevices()) {
        // A user without a cache entry is fetched in full by devices() on the retry.
        java.util.NavigableSet<Integer> known = deviceCache.get(d.userId());
        if (known != null) {
          known.add(d.deviceId());
        }
      }
      for (DeviceAddress d : err.extraDevices()) {
        java.util.NavigableSet<Integer> s = deviceCache.get(d.userId());
        if (s != null) {
          s.remove(d.deviceId());
        }
        prefetched.remove(d);
      }
      return new StaleDevicesException("missing " + err.missingDevices() + ", extra "
          + err.extraDevices());
    }
    return new RequestFailedException(err.code().name().toLowerCase(java.util.Locale.ROOT),
        err.message());
  }

  private static <T extends Frame> T expect(Frame f, Class<T> type) throws CipherTalkException {
    if (!type.isInstance(f)) {
      throw new RequestFailedException("internal", "unexpected answer " + f.type());
    }
    return type.cast(f);
  }

  // ------------------------------------------------------------------ keys

  /** One-time KEM prekeys per {@code prekeys_publish} frame. */
  static final int KEM_PREKEYS_PER_FRAME = 25;

  @Override
  public void publishKeys(KeyUpload upload) throws CipherTalkException {
    PreKeyBundle b;
    try {
      b = PreKeyBundle.deserialize(upload.identityAndSignedPrekeys());
    } catch (CryptoException e) {
      throw new IllegalStateException("own bundle does not parse", e);
    }
    io.ciphertalk.core.wire.SignedPreKey spk = new io.ciphertalk.core.wire.SignedPreKey(
        b.signedPreKeyId(), Bytes.of(b.signedPreKey().toByteArray()),
        Bytes.of(b.signedPreKeySignature()));
    io.ciphertalk.core.wire.SignedPreKey kem = b.kemPreKey().isEmpty() ? null
        : new io.ciphertalk.core.wire.SignedPreKey(b.kemPreKeyId().getAsInt(),
            Bytes.of(b.kemPreKey().get().toByteArray()), Bytes.of(b.kemPreKeySignature().get()));
    io.ciphertalk.core.wire.SignedPreKey rsa = b.rsaPreKey().isEmpty() ? null
        : new io.ciphertalk.core.wire.SignedPreKey(b.rsaPreKeyId().getAsInt(),
            Bytes.of(b.rsaPreKey().get().toX509()), Bytes.of(b.rsaPreKeySignature().get()));
    List<io.ciphertalk.core.wire.OneTimePreKey> otks = oneTime(upload.oneTimePrekeys());
    Bytes cert = upload.certificate() == null ? null : Bytes.of(upload.certificate());
    List<io.ciphertalk.core.wire.SignedPreKey> kems = new ArrayList<>();
    for (KeyUpload.KemPrekey k : upload.oneTimeKemPrekeys()) {
      kems.add(new io.ciphertalk.core.wire.SignedPreKey(k.id(), Bytes.of(k.publicKey()),
          Bytes.of(k.signature())));
    }
    // One-time KEM prekeys are ~1.7 KB each: sent KEM_PREKEYS_PER_FRAME per frame (the first
    // frame with everything else), so a publish stays well inside a 64 KiB frame limit.
    Bytes identity = Bytes.of(b.identityKey().serialize());
    List<io.ciphertalk.core.wire.SignedPreKey> first =
        kems.subList(0, Math.min(kems.size(), KEM_PREKEYS_PER_FRAME));
    expect(request(id -> new Frame.PreKeysPublish(id, identity, spk, otks, kem, rsa, cert,
        List.copyOf(first))), Frame.Ok.class);
    for (int i = KEM_PREKEYS_PER_FRAME; i < kems.size(); i += KEM_PREKEYS_PER_FRAME) {
      List<io.ciphertalk.core.wire.SignedPreKey> chunk =
          List.copyOf(kems.subList(i, Math.min(kems.size(), i + KEM_PREKEYS_PER_FRAME)));
      expect(request(id -> new Frame.PreKeysPublish(id, identity, null, List.of(), null, null, null,
          chunk)), Frame.Ok.class);
    }
  }

  private static List<io.ciphertalk.core.wire.OneTimePreKey> oneTime(
      List<KeyUpload.OneTimePrekey> keys) {
    List<io.ciphertalk.core.wire.OneTimePreKey> out = new ArrayList<>();
    for (KeyUpload.OneTimePrekey k : keys) {
      out.add(new io.ciphertalk.core.wire.OneTimePreKey(k.id(), Bytes.of(k.publicKey())));
    }
    return out;
  }

  @Override
  public List<Integer> devices(String userId) throws CipherTalkException {
    java.util.NavigableSet<Integer> cached = deviceCache.get(userId);
    if (cached != null) {
      return List.copyOf(cached);
    }
    Frame.BundlesReply r = expect(request(id -> new Frame.BundleFetch(id, userId, null)),
        Frame.BundlesReply.class);
    java.util.NavigableSet<Integer> devs = new java.util.concurrent.ConcurrentSkipListSet<>();
    noteRevocations(r);
    for (io.ciphertalk.core.wire.PreKeyBundle b : r.bundles()) {
      devs.add(b.device().deviceId());
      noteCertificate(b);
      try {
        prefetched.put(b.device(), convert(b));
      } catch (CipherTalkException e) {
        LOG.warn("bundle of {} rejected: {}", b.device(), e.getMessage());
      }
    }
    deviceCache.put(userId, devs);
    return List.copyOf(devs);
  }

  @Override
  public void noteDevice(DeviceAddress device) {
    java.util.NavigableSet<Integer> cached = deviceCache.get(device.userId());
    if (cached != null) {
      cached.add(device.deviceId());
    }
  }

  @Override
  public DeviceBundle fetchBundle(DeviceAddress device) throws CipherTalkException {
    DeviceBundle b = prefetched.remove(device);
    if (b != null) {
      return b;
    }
    Frame.BundlesReply r = expect(request(id -> new Frame.BundleFetch(id, device.userId(),
        device.deviceId())), Frame.BundlesReply.class);
    for (io.ciphertalk.core.wire.PreKeyBundle w : r.bundles()) {
      if (w.device().equals(device)) {
        noteCertificate(w);
        return convert(w);
      }
    }
    throw new RequestFailedException("not_found", "no bundle for " + device);
  }

  private void noteRevocations(Frame.BundlesReply r) {
    revocations.put(r.user(), r.revocations().stream().map(Bytes::toByteArray).toList());
  }

  @Override
  public List<byte[]> revocations(String userId) {
    return revocations.getOrDefault(userId, List.of()).stream().map(byte[]::clone).toList();
  }

  @Override
  public void publishRevocation(byte[] revocation) throws CipherTalkException {
    expect(request(id -> new Frame.DeviceRevoke(id, Bytes.of(revocation))), Frame.Ok.class);
  }

  /** Forgets what the directory said about {@code userId}, so the next question asks again. */
  private void forgetDirectory(String userId) {
    deviceCache.remove(userId);
    certificates.keySet().removeIf(d -> d.userId().equals(userId));
  }

  private void noteCertificate(io.ciphertalk.core.wire.PreKeyBundle b) {
    if (b.certificate() == null) {
      certificates.remove(b.device());
    } else {
      certificates.put(b.device(), b.certificate().toByteArray());
    }
  }

  @Override
  public Optional<byte[]> certificate(DeviceAddress device, boolean fresh)
      throws CipherTalkException {
    byte[] known = fresh ? null : certificates.get(device);
    if (known != null) {
      return Optional.of(known.clone());
    }
    // Only the certificate is wanted: ask without a one-time prekey, so that checking a sender
    // (or one's own devices while linking) never uses up one of that device's one-time prekeys.
    Frame.BundlesReply r = expect(request(id -> new Frame.BundleFetch(id, device.userId(),
        device.deviceId(), false)), Frame.BundlesReply.class);
    for (io.ciphertalk.core.wire.PreKeyBundle w : r.bundles()) {
      if (w.device().equals(device)) {
        noteCertificate(w);
        return Optional.ofNullable(w.certificate()).map(Bytes::toByteArray);
      }
    }
    certificates.remove(device);
    return Optional.empty();
  }

  @Override
  public void sendLinkEnvelope(int device, byte[] envelope) throws CipherTalkException {
    expect(request(id -> new Frame.LinkSend(id, device, Bytes.of(envelope))), Frame.Ok.class);
  }

  private static DeviceBundle convert(io.ciphertalk.core.wire.PreKeyBundle w)
      throws CipherTalkException {
    try {
      PreKeyBundle.Builder b = PreKeyBundle.builder().address(w.device())
          .identityKey(IdentityKey.deserialize(w.identityKey().toByteArray()))
          .signedPreKey(w.signedPreKey().keyId(),
              X25519.PublicKey.of(w.signedPreKey().publicKey().toByteArray()),
              w.signedPreKey().signature().toByteArray());
      // A one-time KEM prekey, when the directory had one left, is used instead of the
      // last-resort one (PQXDH's PQOPK before PQSPK); its signature is checked the same way.
      io.ciphertalk.core.wire.SignedPreKey kem =
          w.oneTimeKemPreKey() != null ? w.oneTimeKemPreKey() : w.kemPreKey();
      if (kem != null) {
        b.kemPreKey(kem.keyId(), MlKem768.PublicKey.of(kem.publicKey().toByteArray()),
            kem.signature().toByteArray());
      }
      if (w.rsaPreKey() != null) {
        b.rsaPreKey(w.rsaPreKey().keyId(),
            Rsa.PublicKey.fromX509(w.rsaPreKey().publicKey().toByteArray()),
            w.rsaPreKey().signature().toByteArray());
      }
      KeyUpload.OneTimePrekey otk = w.oneTimePreKey() == null ? null
          : new KeyUpload.OneTimePrekey(w.oneTimePreKey().keyId(),
              w.oneTimePreKey().publicKey().toByteArray());
      return new DeviceBundle(w.device(), b.build().serialize(), otk,
          w.certificate() == null ? null : w.certificate().toByteArray());
    } catch (CryptoException | IllegalArgumentException e) {
      throw new RequestFailedException("invalid_bundle", "bundle of " + w.device()
          + " rejected: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ sending

  @Override
  public void sendPairwise(MessageId id, String roomId, List<Envelope> envelopes,
      Instant expiresAt) throws CipherTalkException {
    List<Recipient> rs = new ArrayList<>();
    for (Envelope e : envelopes) {
      rs.add(new Recipient(e.to(), Bytes.of(e.ciphertext())));
    }
    Long exp = expiresAt == null ? null : expiresAt.toEpochMilli();
    expect(request(fid -> new Frame.Send(fid, id, roomId, exp, rs)), Frame.Sent.class);
  }

  @Override
  public void sendGroup(MessageId id, String roomId, byte[] ciphertext, Instant expiresAt)
      throws CipherTalkException {
    Long exp = expiresAt == null ? null : expiresAt.toEpochMilli();
    expect(request(fid -> new Frame.SendGroup(fid, id, roomId, exp, Bytes.of(ciphertext))),
        Frame.Sent.class);
  }

  @Override
  public CompletableFuture<Void> sendPairwiseAsync(MessageId id, String roomId,
      List<Envelope> envelopes, Instant expiresAt) {
    List<Recipient> rs = new ArrayList<>();
    for (Envelope e : envelopes) {
      rs.add(new Recipient(e.to(), Bytes.of(e.ciphertext())));
    }
    Long exp = expiresAt == null ? null : expiresAt.toEpochMilli();
    return expectAsync(requestAsync(fid -> new Frame.Send(fid, id, roomId, exp, rs)),
        Frame.Sent.class);
  }

  @Override
  public CompletableFuture<Void> sendGroupAsync(MessageId id, String roomId, byte[] ciphertext,
      Instant expiresAt) {
    Long exp = expiresAt == null ? null : expiresAt.toEpochMilli();
    return expectAsync(requestAsync(fid -> new Frame.SendGroup(fid, id, roomId, exp,
        Bytes.of(ciphertext))), Frame.Sent.class);
  }

  // ------------------------------------------------------------------ rooms, contacts, presence

  private static RoomInfo room(io.ciphertalk.core.wire.RoomInfo r) {
    Map<String, Role> members = new LinkedHashMap<>();
    for (MemberInfo m : r.members()) {
      members.put(m.user(), m.role());
    }
    String name = r.name() != null ? r.name() : String.join("+", members.keySet());
    return new RoomInfo(r.roomId(), r.kind(), name, members, r.description());
  }

  @Override
  public RoomInfo createRoom(RoomKind kind, String name, java.util.Set<String> members)
      throws CipherTalkException {
    List<String> m = List.copyOf(members);
    String n = kind == RoomKind.GROUP ? name : null;
    return room(expect(request(id -> new Frame.RoomCreate(id, kind, n, null, m, null)),
        Frame.RoomReply.class).room());
  }

  @Override
  public List<RoomInfo> rooms() throws CipherTalkException {
    List<RoomInfo> out = new ArrayList<>();
    for (io.ciphertalk.core.wire.RoomInfo r : expect(request(Frame.RoomList::new),
        Frame.RoomsReply.class).rooms()) {
      out.add(room(r));
    }
    return out;
  }

  @Override
  public void invite(String roomId, String userId) throws CipherTalkException {
    expect(request(id -> new Frame.RoomAdd(id, roomId, List.of(userId))), Frame.RoomReply.class);
  }

  @Override
  public void remove(String roomId, String userId) throws CipherTalkException {
    expect(request(id -> new Frame.RoomRemove(id, roomId, userId)), Frame.RoomReply.class);
  }

  @Override
  public void leave(String roomId) throws CipherTalkException {
    expect(request(id -> new Frame.RoomLeave(id, roomId)), Frame.Ok.class);
  }

  @Override
  public List<RoomInfo> pendingInvites() throws CipherTalkException {
    List<RoomInfo> out = new ArrayList<>();
    for (io.ciphertalk.core.wire.RoomInfo r : expect(request(Frame.InviteList::new),
        Frame.RoomsReply.class).rooms()) {
      out.add(room(r));
    }
    return out;
  }

  @Override
  public void acceptInvite(String roomId) throws CipherTalkException {
    expect(request(id -> new Frame.InviteAccept(id, roomId)), Frame.RoomReply.class);
  }

  @Override
  public void declineInvite(String roomId) throws CipherTalkException {
    expect(request(id -> new Frame.InviteDecline(id, roomId)), Frame.Ok.class);
  }

  @Override
  public void setRole(String roomId, String userId, Role role) throws CipherTalkException {
    expect(request(id -> new Frame.RoomSetRole(id, roomId, userId, role)), Frame.RoomReply.class);
  }

  @Override
  public RoomInfo renameRoom(String roomId, String name, String topic) throws CipherTalkException {
    return room(expect(request(id -> new Frame.RoomRename(id, roomId, name, topic)),
        Frame.RoomReply.class).room());
  }

  @Override
  public void addContact(String userId, String nickname) throws CipherTalkException {
    String n = nickname.isEmpty() ? null : nickname;
    expect(request(id -> new Frame.ContactAdd(id, userId, n)), Frame.Ok.class);
  }

  @Override
  public List<Contact> contacts() throws CipherTalkException {
    List<Contact> out = new ArrayList<>();
    for (ContactInfo c : expect(request(Frame.ContactList::new), Frame.ContactsReply.class)
        .contacts()) {
      out.add(new Contact(c.user(), c.nickname() == null ? "" : c.nickname(), c.blocked()));
    }
    return out;
  }

  @Override
  public void removeContact(String userId) throws CipherTalkException {
    expect(request(id -> new Frame.ContactRemove(id, userId)), Frame.Ok.class);
  }

  @Override
  public void block(String userId, boolean blocked) throws CipherTalkException {
    expect(request(id -> new Frame.ContactBlock(id, userId, blocked)), Frame.Ok.class);
  }

  @Override
  public Map<String, Presence> presence(Collection<String> userIds) throws CipherTalkException {
    List<String> users = List.copyOf(userIds);
    Map<String, Presence> out = new HashMap<>();
    for (PresenceInfo p : expect(request(id -> new Frame.PresenceGet(id, users)),
        Frame.PresenceReply.class).presences()) {
      out.put(p.user(), presence(p));
    }
    return out;
  }

  private static Presence presence(PresenceInfo p) {
    return new Presence(p.user(), p.status() == PresenceStatus.ONLINE,
        Optional.ofNullable(p.lastSeen()).map(Instant::ofEpochMilli));
  }
}
