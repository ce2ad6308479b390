package io.ciphertalk.server.internal.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.AccountService;
import io.ciphertalk.server.internal.metrics.Metrics;
import io.ciphertalk.server.internal.routing.ChatService;
import io.ciphertalk.server.internal.routing.Router;
import io.ciphertalk.server.internal.store.Database;
import io.ciphertalk.server.internal.store.Messages;
import io.ciphertalk.server.internal.store.Rooms;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API, written against the JDK's {@link HttpExchange} and served by Jetty
 * ({@link JettyFront}: timeouts and connection limits per server): JSON in and out, JSON errors
 * {@code {"error": code, "message": text}}, bearer-token authentication, request body limit.
 * Handlers run on a bounded pool, so blocking database I/O is fine here. Thread-safe.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  private static final Pattern MESSAGES = Pattern.compile("/api/messages/([A-Za-z0-9._-]{1,64})/?");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final JettyFront server;
  private final ObjectMapper json;
  private final AccountService accounts;
  private final ChatService chat;
  private final Router router;
  private final Database db;
  private final Metrics metrics;
  private final int maxBody;
  private final int maxCiphertext;
  private final io.ciphertalk.server.internal.Health health;
  private final AccountEndpoints accountEndpoints;
  private final io.ciphertalk.server.internal.OriginPolicy origins;
  private final AdminDashboard admin;

  /**
   * Serves the static files under {@code webRoot} (when not null) on every path outside the API
   * ({@link StaticFiles}); {@code wsPort} names the WebSocket port to its pages.
   */
  public HttpApi(
      InetSocketAddress bind, ExecutorService pool, AccountService accounts, ChatService chat, Router router,
      Database db, Metrics metrics, int maxBody, int maxCiphertext, HttpLimits limits,
      io.ciphertalk.server.internal.Health health, io.ciphertalk.server.internal.OriginPolicy origins,
      io.ciphertalk.server.internal.blobs.BlobService blobs, io.ciphertalk.server.internal.metrics.AdminStats stats,
      java.nio.file.Path webRoot,
      java.util.function.IntSupplier wsPort) {
    this.health = health;
    this.admin = new AdminDashboard(accounts, stats);
    this.origins = origins;
    this.accounts = accounts;
    this.chat = chat;
    this.router = router;
    this.db = db;
    this.metrics = metrics;
    this.maxBody = maxBody;
    this.maxCiphertext = maxCiphertext;
    this.accountEndpoints = new AccountEndpoints(accounts, chat);
    // Duplicate keys are refused, as on the WebSocket side ("a":1,"a":2 must not mean either).
    this.json = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(maxBody)
            .maxNumberLength(32).build())
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build());
    json.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    this.server = new JettyFront(bind, pool, limits, this::handle,
        blobs == null ? null : new BlobEndpoints(blobs, accounts, json, maxBody, origins),
        webRoot == null ? null : new StaticFiles(webRoot, wsPort));
  }

  public void start() throws Exception {
    server.start();
  }

  /** True while the REST listener accepts connections. */
  public boolean listening() {
    return server.listening();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }

  private void handle(HttpExchange ex) {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      try {
        if (cors(ex, method)) {
          return;
        }
        route(ex, method, path);
      } catch (ServiceException e) {
        error(ex, e);
      } catch (CompletionException e) {
        if (e.getCause() instanceof ServiceException se) {
          error(ex, se);
        } else {
          LOG.warn("request {} {} failed", method, path, e.getCause());
          error(ex, new ServiceException("server_error", 500, "internal error"));
        }
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      } catch (RuntimeException e) {
        LOG.warn("request {} {} failed", method, path, e);
        error(ex, new ServiceException("server_error", 500, "internal error"));
      }
    } catch (IOException e) {
      LOG.debug("http I/O: {}", e.toString());
    }
  }

  /** CORS ({@link Cors}); true if the request was a preflight and has been answered. */
  private boolean cors(HttpExchange ex, String method) throws IOException {
    Cors.Verdict v = Cors.apply(origins, Cors.JSON, method, ex.getRequestHeaders()::getFirst,
        ex.getResponseHeaders()::set, ex.getResponseHeaders()::add);
    switch (v) {
      case PREFLIGHT_REFUSED -> error(ex, new ServiceException("origin_not_allowed", 403, "origin not allowed"));
      case PREFLIGHT_ALLOWED -> ex.sendResponseHeaders(204, -1);
      case SERVE -> {
        return false;
      }
    }
    return true;
  }

  private void route(HttpExchange ex, String method, String path) throws IOException {
    switch (path) {
      case "/health", "/health/ready", "/health/live" -> {
        require(method, "GET");
        io.ciphertalk.server.internal.Health.Report r = health.check();
        boolean ok = path.equals("/health/live") ? r.live() : r.ready();
        ObjectNode checks = obj();
        r.checks().forEach((k, v) -> checks.put(k, v.name().toLowerCase(java.util.Locale.ROOT)));
        ObjectNode out = obj().put("status", ok ? "ok" : "unavailable").put("live", r.live()).put("ready", r.ready());
        out.set("checks", checks);
        send(ex, ok ? 200 : 503, out);
      }
      case "/metrics" -> {
        require(method, "GET");
        java.util.Optional<String> text = metrics.prometheusText();
        if (text.isEmpty()) {
          // The host reads the meters from its own registry (e.g. Spring Boot's /actuator/prometheus).
          throw io.ciphertalk.server.internal.ServiceException.notFound("metrics go to the host's registry");
        }
        byte[] body = text.get().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
      case "/api/rooms", "/api/rooms/" -> {
        String user = auth(ex);
        if (method.equals("GET")) {
          ArrayNode rooms = json.createArrayNode();
          chat.listRooms(user).forEach(v -> rooms.add(room(v)));
          send(ex, 200, obj().set("rooms", rooms));
        } else if (method.equals("POST")) {
          JsonNode b = body(ex);
          List<String> members = new ArrayList<>();
          if (b.has("members")) {
            if (!b.get("members").isArray() || b.get("members").size() > 1000) {
              throw ServiceException.badRequest("members must be an array of usernames");
            }
            b.get("members").forEach(m -> members.add(m.asText()));
          }
          Integer max = b.hasNonNull("maxMembers")
              ? Integer.valueOf((int) RestInput.integer(b, "maxMembers", 2, 100_000, 0)) : null;
          ChatService.RoomView v = chat.createRoom(user, text(b, "id", false), text(b, "kind", false),
              text(b, "name", false), text(b, "description", false), members, max);
          send(ex, 201, room(v));
        } else {
          throw new ServiceException("method_not_allowed", 405, "use GET or POST");
        }
      }
      case "/api/send-message", "/api/send-message/" -> {
        require(method, "POST");
        String user = auth(ex);
        send(ex, 201, sendMessage(user, body(ex)));
      }
      case "/api/contacts", "/api/contacts/" -> {
        require(method, "GET");
        String user = auth(ex);
        ArrayNode list = json.createArrayNode();
        for (Rooms.Contact c : chat.contacts(user)) {
          list.add(obj().put("username", c.contactId()).put("nickname", c.nickname()).put("blocked", c.blocked()));
        }
        send(ex, 200, obj().set("contacts", list));
      }
      case "/api/add-contact", "/api/add-contact/" -> {
        require(method, "POST");
        String user = auth(ex);
        JsonNode b = body(ex);
        String contact = AccountService.normalizeUsername(text(b, "username", true));
        chat.addContact(user, contact, text(b, "nickname", false));
        if (b.path("blocked").asBoolean(false)) {
          chat.block(user, contact, true);
        }
        send(ex, 201, obj().put("username", contact));
      }
      default -> {
        if (AdminDashboard.handles(path)) {
          admin(ex, method, path);
          return;
        }
        if (AccountEndpoints.handles(path)) {
          AccountEndpoints.Reply r = accountEndpoints.handle(method, path, () -> bearer(ex), () -> {
            try {
              // An empty body (e.g. revoke-all without options) reads as {}: fields are then "missing".
              String length = ex.getRequestHeaders().getFirst("Content-Length");
              if ("0".equals(length) || (length == null && ex.getRequestHeaders().getFirst("Transfer-Encoding") == null)) {
                return json.createObjectNode();
              }
              return body(ex);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }, ex.getRemoteAddress().getAddress().getHostAddress());
          send(ex, r.status(), r.body());
          return;
        }
        var m = MESSAGES.matcher(path);
        if (m.matches()) {
          require(method, "GET");
          String user = auth(ex);
          send(ex, 200, messages(user, m.group(1), query(ex)));
        } else {
          throw ServiceException.notFound("no such endpoint");
        }
      }
    }
  }

  /** The administrators' statistics and the dashboard page's files ({@link AdminDashboard}). */
  private void admin(HttpExchange ex, String method, String path) throws IOException {
    require(method, "GET");
    if (path.equals(AdminDashboard.STATS)) {
      send(ex, 200, admin.stats(() -> bearer(ex)));
      return;
    }
    if (path.equals("/admin")) {
      ex.getResponseHeaders().set("Location", "/admin/");
      ex.sendResponseHeaders(308, -1);
      return;
    }
    AdminDashboard.Asset a = admin.asset(path);
    if (a == null) {
      throw ServiceException.notFound("no such file");
    }
    var h = ex.getResponseHeaders();
    h.set("Content-Type", a.contentType());
    h.set("Content-Security-Policy", AdminDashboard.CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, a.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body());
    }
  }

  private ObjectNode sendMessage(String user, JsonNode b) {
    String messageId;
    try {
      // Canonical form, so the WebSocket side can deliver it as a wire MessageId.
      messageId = io.ciphertalk.core.model.MessageId.parse(text(b, "messageId", true)).toString();
    } catch (IllegalArgumentException e) {
      throw ServiceException.badRequest("messageId must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    }
    int device = (int) RestInput.integer(b, "device", 1, Integer.MAX_VALUE, 1);
    // A sender device other than 1 (the device of REST-only clients) must be one this
    // user has connected: otherwise a message would appear to come from a device that does not exist.
    if (device != 1 && db.withHandle(h -> io.ciphertalk.server.internal.store.Devices.find(h, user, device)).isEmpty()) {
      throw RestInput.invalid("device", "is not a device of this account (connect it over WebSocket first)");
    }
    Long expiresAt = b.hasNonNull("expiresAt") ? RestInput.integer(b, "expiresAt", 0, Long.MAX_VALUE, 0) : null;
    String room = text(b, "room", false);
    Router.SendResult r;
    if (b.has("recipients")) {
      List<Router.DirectTarget> targets = new ArrayList<>();
      if (!b.get("recipients").isArray() || b.get("recipients").size() > 1000) {
        throw ServiceException.badRequest("recipients must be an array");
      }
      for (JsonNode t : b.get("recipients")) {
        if (!t.isObject()) {
          throw RestInput.invalid("recipients", "must hold objects");
        }
        targets.add(new Router.DirectTarget(text(t, "username", true),
            (int) RestInput.integer(t, "device", 1, Integer.MAX_VALUE, 1), bytes(t, "ciphertext")));
      }
      r = router.sendDirect(user, device, messageId, room, "direct", targets, expiresAt).join();
    } else {
      if (room == null) {
        throw ServiceException.badRequest("room or recipients is required");
      }
      r = router.sendRoom(user, device, messageId, room, bytes(b, "ciphertext"), expiresAt).join();
    }
    ObjectNode out = obj().put("messageId", r.messageId()).put("duplicate", r.duplicate());
    if (r.roomId() != null) {
      out.put("room", r.roomId());
    }
    if (r.seq() != null) {
      out.put("seq", r.seq());
    }
    return out;
  }

  private ObjectNode messages(String user, String roomId, Map<String, String> q) {
    long after = parseLong(q.get("after"), -1);
    int limit = (int) Math.min(500, Math.max(1, parseLong(q.get("limit"), 100)));
    long device = parseLong(q.get("device"), 1);
    if (device < 1 || device > Integer.MAX_VALUE) {
      throw RestInput.invalid("device", "must be an integer between 1 and " + Integer.MAX_VALUE);
    }
    List<Messages.RoomRow> rows = after >= 0 ? chat.history(user, roomId, after, limit) : chat.recent(user, roomId, limit);
    ArrayNode list = json.createArrayNode();
    for (Messages.RoomRow r : rows) {
      ObjectNode n = list.addObject().put("messageId", r.messageId()).put("seq", r.seq())
          .put("sender", r.senderUser()).put("senderDevice", r.senderDevice()).put("sentAt", r.sentAt())
          .put("ciphertext", B64.encodeToString(r.payload()));
      if (r.expiresAt() != null) {
        n.put("expiresAt", r.expiresAt());
      }
    }
    ArrayNode direct = json.createArrayNode();
    for (Messages.DirectRow r : chat.pendingDirect(user, (int) device, roomId, limit)) {
      ObjectNode n = direct.addObject().put("messageId", r.messageId()).put("sender", r.senderUser())
          .put("senderDevice", r.senderDevice()).put("sentAt", r.sentAt()).put("kind", r.kind())
          .put("ciphertext", B64.encodeToString(r.payload()));
      if (r.expiresAt() != null) {
        n.put("expiresAt", r.expiresAt());
      }
    }
    ObjectNode out = obj().put("room", roomId);
    out.set("messages", list);
    out.set("direct", direct);
    return out;
  }

  private ObjectNode room(ChatService.RoomView v) {
    ObjectNode n = obj().put("id", v.room().roomId()).put("kind", v.room().kind()).put("name", v.room().name())
        .put("description", v.room().description()).put("maxMembers", v.room().maxMembers())
        .put("lastSeq", v.room().lastSeq());
    ArrayNode members = n.putArray("members");
    v.members().forEach(m -> members.addObject().put("username", m.userId()).put("role", m.role()));
    return n;
  }

  // ---------------------------------------------------------------- plumbing

  private String auth(HttpExchange ex) {
    return accounts.authenticate(bearer(ex));
  }

  private static String bearer(HttpExchange ex) {
    String h = ex.getRequestHeaders().getFirst("Authorization");
    if (h == null) {
      throw ServiceException.unauthorized("missing Authorization: Bearer token");
    }
    if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return h.substring(7).strip();
    }
    if (h.regionMatches(true, 0, "Token ", 0, 6)) {
      return h.substring(6).strip();
    }
    throw ServiceException.unauthorized("expected Authorization: Bearer token");
  }

  private static void require(String method, String expected) {
    if (!method.equals(expected)) {
      throw new ServiceException("method_not_allowed", 405, "use " + expected);
    }
  }

  private JsonNode body(HttpExchange ex) throws IOException {
    String ct = ex.getRequestHeaders().getFirst("Content-Type");
    if (ct != null && !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ServiceException("unsupported_media_type", 415, "send application/json");
    }
    byte[] data;
    try (InputStream in = ex.getRequestBody()) {
      data = in.readNBytes(maxBody + 1);
    }
    if (data.length > maxBody) {
      throw new ServiceException("payload_too_large", 413, "body larger than " + maxBody + " bytes");
    }
    try {
      JsonNode n = json.readTree(data);
      if (n == null || !n.isObject()) {
        throw ServiceException.badRequest("body must be a JSON object");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
        throw new ServiceException("duplicate_field", 400, "a key appears twice in the JSON body");
      }
      throw new ServiceException("invalid_json", 400, "malformed JSON body");
    }
  }

  private static String text(JsonNode b, String field, boolean required) {
    JsonNode n = b.get(field);
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

  private static char[] chars(JsonNode b, String field) {
    return text(b, field, true).toCharArray();
  }

  private byte[] bytes(JsonNode b, String field) {
    String s = text(b, field, true);
    if (s.length() > maxCiphertext * 4 / 3 + 4) {
      throw new ServiceException("payload_too_large", 413, field + " too large");
    }
    try {
      byte[] d = B64D.decode(s);
      if (d.length == 0) {
        throw ServiceException.badRequest(field + " is empty");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw ServiceException.badRequest(field + " must be base64url");
    }
  }

  private static long parseLong(String s, long dflt) {
    if (s == null) {
      return dflt;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw ServiceException.badRequest("not a number: " + s);
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> m = new HashMap<>();
    String q = ex.getRequestURI().getRawQuery();
    if (q != null) {
      for (String kv : q.split("&")) {
        String[] p = kv.split("=", 2);
        m.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8),
            p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
      }
    }
    return m;
  }

  private ObjectNode obj() {
    return json.createObjectNode();
  }

  private void error(HttpExchange ex, ServiceException e) {
    try {
      if (e.retryAfterMillis() > 0) {
        // Rounded up: a client that waits exactly this long is let in (never "retry in 60 s" and refused at 60 s).
        ex.getResponseHeaders().set("Retry-After", Long.toString((e.retryAfterMillis() + 999) / 1000));
      }
      send(ex, e.httpStatus(), obj().put("error", e.code()).put("message", e.getMessage()));
    } catch (IOException io) {
      LOG.debug("cannot send error: {}", io.toString());
    }
  }

  private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] data = json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, data.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(data);
    }
  }
}
