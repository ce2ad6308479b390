package io.ciphertalk.server.internal.ws;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.PresenceStatus;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.ContactInfo;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.DeliveryKind;
import io.ciphertalk.core.wire.ErrorCode;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.MemberInfo;
import io.ciphertalk.core.wire.NoticeKind;
import io.ciphertalk.core.wire.OneTimePreKey;
import io.ciphertalk.core.wire.PreKeyBundle;
import io.ciphertalk.core.wire.PresenceInfo;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.core.wire.RoomChange;
import io.ciphertalk.core.wire.RoomInfo;
import io.ciphertalk.core.wire.SignedPreKey;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.core.wire.WireException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.AccountService;
import io.ciphertalk.server.internal.auth.LiveSessions;
import io.ciphertalk.server.internal.metrics.Metrics;
import io.ciphertalk.server.internal.routing.ChatService;
import io.ciphertalk.server.internal.routing.DeviceSession;
import io.ciphertalk.server.internal.routing.Outbound;
import io.ciphertalk.server.internal.routing.Router;
import io.ciphertalk.server.internal.store.Devices;
import io.ciphertalk.server.internal.store.Messages;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live protocol over one connection: the wire protocol of docs/protocol.md ("Wire"), decoded
 * strictly by {@link WireCodec}. Authentication ({@code hello}) comes first; every frame passes the
 * per-connection rate limit; anything that touches the database runs on bounded executors, never on
 * the network thread. Requests are answered with the request's id; refusals are {@code error}
 * frames with an {@link ErrorCode}. Thread-safe.
 */
