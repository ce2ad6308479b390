package io.ciphertalk.server.internal.ws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.AccountService;
import io.ciphertalk.server.internal.metrics.Metrics;
import io.ciphertalk.server.internal.routing.ChatService;
import io.ciphertalk.server.internal.routing.DeviceSession;
import io.ciphertalk.server.internal.routing.Outbound;
import io.ciphertalk.server.internal.routing.Router;
import io.ciphertalk.server.internal.store.Devices;
import io.ciphertalk.server.internal.store.Messages;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live protocol over a connection (JSON text frames, documented in docs/server-guide.md):
 * decodes each frame strictly, enforces authentication first and the per-connection rate limit,
 * and hands every piece of work that touches the database to bounded executors, never blocking the
 * network thread. Replies carry the request's {@code id}; errors carry a stable {@code code}.
 * Thread-safe.
 */
public final class Protocol implements FrameHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Protocol.class);
  public static final int VERSION = 1;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final int MAX_FLOOD_STRIKES = 200;
  private static final java.util.regex.Pattern MESSAGE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9-]{8,36}");

  private final ObjectMapper json;
  private final AccountService accounts;
  private final ChatService chat;
  private final Router router;
  private final ExecutorService requests;
  private final Metrics metrics;
  private final int maxFrameBytes;
  private final int maxCiphertext;
  final Set<Connection> unauthenticated = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public Protocol(
      AccountService accounts, ChatService chat, Router router, ExecutorService requests, Metrics metrics,
      int maxFrameBytes, int maxCiphertext) {
    this.accounts = accounts;
    this.chat = chat;
    this.router = router;
    this.requests = requests;
    this.metrics = metrics;
    this.maxFrameBytes = maxFrameBytes;
    this.maxCiphertext = maxCiphertext;
    this.json = new ObjectMapper(JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(maxFrameBytes)
            .maxNumberLength(20).build())
        .build());
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
        send(c, error(null, "rate_limited", "too many frames; slow down"));
      }
      if (strikes > MAX_FLOOD_STRIKES) {
        c.channel.close(CloseCodes.RATE_LIMITED, "rate limit exceeded");
      }
      return;
    }
    JsonNode f;
    try {
      if (text.length() > maxFrameBytes) {
        throw new ServiceException("frame_too_large", 413, "frame exceeds " + maxFrameBytes + " bytes");
      }
      f = json.readTree(text);
      if (f == null || !f.isObject()) {
        throw new ServiceException("malformed_frame", 400, "frame must be a JSON object");
      }
      JsonNode v = f.get("v");
      if (v != null && (!v.canConvertToInt() || v.asInt() != VERSION)) {
        throw new ServiceException("unsupported_version", 400, "protocol version " + VERSION + " required");
      }
    } catch (ServiceException e) {
      metrics.frameRejected();
      send(c, error(null, e.code(), e.getMessage()));
      return;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      metrics.frameRejected();
      send(c, error(null, "malformed_frame", "frame is not valid JSON"));
      return;
    }
    String id = f.path("id").isTextual() || f.path("id").isNumber() ? f.path("id").asText() : null;
    String type = f.path("type").asText("");
    try {
      if (!c.authenticated()) {
        if (!type.equals("hello")) {
          metrics.frameRejected();
          send(c, error(id, "unauthenticated", "send hello with a token first"));
          return;
        }
        hello(c, id, f);
        return;
      }
      dispatch(c, c.session, id, type, f);
    } catch (ServiceException e) {
      metrics.frameRejected();
      send(c, error(id, e.code(), e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn("frame handling failed", e);
      send(c, error(id, "server_error", "internal error"));
    }
  }

  // ------------------------------------------------------------------ authentication

  private void hello(Connection c, String id, JsonNode f) {
    if (c.authStarted) {
      throw new ServiceException("bad_request", 400, "hello already in progress");
    }
    String token = text(f, "token", true);
    int device = f.path("device").asInt(1);
    if (device < 1 || !f.path("device").isMissingNode() && !f.path("device").canConvertToInt()) {
      throw ServiceException.badRequest("device must be a positive integer");
    }
    c.authStarted = true;
    async(c, id, () -> {
      String user;
      try {
        user = accounts.authenticate(token);
      } catch (ServiceException e) {
        send(c, error(id, e.code(), e.getMessage()));
        c.channel.close(CloseCodes.AUTH_FAILED, "authentication failed");
        return null;
      }
      DeviceSession s;
      try {
        s = router.attach(user, device, new SocketOutbound(c));
      } catch (ServiceException e) {
        send(c, error(id, e.code(), e.getMessage()));
        c.channel.close(CloseCodes.TOO_MANY_CONNECTIONS, e.getMessage());
        return null;
      }
      c.session = s;
      unauthenticated.remove(c);
      if (c.closed) {
        router.detach(s);
        return null;
      }
      ObjectNode ok = ok(id).put("user", user).put("device", device);
      if (c.joinRoom != null) {
        ok.put("room", c.joinRoom);
        try {
          chat.getRoom(user, c.joinRoom);
        } catch (ServiceException e) {
          ok.put("roomError", e.code());
        }
      }
      send(c, ok);
      return null;
    });
  }

  // ------------------------------------------------------------------ dispatch

  private void dispatch(Connection c, DeviceSession s, String id, String type, JsonNode f) {
    String user = s.userId();
    switch (type) {
      case "hello" -> throw ServiceException.badRequest("already authenticated");
      case "ping" -> send(c, ok(id).put("pong", true));
      case "send" -> {
        String messageId = messageId(f);
        Long expiresAt = f.hasNonNull("expiresAt") ? longField(f, "expiresAt") : null;
        String room = roomOrJoined(c, f, false);
        CompletableFuture<Router.SendResult> r;
        if (f.has("envelopes")) {
          JsonNode env = f.get("envelopes");
          if (!env.isArray() || env.isEmpty() || env.size() > 1000) {
            throw ServiceException.badRequest("envelopes must be a non-empty array (at most 1000)");
          }
          List<Router.DirectTarget> targets = new ArrayList<>();
          for (JsonNode e : env) {
            int dev = e.path("device").asInt(0);
            if (dev < 1) {
              throw ServiceException.badRequest("envelope device must be positive");
            }
            targets.add(new Router.DirectTarget(text(e, "user", true), dev, bytes(e, "ciphertext")));
          }
          String kind = f.hasNonNull("kind") ? text(f, "kind", true) : "direct";
          if (!kind.matches("[a-z_]{1,16}")) {
            throw ServiceException.badRequest("kind must be 1-16 characters of a-z and _");
          }
          r = router.sendDirect(user, s.deviceId(), messageId, room, kind, targets, expiresAt);
        } else {
          if (room == null) {
            throw ServiceException.badRequest("room or envelopes is required");
          }
          r = router.sendRoom(user, s.deviceId(), messageId, room, bytes(f, "ciphertext"), expiresAt);
        }
        r.whenComplete((res, err) -> {
          if (err != null) {
            send(c, errorOf(id, err));
          } else {
            ObjectNode ok = ok(id).put("messageId", res.messageId()).put("duplicate", res.duplicate());
            if (res.seq() != null) {
              ok.put("room", res.roomId()).put("seq", res.seq());
            }
            send(c, ok);
          }
        });
      }
      case "ack" -> {
        CompletableFuture<?> r;
        if (f.hasNonNull("seq")) {
          r = router.ackRoom(s, roomOrJoined(c, f, true), longField(f, "seq"));
        } else {
          r = router.ackDirect(s, messageId(f));
        }
        if (id != null) {
          r.whenComplete((res, err) -> send(c, err != null ? errorOf(id, err) : ok(id)));
        }
      }
      case "typing" -> {
        String room = roomOrJoined(c, f, true);
        boolean on = f.path("typing").asBoolean(true);
        async(c, id, () -> {
          router.typing(s, room, on);
          return id == null ? null : ok(id);
        });
      }
      case "presence" -> {
        List<String> users = strings(f, "users", 200);
        async(c, id, () -> {
          ObjectNode ok = ok(id);
          ArrayNode list = ok.putArray("presence");
          for (Router.Presence p : router.presence(user, users)) {
            list.addObject().put("user", p.userId()).put("online", p.online()).put("lastSeen", p.lastSeenMillis());
          }
          return ok;
        });
      }
      case "history" -> {
        String room = roomOrJoined(c, f, true);
        long after = f.hasNonNull("after") ? longField(f, "after") : 0;
        int limit = (int) Math.min(500, Math.max(1, f.path("limit").asInt(100)));
        async(c, id, () -> {
          ObjectNode ok = ok(id).put("room", room);
          ArrayNode list = ok.putArray("messages");
          for (Messages.RoomRow r : chat.history(user, room, after, limit)) {
            list.add(roomMessage(r));
          }
          return ok;
        });
      }
      case "publish_keys" -> {
        byte[] identity = f.hasNonNull("identityKey") ? bytes(f, "identityKey") : null;
        byte[] signed = f.hasNonNull("signedPrekey") ? bytes(f, "signedPrekey") : null;
        byte[] kem = f.hasNonNull("kemPrekey") ? bytes(f, "kemPrekey") : null;
        byte[] rsa = f.hasNonNull("rsaPrekey") ? bytes(f, "rsaPrekey") : null;
        List<Devices.OneTimePrekey> otps = new ArrayList<>();
        JsonNode arr = f.path("oneTimePrekeys");
        if (!arr.isMissingNode()) {
          if (!arr.isArray() || arr.size() > 500) {
            throw ServiceException.badRequest("oneTimePrekeys must be an array of at most 500");
          }
          for (JsonNode k : arr) {
            otps.add(new Devices.OneTimePrekey(longField(k, "id"), bytes(k, "key")));
          }
        }
        async(c, id, () -> ok(id).put("oneTimePrekeys",
            chat.publishKeys(user, s.deviceId(), identity, signed, kem, rsa, otps)));
      }
      case "fetch_bundle" -> {
        String target = text(f, "user", true);
        Integer dev = f.hasNonNull("device") ? f.get("device").asInt() : null;
        async(c, id, () -> {
          ObjectNode ok = ok(id).put("user", target);
          ArrayNode list = ok.putArray("devices");
          for (ChatService.Bundle b : chat.fetchBundles(user, target, dev)) {
            ObjectNode d = list.addObject().put("device", b.device().deviceId())
                .put("identityKey", b64(b.device().identityKey())).put("signedPrekey", b64(b.device().signedPrekey()));
            if (b.device().kemPrekey() != null) {
              d.put("kemPrekey", b64(b.device().kemPrekey()));
            }
            if (b.device().rsaPrekey() != null) {
              d.put("rsaPrekey", b64(b.device().rsaPrekey()));
            }
            if (b.oneTimePrekey() != null) {
              d.putObject("oneTimePrekey").put("id", b.oneTimePrekey().keyId())
                  .put("key", b64(b.oneTimePrekey().publicKey()));
            }
          }
          return ok;
        });
      }
      case "room_create" -> {
        List<String> members = f.has("members") ? strings(f, "members", 1000) : List.of();
        String rid = text(f, "room", false);
        String kind = text(f, "kind", false);
        String name = text(f, "name", false);
        String desc = text(f, "description", false);
        Integer max = f.hasNonNull("maxMembers") ? f.get("maxMembers").asInt() : null;
        async(c, id, () -> room(ok(id), chat.createRoom(user, rid, kind, name, desc, members, max)));
      }
      case "room_get" -> {
        String room = roomOrJoined(c, f, true);
        async(c, id, () -> room(ok(id), chat.getRoom(user, room)));
      }
      case "room_list" -> async(c, id, () -> {
        ObjectNode ok = ok(id);
        ArrayNode list = ok.putArray("rooms");
        chat.listRooms(user).forEach(v -> room(list.addObject(), v));
        return ok;
      });
      case "room_invite" -> {
        String room = roomOrJoined(c, f, true);
        String who = text(f, "user", true);
        async(c, id, () -> room(ok(id), chat.invite(user, room, who)));
      }
      case "room_remove" -> {
        String room = roomOrJoined(c, f, true);
        String who = text(f, "user", true);
        async(c, id, () -> room(ok(id), chat.remove(user, room, who)));
      }
      case "room_leave" -> {
        String room = roomOrJoined(c, f, true);
        async(c, id, () -> {
          chat.leave(user, room);
          return ok(id);
        });
      }
      case "room_role" -> {
        String room = roomOrJoined(c, f, true);
        String who = text(f, "user", true);
        String role = text(f, "role", true);
        async(c, id, () -> room(ok(id), chat.setRole(user, room, who, role)));
      }
      case "room_rename" -> {
        String room = roomOrJoined(c, f, true);
        String name = text(f, "name", false);
        String desc = text(f, "description", false);
        async(c, id, () -> room(ok(id), chat.rename(user, room, name, desc)));
      }
      case "contact_add" -> {
        String who = text(f, "user", true);
        String nick = text(f, "nickname", false);
        async(c, id, () -> {
          chat.addContact(user, who, nick);
          return ok(id);
        });
      }
      case "contact_remove" -> {
        String who = text(f, "user", true);
        async(c, id, () -> ok(id).put("removed", chat.removeContact(user, who)));
      }
      case "contact_block" -> {
        String who = text(f, "user", true);
        boolean blocked = f.path("blocked").asBoolean(true);
        async(c, id, () -> {
          chat.block(user, who, blocked);
          return ok(id);
        });
      }
      case "contact_list" -> async(c, id, () -> {
        ObjectNode ok = ok(id);
        ArrayNode list = ok.putArray("contacts");
        chat.contacts(user).forEach(ct -> list.addObject().put("user", ct.contactId()).put("nickname", ct.nickname())
            .put("blocked", ct.blocked()));
        return ok;
      });
      default -> throw new ServiceException("unknown_type", 400, "unknown frame type");
    }
  }

  private void async(Connection c, String id, Supplier<ObjectNode> work) {
    try {
      requests.execute(() -> {
        try {
          ObjectNode reply = work.get();
          if (reply != null) {
            send(c, reply);
          }
        } catch (RuntimeException e) {
          send(c, errorOf(id, e));
        }
      });
    } catch (RejectedExecutionException e) {
      send(c, error(id, "server_busy", "server busy; retry later"));
    }
  }

  // ------------------------------------------------------------------ outbound frames

  private final class SocketOutbound implements Outbound {
    private final Connection c;

    SocketOutbound(Connection c) {
      this.c = c;
    }

    @Override
    public void deliverDirect(Messages.DirectRow r) {
      ObjectNode n = frame("deliver").put("messageId", r.messageId()).put("sender", r.senderUser())
          .put("senderDevice", r.senderDevice()).put("kind", r.kind()).put("sentAt", r.sentAt())
          .put("ciphertext", b64(r.payload()));
      if (r.roomId() != null) {
        n.put("room", r.roomId());
      }
      if (r.expiresAt() != null) {
        n.put("expiresAt", r.expiresAt());
      }
      send(c, n);
    }

    @Override
    public void deliverRoom(Messages.RoomRow r) {
      ObjectNode n = roomMessage(r);
      n.put("v", VERSION).put("type", "deliver");
      send(c, n);
    }

    @Override
    public void presence(String userId, boolean online, long lastSeen) {
      send(c, frame("presence").put("user", userId).put("online", online).put("lastSeen", lastSeen));
    }

    @Override
    public void typing(String roomId, String userId, int deviceId, boolean typing, long expiresAt) {
      send(c, frame("typing").put("room", roomId).put("user", userId).put("typing", typing)
          .put("expiresAt", expiresAt));
    }

    @Override
    public void prekeysLow(int remaining, int threshold) {
      send(c, frame("notice").put("notice", "prekeys_low").put("remaining", remaining).put("threshold", threshold));
    }

    @Override
    public void roomEvent(String roomId, String event, String actor, String subject) {
      send(c, frame("room_event").put("room", roomId).put("event", event).put("actor", actor).put("user", subject));
    }

    @Override
    public void close(int code, String reason) {
      c.channel.close(code, reason);
    }
  }

  private ObjectNode roomMessage(Messages.RoomRow r) {
    ObjectNode n = json.createObjectNode().put("messageId", r.messageId()).put("room", r.roomId()).put("seq", r.seq())
        .put("sender", r.senderUser()).put("senderDevice", r.senderDevice()).put("kind", "group")
        .put("sentAt", r.sentAt()).put("ciphertext", b64(r.payload()));
    if (r.expiresAt() != null) {
      n.put("expiresAt", r.expiresAt());
    }
    return n;
  }

  private ObjectNode room(ObjectNode n, ChatService.RoomView v) {
    n.put("room", v.room().roomId()).put("kind", v.room().kind()).put("name", v.room().name())
        .put("description", v.room().description()).put("maxMembers", v.room().maxMembers())
        .put("lastSeq", v.room().lastSeq());
    ArrayNode members = n.putArray("members");
    v.members().forEach(m -> members.addObject().put("user", m.userId()).put("role", m.role()));
    return n;
  }

  private ObjectNode frame(String type) {
    return json.createObjectNode().put("v", VERSION).put("type", type);
  }

  private ObjectNode ok(String id) {
    ObjectNode n = frame("ok");
    if (id != null) {
      n.put("id", id);
    }
    return n;
  }

  private ObjectNode error(String id, String code, String message) {
    ObjectNode n = frame("error");
    if (id != null) {
      n.put("id", id);
    }
    return n.put("code", code).put("message", message);
  }

  private ObjectNode errorOf(String id, Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof ServiceException se) {
      return error(id, se.code(), se.getMessage());
    }
    LOG.warn("request failed", e);
    return error(id, "server_error", "internal error");
  }

  private void send(Connection c, ObjectNode frame) {
    try {
      c.channel.sendText(json.writeValueAsString(frame));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ field decoding

  private String roomOrJoined(Connection c, JsonNode f, boolean required) {
    String room = text(f, "room", false);
    if (room == null) {
      room = c.joinRoom;
    }
    if (room == null) {
      if (required) {
        throw ServiceException.badRequest("room is required");
      }
      return null;
    }
    if (!ChatService.ROOM_ID.matcher(room).matches()) {
      throw ServiceException.badRequest("invalid room id");
    }
    return room;
  }

  private static String messageId(JsonNode f) {
    String id = text(f, "messageId", true);
    if (!MESSAGE_ID.matcher(id).matches()) {
      throw ServiceException.badRequest("messageId must be 8-36 characters of [A-Za-z0-9-]");
    }
    return id;
  }

  private static String text(JsonNode f, String field, boolean required) {
    JsonNode n = f.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw ServiceException.badRequest(field + " is required");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw ServiceException.badRequest(field + " must be a string");
    }
    return n.asText();
  }

  private static long longField(JsonNode f, String field) {
    JsonNode n = f.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw ServiceException.badRequest(field + " must be an integer");
    }
    return n.asLong();
  }

  private static List<String> strings(JsonNode f, String field, int max) {
    JsonNode n = f.get(field);
    if (n == null || !n.isArray() || n.size() > max) {
      throw ServiceException.badRequest(field + " must be an array of at most " + max + " strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw ServiceException.badRequest(field + " must contain strings");
      }
      out.add(e.asText());
    }
    return out;
  }

  private byte[] bytes(JsonNode f, String field) {
    String s = text(f, field, true);
    if (s.length() > maxCiphertext / 3 * 4 + 4) {
      throw new ServiceException("field_too_large", 413, field + " exceeds " + maxCiphertext + " bytes");
    }
    try {
      byte[] b = B64D.decode(s);
      if (b.length == 0) {
        throw ServiceException.badRequest(field + " is empty");
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new ServiceException("invalid_base64", 400, field + " is not base64url");
    }
  }

  private static String b64(byte[] b) {
    return b == null ? null : B64.encodeToString(b);
  }
}