public final class Protocol implements FrameHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Protocol.class);
  private static final int MAX_FLOOD_STRIKES = 200;

  private final WireCodec codec;
  private final AccountService accounts;
  private final LiveSessions live;
  private final io.ciphertalk.server.internal.routing.BundleFetchGuard bundleGuard;
  private final ChatService chat;
  private final Router router;
  private final ExecutorService requests;
  private final Metrics metrics;
  private final Clock clock;
  private final AtomicLong pushIds = new AtomicLong();
  final Set<Connection> unauthenticated = ConcurrentHashMap.newKeySet();

  public Protocol(
      AccountService accounts, LiveSessions live, io.ciphertalk.server.internal.routing.BundleFetchGuard bundleGuard,
      ChatService chat, Router router, ExecutorService requests, Metrics metrics, int maxFrameBytes, Clock clock) {
    this.accounts = accounts;
    this.live = live;
    this.bundleGuard = bundleGuard;
    this.chat = chat;
    this.router = router;
    this.requests = requests;
    this.metrics = metrics;
    this.clock = clock;
    this.codec = WireCodec.builder().maxFrameBytes(maxFrameBytes).build();
  }

  // ------------------------------------------------------------------ connection lifecycle

  @Override
  public void onOpen(Connection c) {
    unauthenticated.add(c);
  }

  @Override
  public void onClose(Connection c) {
    c.closed = true;
    unauthenticated.remove(c);
    Runnable unregister = c.unregisterLive;
    if (unregister != null) {
      unregister.run();
    }
    DeviceSession s = c.session;
    if (s != null) {
      router.detach(s);
    }
  }

  /** Closes connections that did not authenticate within {@code timeoutNanos}. */
  public void closeUnauthenticated(long timeoutNanos) {
    long now = System.nanoTime();
    for (Connection c : unauthenticated) {
      if (!c.authenticated() && now - c.openedAtNanos > timeoutNanos) {
        unauthenticated.remove(c);
        c.channel.close(CloseCodes.AUTH_TIMEOUT, "authentication timeout");
      }
    }
  }

  @Override
  public void onText(Connection c, String text) {
    if (c.closed) {
      return;
    }
    int strikes = c.admit();
    if (strikes > 0) {
      metrics.rateLimited();
      if (strikes == 1) {
        send(c, new Frame.Notice(pushId(), NoticeKind.RATE_LIMITED, "too many frames; slow down", null, 1000L));
      }
      if (strikes > MAX_FLOOD_STRIKES) {
        c.channel.close(CloseCodes.RATE_LIMITED, "rate limit exceeded");
      }
      return;
    }
    Frame frame;
    try {
      frame = codec.decode(text);
    } catch (WireException e) {
      metrics.frameRejected();
      send(c, e.toReply());
      return;
    }
    if (!(frame instanceof Frame.Request req)) {
      metrics.frameRejected();
      send(c, error(frame.id(), ErrorCode.UNEXPECTED_FRAME, "clients send requests only"));
      return;
    }
    try {
      if (!c.authenticated()) {
        if (!(req instanceof Frame.Hello hello)) {
          metrics.frameRejected();
          send(c, error(req.id(), ErrorCode.UNAUTHENTICATED, "send hello with a token first"));
          return;
        }
        hello(c, hello);
        return;
      }
      dispatch(c, c.session, req);
    } catch (ServiceException e) {
      metrics.frameRejected();
      send(c, errorOf(req.id(), e));
    } catch (RuntimeException e) {
      LOG.warn("frame handling failed: {}", e.toString());
      send(c, error(req.id(), ErrorCode.INTERNAL, "internal error"));
    }
  }

  // ------------------------------------------------------------------ authentication

  private void hello(Connection c, Frame.Hello hello) {
    if (c.authStarted) {
      throw new ServiceException("conflict", 409, "hello already in progress");
    }
    c.authStarted = true;
    String id = hello.id();
    async(c, id, () -> {
      String user;
      try {
        user = accounts.authenticate(hello.token());
      } catch (ServiceException e) {
        send(c, error(id, ErrorCode.AUTH_FAILED, e.getMessage()));
        c.channel.close(CloseCodes.AUTH_FAILED, "authentication failed");
        return null;
      }
      if (chat.isRevoked(user, hello.device())) {
        send(c, error(id, ErrorCode.FORBIDDEN, "device " + hello.device() + " was revoked"));
        c.channel.close(CloseCodes.DEVICE_REVOKED, "device revoked");
        return null;
      }
      DeviceSession s;
      try {
        s = router.attach(user, hello.device(), new WireOutbound(c));
      } catch (ServiceException e) {
        send(c, errorOf(id, e));
        c.channel.close(CloseCodes.TOO_MANY_CONNECTIONS, e.getMessage());
        return null;
      }
      c.session = s;
      unauthenticated.remove(c);
      // Revocation ends registered connections; checking the token again after registering closes
      // the window where a logout lands between the first check and the registration.
      String tokenHash = AccountService.tokenHash(hello.token());
      c.unregisterLive = live.register(user, tokenHash, reason -> c.channel.close(CloseCodes.AUTH_FAILED, reason));
      if (!accounts.stillValid(tokenHash)) {
        send(c, error(id, ErrorCode.AUTH_FAILED, "invalid, expired or revoked token"));
        c.channel.close(CloseCodes.AUTH_FAILED, "authentication failed");
        return null;
      }
      if (c.closed) {
        c.unregisterLive.run();
        router.detach(s);
        return null;
      }
      if (c.joinRoom != null) {
        // The per-room endpoint /ws/chat/{room}/ is for members of that room only.
        try {
          chat.getRoom(user, c.joinRoom);
        } catch (ServiceException e) {
          send(c, errorOf(id, e));
          c.channel.close(CloseCodes.POLICY, "not a member of " + c.joinRoom);
          return null;
        }
      }
      send(c, new Frame.Welcome(id, new DeviceAddress(user, hello.device()), clock.millis()));
      router.activate(s);
      return null;
    });
  }

  // ------------------------------------------------------------------ dispatch

  private void dispatch(Connection c, DeviceSession s, Frame.Request req) {
    String user = s.userId();
    String id = req.id();
    if (req instanceof Frame.Hello) {
      throw new ServiceException("conflict", 409, "already authenticated");
    }
    if (req instanceof Frame.Send f) {
        List<Router.DirectTarget> targets = targets(f.recipients());
        reply(c, id, router.sendDirect(user, s.deviceId(), f.messageId().toString(), f.room(), "direct", targets,
            f.expiresAt()));
      return;
    }
    if (req instanceof Frame.SenderKeyDistribute f) {
        List<Router.DirectTarget> targets = targets(f.recipients());
        reply(c, id, router.sendDirect(user, s.deviceId(), f.messageId().toString(), f.room(), "sender_key",
            targets, null));
      return;
    }
    if (req instanceof Frame.SendGroup f) {
      reply(c, id, router.sendRoom(user, s.deviceId(), f.messageId().toString(), f.room(),
          f.ciphertext().toByteArray(), f.expiresAt()));
      return;
    }
    if (req instanceof Frame.Ack f) {
        String room = Delivery.roomOfStream(f.stream());
        CompletableFuture<?> r = room == null ? router.ackDirect(s, f.seq()) : router.ackRoom(s, room, f.seq());
        r.whenComplete((res, err) -> send(c, err != null ? errorOf(id, err) : new Frame.Ok(id)));
      return;
    }
    if (req instanceof Frame.HistoryFetch f) {
      async(c, id, () -> {
        String room = Delivery.roomOfStream(f.stream());
        List<Delivery> out = new ArrayList<>();
        boolean more;
        if (room == null) {
          List<Messages.DirectRow> rows = chat.directAfter(user, s.deviceId(), f.after(), f.limit() + 1);
          more = rows.size() > f.limit();
          rows.stream().limit(f.limit()).forEach(r -> out.add(delivery(r)));
        } else {
          List<Messages.RoomRow> rows = chat.history(user, room, f.after(), f.limit() + 1);
          more = rows.size() > f.limit();
          rows.stream().limit(f.limit()).forEach(r -> out.add(delivery(r)));
        }
        return new Frame.HistoryReply(id, f.stream(), out, more);
      });
      return;
    }
    if (req instanceof Frame.Receipt f) {
      async(c, id, () -> {
        router.receipt(s, f.room(), f.status().name(), f.messageIds().stream().map(MessageId::toString).toList());
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.Typing f) {
      async(c, id, () -> {
        router.typing(s, f.room(), f.typing());
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.PresenceGet f) {
      async(c, id, () -> new Frame.PresenceReply(id,
          router.presence(user, f.users()).stream().map(Protocol::presence).toList()));
      return;
    }
    if (req instanceof Frame.PreKeysPublish f) {
      async(c, id, () -> {
        List<Devices.OneTimePrekey> otps = f.oneTimePreKeys().stream()
            .map(k -> new Devices.OneTimePrekey(k.keyId(), k.publicKey().toByteArray())).toList();
        List<Devices.OneTimeKemPrekey> kems = f.oneTimeKemPreKeys().stream()
            .map(k -> new Devices.OneTimeKemPrekey(k.keyId(), k.publicKey().toByteArray(),
                k.signature().toByteArray())).toList();
        int left = chat.publishKeys(user, s.deviceId(), f.identityKey().toByteArray(), encode(f.signedPreKey()),
            encode(f.kemPreKey()), encode(f.rsaPreKey()),
            f.certificate() == null ? null : f.certificate().toByteArray(), otps, kems);
        if (left < chat.prekeyLowThreshold()) {
          router.prekeysLow(user, s.deviceId(), left);
        }
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.DeviceRevoke f) {
      async(c, id, () -> {
        int revoked = chat.revokeDevice(user, f.revocation().toByteArray(), s);
        if (revoked == s.deviceId()) {
          send(c, new Frame.Ok(id));
          c.channel.close(CloseCodes.DEVICE_REVOKED, "this device was revoked");
          return null;
        }
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.LinkSend f) {
      if (f.device() == s.deviceId()) {
        send(c, Frame.ErrorReply.of(id, ErrorCode.INVALID_FIELD, "device: cannot link to itself"));
        return;
      }
      boolean relayed = router.linkEnvelope(user, s.deviceId(), f.device(), f.envelope().toByteArray());
      send(c, relayed ? new Frame.Ok(id)
          : Frame.ErrorReply.of(id, ErrorCode.NOT_FOUND, "device " + f.device() + " is not connected"));
      return;
    }
    if (req instanceof Frame.BundleFetch f) {
      async(c, id, () -> {
        List<PreKeyBundle> bundles = new ArrayList<>();
        for (ChatService.Bundle b : chat.fetchBundles(user, f.user(), f.device(), bundleGuard,
            f.consumesOneTimePreKeys())) {
          Devices.Device d = b.device();
          OneTimePreKey otp = b.oneTimePrekey() == null ? null
              : new OneTimePreKey((int) b.oneTimePrekey().keyId(), Bytes.of(b.oneTimePrekey().publicKey()));
          SignedPreKey kem = b.oneTimeKemPrekey() == null ? null
              : new SignedPreKey((int) b.oneTimeKemPrekey().keyId(), Bytes.of(b.oneTimeKemPrekey().publicKey()),
                  Bytes.of(b.oneTimeKemPrekey().signature()));
          bundles.add(new PreKeyBundle(new DeviceAddress(d.userId(), d.deviceId()), Bytes.of(d.identityKey()),
              decode(d.signedPrekey()), otp, decode(d.kemPrekey()), decode(d.rsaPrekey()),
              d.certificate() == null ? null : Bytes.of(d.certificate()), kem));
        }
        return new Frame.BundlesReply(id, f.user(), bundles,
            chat.revocations(f.user()).stream().map(Bytes::of).toList());
      });
      return;
    }
    if (req instanceof Frame.RoomCreate f) {
      async(c, id, () -> new Frame.RoomReply(id, info(chat.createRoom(user, null,
          f.kind().name().toLowerCase(Locale.ROOT), f.name(), f.description(), f.members(), f.maxMembers()))));
      return;
    }
    if (req instanceof Frame.RoomGet f) {
      async(c, id, () -> new Frame.RoomReply(id, info(chat.getRoom(user, f.room()))));
      return;
    }
    if (req instanceof Frame.RoomList f) {
      async(c, id, () -> new Frame.RoomsReply(id,
          chat.listRooms(user).stream().map(Protocol::info).toList()));
      return;
    }
    if (req instanceof Frame.RoomAdd f) {
      async(c, id, () -> new Frame.RoomReply(id, info(chat.invite(user, f.room(), f.users()))));
      return;
    }
    if (req instanceof Frame.RoomRemove f) {
      async(c, id, () -> new Frame.RoomReply(id,
          info(chat.remove(user, f.room(), f.user()))));
      return;
    }
    if (req instanceof Frame.RoomLeave f) {
      async(c, id, () -> {
        chat.leave(user, f.room());
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.RoomSetRole f) {
      async(c, id, () -> new Frame.RoomReply(id,
          info(chat.setRole(user, f.room(), f.user(), f.role().name().toLowerCase(Locale.ROOT)))));
      return;
    }
    if (req instanceof Frame.RoomRename f) {
      async(c, id, () -> new Frame.RoomReply(id,
          info(chat.rename(user, f.room(), f.name(), f.description()))));
      return;
    }
    if (req instanceof Frame.InviteList) {
      async(c, id, () -> new Frame.RoomsReply(id, chat.pendingInvites(user).stream().map(Protocol::info).toList()));
      return;
    }
    if (req instanceof Frame.InviteAccept f) {
      async(c, id, () -> new Frame.RoomReply(id, info(chat.acceptInvite(user, f.room()))));
      return;
    }
    if (req instanceof Frame.InviteDecline f) {
      async(c, id, () -> {
        chat.declineInvite(user, f.room());
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.ContactAdd f) {
      async(c, id, () -> {
        chat.addContact(user, f.user(), f.nickname());
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.ContactRemove f) {
      async(c, id, () -> {
        chat.removeContact(user, f.user());
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.ContactBlock f) {
      async(c, id, () -> {
        chat.block(user, f.user(), f.blocked());
        return new Frame.Ok(id);
      });
      return;
    }
    if (req instanceof Frame.ContactList f) {
      async(c, id, () -> new Frame.ContactsReply(id, chat.contacts(user).stream()
          .map(ct -> new ContactInfo(ct.contactId(), ct.nickname().isEmpty() ? null : ct.nickname(), ct.blocked()))
          .toList()));
      return;
    }
    throw new ServiceException("bad_request", 400, "unsupported request");
  }

  private static List<Router.DirectTarget> targets(List<Recipient> recipients) {
    List<Router.DirectTarget> targets = new ArrayList<>(recipients.size());
    for (Recipient r : recipients) {
      targets.add(new Router.DirectTarget(r.to().userId(), r.to().deviceId(), r.ciphertext().toByteArray()));
    }
    return targets;
  }

  private void reply(Connection c, String id, CompletableFuture<Router.SendResult> result) {
    result.whenComplete((res, err) -> send(c, err != null ? errorOf(id, err)
        : new Frame.Sent(id, MessageId.parse(res.messageId()), res.sentAt(), res.duplicate())));
  }

  private void async(Connection c, String id, Supplier<Frame> work) {
    try {
      requests.execute(() -> {
        try {
          Frame reply = work.get();
          if (reply != null) {
            send(c, reply);
          }
        } catch (RuntimeException e) {
          send(c, errorOf(id, e));
        }
      });
    } catch (RejectedExecutionException e) {
      send(c, error(id, ErrorCode.RATE_LIMITED, "server busy; retry later", 1000L));
    }
  }

  // ------------------------------------------------------------------ outbound

  /** The last group delivery encoded, by row identity (the fan-out thread delivers one row to many devices). */
  private record EncodedRoomFrame(Messages.RoomRow row, EncodedText frame) {}

  private volatile EncodedRoomFrame lastRoomFrame;

  private final class WireOutbound implements Outbound {
    private final Connection c;

    WireOutbound(Connection c) {
      this.c = c;
    }

    @Override
    public void deliverDirect(Messages.DirectRow r) {
      Delivery d;
      try {
        d = delivery(r);
      } catch (IllegalArgumentException e) {
        // A stored row the wire cannot express (should not happen): skip it rather than stall the stream.
        LOG.warn("skipping undeliverable queued envelope {}: {}", r.id(), e.getMessage());
        return;
      }
      send(c, new Frame.Deliver(pushId(), d));
    }

    @Override
    public void deliverRoom(Messages.RoomRow r) {
      // The live fan-out hands the same row to every member device in turn: encode it once (the
      // frame holds nothing recipient-specific; the push id is shared by those copies) and reuse it.
      EncodedRoomFrame e = lastRoomFrame;
      if (e == null || e.row() != r) {
        Delivery d;
        try {
          d = delivery(r);
        } catch (IllegalArgumentException ex) {
          LOG.warn("skipping undeliverable timeline entry {}#{}: {}", r.roomId(), r.seq(), ex.getMessage());
          return;
        }
        e = new EncodedRoomFrame(r, new EncodedText(codec.encodeToString(new Frame.Deliver(pushId(), d))));
        lastRoomFrame = e;
      }
      c.channel.sendEncoded(e.frame());
    }

    @Override
    public void presence(String userId, boolean online, long lastSeen) {
      send(c, new Frame.PresenceEvent(pushId(),
          new PresenceInfo(userId, online ? PresenceStatus.ONLINE : PresenceStatus.OFFLINE, lastSeen)));
    }

    @Override
    public void typing(String roomId, String userId, int deviceId, boolean typing) {
      send(c, new Frame.TypingEvent(pushId(), roomId, new DeviceAddress(userId, deviceId), typing));
    }

    @Override
    public void receipt(String roomId, String fromUser, int fromDevice, String status, List<String> ids, long at) {
      send(c, new Frame.ReceiptEvent(pushId(), roomId, new DeviceAddress(fromUser, fromDevice),
          io.ciphertalk.core.model.ReceiptStatus.valueOf(status), ids.stream().map(MessageId::parse).toList(), at));
    }

    @Override
    public void prekeysLow(int remaining) {
      send(c, new Frame.Notice(pushId(), NoticeKind.PREKEYS_LOW, "one-time prekeys are running low", remaining, null));
    }

    @Override
    public void devicesChanged(String user) {
      send(c, new Frame.Notice(pushId(), NoticeKind.DEVICES_CHANGED, user, null, null));
    }

    @Override
    public void linkEnvelope(String fromUser, int fromDevice, byte[] envelope) {
      send(c, new Frame.LinkDeliver(pushId(), new DeviceAddress(fromUser, fromDevice), Bytes.of(envelope)));
    }

    @Override
    public void sessionReplaced() {
      send(c, new Frame.Notice(pushId(), NoticeKind.SESSION_REPLACED, "this device connected again elsewhere", null,
          null));
    }

    @Override
    public void roomEvent(ChatService.RoomView room, String change, String actor, List<String> users) {
      send(c, new Frame.RoomEvent(pushId(), RoomChange.valueOf(change), actor, users, info(room)));
    }

    @Override
    public long bufferedBytes() {
      return c.channel.bufferedBytes();
    }

    @Override
    public void close(int code, String reason) {
      c.channel.close(code, reason);
    }
  }

  private String pushId() {
    return "s:" + pushIds.incrementAndGet();
  }

  static Delivery delivery(Messages.DirectRow r) {
    DeliveryKind kind = "sender_key".equals(r.kind()) ? DeliveryKind.SENDER_KEY : DeliveryKind.DIRECT;
    return new Delivery(Delivery.DEVICE_STREAM, r.id(), kind, MessageId.parse(r.messageId()), r.roomId(),
        new DeviceAddress(r.senderUser(), r.senderDevice()), r.sentAt(), r.expiresAt(), Bytes.of(r.payload()));
  }

  static Delivery delivery(Messages.RoomRow r) {
    return new Delivery(Delivery.roomStream(r.roomId()), r.seq(), DeliveryKind.GROUP, MessageId.parse(r.messageId()),
        r.roomId(), new DeviceAddress(r.senderUser(), r.senderDevice()), r.sentAt(), r.expiresAt(),
        Bytes.of(r.payload()));
  }

  static RoomInfo info(ChatService.RoomView v) {
    List<MemberInfo> members = v.members().stream()
        .map(m -> new MemberInfo(m.userId(), Role.valueOf(m.role().toUpperCase(Locale.ROOT)))).toList();
    return new RoomInfo(v.room().roomId(), RoomKind.valueOf(v.room().kind().toUpperCase(Locale.ROOT)),
        v.room().name(), v.room().description().isEmpty() ? null : v.room().description(), members,
        v.room().maxMembers(), v.room().createdAt());
  }

  private static PresenceInfo presence(Router.Presence p) {
    return new PresenceInfo(p.userId(), p.online() ? PresenceStatus.ONLINE : PresenceStatus.OFFLINE,
        p.lastSeenMillis() == 0 ? null : p.lastSeenMillis());
  }

  /** Signed prekeys are stored as: key id (4 bytes), public key length (4), public key, signature. */
  static byte[] encode(SignedPreKey k) {
    if (k == null) {
      return null;
    }
    byte[] pub = k.publicKey().toByteArray();
    byte[] sig = k.signature().toByteArray();
    return ByteBuffer.allocate(8 + pub.length + sig.length).putInt(k.keyId()).putInt(pub.length).put(pub).put(sig)
        .array();
  }

  static SignedPreKey decode(byte[] stored) {
    if (stored == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(stored);
    int keyId = b.getInt();
    byte[] pub = new byte[b.getInt()];
    b.get(pub);
    byte[] sig = new byte[b.remaining()];
    b.get(sig);
    return new SignedPreKey(keyId, Bytes.of(pub), Bytes.of(sig));
  }

  // ------------------------------------------------------------------ errors and sending

  private static Frame.ErrorReply error(String id, ErrorCode code, String message) {
    return error(id, code, message, null);
  }

  private static Frame.ErrorReply error(String id, ErrorCode code, String message, Long retryAfterMs) {
    String m = message.length() > 512 ? message.substring(0, 512) : message;
    return new Frame.ErrorReply(id, code, m, retryAfterMs, List.of(), List.of());
  }

  /** Maps server refusals to wire error codes (see docs/server-guide.md). */
  static ErrorCode code(String serviceCode) {
    return switch (serviceCode) {
      case "unauthorized" -> ErrorCode.AUTH_FAILED;
      case "unauthenticated" -> ErrorCode.UNAUTHENTICATED;
      case "not_member", "forbidden", "too_many_connections" -> ErrorCode.FORBIDDEN;
      case "blocked" -> ErrorCode.BLOCKED;
      case "not_found" -> ErrorCode.NOT_FOUND;
      case "username_taken", "room_exists", "already_member", "conflict", "totp_not_pending" -> ErrorCode.CONFLICT;
      case "room_full" -> ErrorCode.ROOM_FULL;
      case "stale_devices" -> ErrorCode.STALE_DEVICES;
      case "rate_limited", "server_busy" -> ErrorCode.RATE_LIMITED;
      case "server_error" -> ErrorCode.INTERNAL;
      case "field_too_large" -> ErrorCode.FIELD_TOO_LARGE;
      case "missing_field" -> ErrorCode.MISSING_FIELD;
      default -> ErrorCode.INVALID_FIELD;
    };
  }

  private Frame.ErrorReply errorOf(String id, Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof ServiceException se) {
      Long retry = se.code().equals("server_busy") ? Long.valueOf(1000L)
          : se.retryAfterMillis() > 0 ? Long.valueOf(se.retryAfterMillis()) : null;
      String msg = se.getMessage().length() > 512 ? se.getMessage().substring(0, 512) : se.getMessage();
      return new Frame.ErrorReply(id, code(se.code()), msg, retry,
          se.missingDevices().stream().map(Protocol::address).toList(),
          se.extraDevices().stream().map(Protocol::address).toList());
    }
    if (e instanceof IllegalArgumentException iae) {
      // A value that passed the codec but not the server's own rules (e.g. an invalid id format).
      return error(id, ErrorCode.INVALID_FIELD, String.valueOf(iae.getMessage()));
    }
    LOG.warn("request failed: {}", e.toString());
    return error(id, ErrorCode.INTERNAL, "internal error");
  }

  private static DeviceAddress address(String userDotDevice) {
    int dot = userDotDevice.lastIndexOf('.');
    return new DeviceAddress(userDotDevice.substring(0, dot), Integer.parseInt(userDotDevice.substring(dot + 1)));
  }

  private void send(Connection c, Frame frame) {
    c.channel.sendText(codec.encodeToString(frame));
  }
}
