package io.ciphertalk.server;

import static io.ciphertalk.server.Fixtures.createRoom;
import static io.ciphertalk.server.Fixtures.publish;
import static io.ciphertalk.server.Fixtures.text;
import static io.ciphertalk.server.TestServers.account;
import static io.ciphertalk.server.TestServers.http;
import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.crypto.DeviceAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/admin/stats} and the dashboard at {@code /admin/} over real HTTP, with real
 * traffic from raw WebSocket clients: the figures follow the traffic, only administrators read
 * them, and they hold counts only (no content, ids or pairs; docs/threat-model.md).
 */
class AdminStatsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:05Z"));
  private CipherTalkServer server;
  private String admin;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().clock(clock).build().start();
    server.createAccount("root", "password-root".toCharArray(), true);
    admin = login("root");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String login(String user) throws Exception {
    TestServers.Response r = http(server, "POST", "/api/login", null, json("username", user, "password", "password-" + user));
    assertThat(r.status()).as("login " + user).isEqualTo(200);
    return r.body().get("token").asText();
  }

  private JsonNode stats() throws Exception {
    TestServers.Response r = http(server, "GET", "/api/admin/stats", admin, null);
    assertThat(r.status()).as("stats: " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    return r.body();
  }

  /** Connections are counted as sockets attach and detach, asynchronously: poll with a bound. */
  private void awaitConnections(int n) throws InterruptedException {
    TestServers.await(() -> {
      try {
        return stats().get("connections").asInt() == n;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, Duration.ofSeconds(10), n + " connections counted");
  }

  private static long sum(JsonNode array) {
    long n = 0;
    for (JsonNode v : array) {
      n += v.asLong();
    }
    return n;
  }

  private static long last(JsonNode array) {
    return array.get(array.size() - 1).asLong();
  }

  private static Frame direct(RawClient from, String room, String to, int device, String plaintext)
      throws InterruptedException {
    MessageId mid = RawClient.newMessageId();
    Frame f = from.call(id -> new Frame.Send(id, mid, room, null,
        List.of(new Recipient(new DeviceAddress(to, device), text(plaintext)))));
    assertThat(f).isInstanceOf(Frame.Sent.class);
    return f;
  }

  @Test
  void twoClientsExchangingMessages_growMessagesAndDeliveries_byExactlyWhatWasSent_andConnectionsFollowSockets()
      throws Exception {
    String alice = account(server, "alice");
    String bob = account(server, "bob");
    JsonNode before = stats();
    assertThat(before.get("connections").asInt()).isZero();
    long messages0 = sum(before.at("/perMinute/messages"));
    long deliveries0 = sum(before.at("/perMinute/deliveries"));
    int n = 7;
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      publish(a, 2, 1);
      publish(b, 2, 1);
      String room = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
      awaitConnections(2);
      for (int i = 0; i < n; i++) {
        direct(a, room, "bob", 1, "to bob " + i);
        direct(b, room, "alice", 1, "to alice " + i);
      }
      for (int i = 0; i < n; i++) {
        b.awaitType(Frame.Deliver.class);
        a.awaitType(Frame.Deliver.class);
      }
      JsonNode after = stats();
      assertThat(sum(after.at("/perMinute/messages")) - messages0).isEqualTo(2L * n);
      assertThat(sum(after.at("/perMinute/deliveries")) - deliveries0).isEqualTo(2L * n);
      // The clock stood still: all of it in the current (last) minute.
      assertThat(last(after.at("/perMinute/messages"))).isEqualTo(2L * n);
      assertThat(after.at("/deliveryLatency/deliveries").asLong()).isEqualTo(2L * n);
      assertThat(after.at("/deliveryLatency/p50Millis").asLong()).as("no clock time passed").isZero();
      assertThat(after.get("connections").asInt()).isEqualTo(2);
      assertThat(last(after.at("/activeUsersPerDay/counts"))).as("root, alice and bob today").isEqualTo(3);
    }
    awaitConnections(0);
  }

  @Test
  void messageQueuedWhileTheRecipientIsOffline_countsItsWaitInTheDeliveryLatency() throws Exception {
    String alice = account(server, "alice");
    String bob = account(server, "bob");
    try (RawClient b = RawClient.login(server, bob, 1)) {
      publish(b, 2, 1);
    }
    // Until the server has seen the close, a send would still be written to that socket (and count).
    awaitConnections(0);
    String room;
    try (RawClient a = RawClient.login(server, alice, 1)) {
      room = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
      direct(a, room, "bob", 1, "while you were away");
    }
    clock.advance(Duration.ofSeconds(8));
    try (RawClient b = RawClient.login(server, bob, 1)) {
      b.awaitType(Frame.Deliver.class);
    }
    JsonNode s = stats();
    assertThat(s.at("/deliveryLatency/deliveries").asLong()).isEqualTo(1);
    // Reported as the upper bound of its histogram bucket: at least the wait, at most 25% more.
    assertThat(s.at("/deliveryLatency/p99Millis").asLong()).isBetween(8_000L, 10_000L);
    assertThat(s.at("/deliveryLatency/p50Millis").asLong()).isBetween(8_000L, 10_000L);
    JsonNode p99 = s.at("/perMinute/latencyP99Millis");
    assertThat(p99.get(p99.size() - 1).asLong()).isBetween(8_000L, 10_000L);
    assertThat(p99.get(0).isNull()).as("a minute without deliveries has no percentile").isTrue();
  }

  @Test
  void activeUsers_areCountedOncePerDay_andPastDaysBecomeCounts_thatAgeOutAfter30Days() throws Exception {
    String alice = account(server, "alice");
    account(server, "bob");
    for (int i = 0; i < 3; i++) {
      assertThat(http(server, "GET", "/api/rooms", alice, null).status()).isEqualTo(200);
    }
    JsonNode today = stats().get("activeUsersPerDay");
    assertThat(today.get("firstDay").asText()).isEqualTo("2026-11-04");
    assertThat(today.get("counts")).hasSize(30);
    assertThat(last(today.get("counts"))).as("root, alice, bob; each once").isEqualTo(3);

    clock.advance(Duration.ofDays(1));
    server.sweepExpired();
    admin = login("root");
    http(server, "GET", "/api/rooms", alice, null);
    JsonNode next = stats().get("activeUsersPerDay");
    assertThat(next.get("firstDay").asText()).isEqualTo("2026-11-05");
    JsonNode counts = next.get("counts");
    assertThat(counts.get(28).asLong()).as("yesterday, now a bare count").isEqualTo(3);
    assertThat(counts.get(29).asLong()).as("root and alice today").isEqualTo(2);

    clock.advance(Duration.ofDays(30));
    admin = login("root");
    JsonNode later = stats().get("activeUsersPerDay").get("counts");
    assertThat(sum(later)).as("2026-12-03 and 04 are out of the window; only root today").isEqualTo(1);
  }

  @Test
  void nonAdmin_gets403_noToken401_badToken401_andOnlyGetIsAllowed() throws Exception {
    String alice = account(server, "alice");
    TestServers.Response forbidden = http(server, "GET", "/api/admin/stats", alice, null);
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.body().get("error").asText()).isEqualTo("forbidden");
    assertThat(forbidden.body().get("message").asText()).isEqualTo("administrators only");
    assertThat(forbidden.body().has("connections")).isFalse();
    TestServers.Response none = http(server, "GET", "/api/admin/stats", null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().get("error").asText()).isEqualTo("unauthorized");
    assertThat(http(server, "GET", "/api/admin/stats", "not-a-token", null).status()).isEqualTo(401);
    assertThat(http(server, "POST", "/api/admin/stats", admin, "{}").status()).isEqualTo(405);
  }

  // ------------------------------------------------------------------ no content, no ids, no pairs

  /** What each node of the answer may be; every path of the answer must be one of these. */
  private enum Kind { OBJECT, INT, INT_OR_NULL, DATE }

  private static final Map<String, Kind> SHAPE = new LinkedHashMap<>();

  static {
    SHAPE.put("", Kind.OBJECT);
    SHAPE.put("/generatedAt", Kind.INT);
    SHAPE.put("/connections", Kind.INT);
    SHAPE.put("/perMinute", Kind.OBJECT);
    SHAPE.put("/perMinute/start", Kind.INT);
    SHAPE.put("/perMinute/stepMillis", Kind.INT);
    SHAPE.put("/perMinute/messages[]", Kind.INT);
    SHAPE.put("/perMinute/deliveries[]", Kind.INT);
    SHAPE.put("/perMinute/latencyP50Millis[]", Kind.INT_OR_NULL);
    SHAPE.put("/perMinute/latencyP99Millis[]", Kind.INT_OR_NULL);
    SHAPE.put("/deliveryLatency", Kind.OBJECT);
    SHAPE.put("/deliveryLatency/deliveries", Kind.INT);
    SHAPE.put("/deliveryLatency/p50Millis", Kind.INT_OR_NULL);
    SHAPE.put("/deliveryLatency/p99Millis", Kind.INT_OR_NULL);
    SHAPE.put("/activeUsersPerDay", Kind.OBJECT);
    SHAPE.put("/activeUsersPerDay/firstDay", Kind.DATE);
    SHAPE.put("/activeUsersPerDay/counts[]", Kind.INT);
    SHAPE.put("/storage", Kind.OBJECT);
    SHAPE.put("/storage/databaseBytes", Kind.INT_OR_NULL);
    SHAPE.put("/storage/blobBytes", Kind.INT);
  }

  /** Array lengths of the documented series. */
  private static final Map<String, Integer> LENGTHS = Map.of("/perMinute/messages", 60, "/perMinute/deliveries", 60,
      "/perMinute/latencyP50Millis", 60, "/perMinute/latencyP99Millis", 60, "/activeUsersPerDay/counts", 30);

  /** Fails on any field, array or value type the documentation does not list; returns every numeric leaf. */
  private static List<Long> checkShape(JsonNode node, String path, TreeSet<String> seen) {
    List<Long> numbers = new ArrayList<>();
    if (node.isArray()) {
      assertThat(LENGTHS).as("an array at " + path).containsKey(path);
      assertThat(node).as("length of " + path).hasSize(LENGTHS.get(path));
      for (JsonNode e : node) {
        numbers.addAll(checkShape(e, path + "[]", seen));
      }
      return numbers;
    }
    Kind kind = SHAPE.get(path);
    assertThat(kind).as("undocumented field " + path).isNotNull();
    seen.add(path);
    switch (kind) {
      case OBJECT -> {
        assertThat(node.isObject()).as(path + " is an object").isTrue();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          String child = path + "/" + f.getKey();
          numbers.addAll(checkShape(f.getValue(), child, seen));
        }
      }
      case INT -> {
        assertThat(node.isIntegralNumber()).as(path + " is an integer: " + node).isTrue();
        assertThat(node.asLong()).as(path).isNotNegative();
        numbers.add(node.asLong());
      }
      case INT_OR_NULL -> {
        assertThat(node.isNull() || node.isIntegralNumber()).as(path + " is an integer or null: " + node).isTrue();
        if (!node.isNull()) {
          numbers.add(node.asLong());
        }
      }
      case DATE -> assertThat(node.asText()).as(path).matches("\\d{4}-\\d{2}-\\d{2}");
    }
    return numbers;
  }

  @Test
  void statsJson_holdsNoContent_noUserRoomOrDeviceIds_noPairs_andOnlyTheDocumentedAggregateFields()
      throws Exception {
    // Names, ids and plaintexts that must never come back, each unique enough to be searched for.
    String alice = "alice.q7zx";
    String bob = "bob.k3wv";
    String carol = "carol.m9tr";
    String groupId = "room-id-j4pq8";
    String groupName = "Room Name Yh2u";
    int aliceDevice = 48_213;
    int bobDevice = 77_031;
    int carolDevice = 60_919;
    String aliceToken = account(server, alice);
    String bobToken = account(server, bob);
    String carolToken = account(server, carol);
    List<String> secrets = new ArrayList<>(List.of(alice, bob, carol, groupId, groupName,
        Integer.toString(aliceDevice), Integer.toString(bobDevice), Integer.toString(carolDevice),
        aliceToken, bobToken, carolToken, admin, "root"));
    TestServers.Response created = http(server, "POST", "/api/rooms", aliceToken,
        json("id", groupId, "kind", "group", "name", groupName, "members", List.of(bob, carol)));
    assertThat(created.status()).isEqualTo(201);
    try (RawClient a = RawClient.login(server, aliceToken, aliceDevice);
        RawClient b = RawClient.login(server, bobToken, bobDevice);
        RawClient c = RawClient.login(server, carolToken, carolDevice)) {
      publish(a, 2, 1);
      publish(b, 2, 1);
      publish(c, 2, 1);
      String pair = createRoom(a, RoomKind.PRIVATE, null, bob).room().roomId();
      secrets.add(pair);
      for (int i = 0; i < 5; i++) {
        String toBob = "PLAINTEXT-MARKER-ab-" + i + "-Qw8e";
        String toGroup = "PLAINTEXT-MARKER-grp-" + i + "-Rt5y";
        secrets.addAll(List.of(toBob, toGroup, TestServers.b64(toBob), TestServers.b64(toGroup)));
        Frame.Sent sent = (Frame.Sent) direct(a, pair, bob, bobDevice, toBob);
        secrets.add(sent.messageId().toString());
        MessageId gid = RawClient.newMessageId();
        secrets.add(gid.toString());
        assertThat(b.call(id -> new Frame.SendGroup(id, gid, groupId, null, text(toGroup))))
            .isInstanceOf(Frame.Sent.class);
      }
      for (int i = 0; i < 5; i++) {
        assertThat(Fixtures.text(b.awaitType(Frame.Deliver.class).delivery().ciphertext())).startsWith("PLAINTEXT");
      }
      for (int i = 0; i < 5; i++) {
        a.awaitType(Frame.Deliver.class);
        c.awaitType(Frame.Deliver.class);
      }
      TestServers.Response r = http(server, "GET", "/api/admin/stats", admin, null);
      assertThat(r.status()).isEqualTo(200);
      String raw = r.body().toString();
      JsonNode stats = r.body();
      // The figures did see the traffic: 10 sends, 5 + 2 x 5 deliveries.
      assertThat(sum(stats.at("/perMinute/messages"))).isEqualTo(10);
      assertThat(sum(stats.at("/perMinute/deliveries"))).isEqualTo(15);
      assertThat(stats.get("connections").asInt()).isEqualTo(3);

      for (String s : secrets) {
        assertThat(raw).as("the stats answer must not contain %s", s).doesNotContain(s);
        assertThat(raw.toLowerCase(java.util.Locale.ROOT)).doesNotContain(s.toLowerCase(java.util.Locale.ROOT));
      }
      assertThat(raw).doesNotContain("PLAINTEXT", "MARKER", "alice", "bob", "carol", "room-", "@");

      TreeSet<String> seen = new TreeSet<>();
      List<Long> numbers = checkShape(stats, "", seen);
      assertThat(seen).as("every documented field is present").containsAll(SHAPE.keySet().stream()
          .filter(p -> !p.endsWith("[]")).toList());
      assertThat(numbers).as("no device id as a figure")
          .doesNotContain((long) aliceDevice, (long) bobDevice, (long) carolDevice);
      // Only one string value in the whole answer: the first day of the active-user series.
      Matcher strings = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(?=[,}\\]])").matcher(raw);
      List<String> values = new ArrayList<>();
      while (strings.find()) {
        values.add(strings.group(1));
      }
      assertThat(values).containsExactly(stats.at("/activeUsersPerDay/firstDay").asText());
    }
  }

  @Test
  void fileDatabase_reportsItsSize_andInMemoryDatabaseReportsNone(@TempDir Path dir) throws Exception {
    assertThat(stats().at("/storage/databaseBytes").isNull()).as("in-memory H2").isTrue();
    assertThat(stats().at("/storage/blobBytes").asLong()).isZero();
    try (CipherTalkServer file = CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1")
        .dataDirectory(dir).passwordHashing(64, 1).build().start()) {
      file.createAccount("root", "password-root".toCharArray(), true);
      String token = http(file, "POST", "/api/login", null, json("username", "root", "password", "password-root"))
          .body().get("token").asText();
      JsonNode s = http(file, "GET", "/api/admin/stats", token, null).body();
      assertThat(s.at("/storage/databaseBytes").asLong())
          .isEqualTo(java.nio.file.Files.size(dir.resolve("ciphertalk.mv.db")));
    }
  }

  // ------------------------------------------------------------------ the page

  private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"#]+)\"");

  @Test
  void dashboardPage_andItsUplotAssets_areServedWithTheirTypes_andAStrictCsp() throws Exception {
    TestServers.Response page = http(server, "GET", "/admin/", null, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    String html = page.body().asText();
    assertThat(html).contains("<script src=\"vendor/uPlot.iife.min.js\" defer></script>",
        "<script src=\"admin.js\" defer></script>", "<label for=\"username\">", "<label for=\"password\">");
    assertThat(html).as("no inline script").doesNotContainPattern("<script(?![^>]*\\ssrc=)");
    assertThat(html).as("no inline style or handler").doesNotContainPattern("\\sstyle=|<style|\\son[a-z]+=");

    Map<String, String> types = new LinkedHashMap<>();
    Matcher m = REFERENCE.matcher(html);
    while (m.find()) {
      String ref = m.group(1);
      if (!ref.startsWith("http")) {
        types.put("/admin/" + ref, null);
      }
    }
    assertThat(types.keySet()).contains("/admin/admin.js", "/admin/admin.css", "/admin/favicon.svg",
        "/admin/vendor/uPlot.iife.min.js",
        "/admin/vendor/uPlot.min.css", "/admin/vendor/uPlot.LICENSE.txt");
    types.put("/admin/", "text/html; charset=utf-8");
    types.put("/admin/admin.js", "text/javascript; charset=utf-8");
    types.put("/admin/admin.css", "text/css; charset=utf-8");
    types.put("/admin/favicon.svg", "image/svg+xml");
    types.put("/admin/vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8");
    types.put("/admin/vendor/uPlot.min.css", "text/css; charset=utf-8");
    types.put("/admin/vendor/uPlot.LICENSE.txt", "text/plain; charset=utf-8");
    for (Map.Entry<String, String> e : types.entrySet()) {
      TestServers.Response r = http(server, "GET", e.getKey(), null, null);
      assertThat(r.status()).as(e.getKey()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).as(e.getKey()).contains(e.getValue());
      assertThat(r.headers().firstValue("Content-Security-Policy")).as(e.getKey()).contains(
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
              + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(e.getKey()).contains("nosniff");
      assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
      assertThat(r.body().asText()).as(e.getKey()).isNotEmpty();
    }
    assertThat(http(server, "GET", "/admin/vendor/uPlot.iife.min.js", null, null).body().asText())
        .contains("uPlot");
    assertThat(http(server, "GET", "/admin/vendor/uPlot.min.css", null, null).body().asText()).contains(".uplot");
    assertThat(http(server, "GET", "/admin/vendor/uPlot.LICENSE.txt", null, null).body().asText())
        .contains("MIT");
    assertThat(http(server, "GET", "/admin/admin.js", null, null).body().asText())
        .as("the token stays in memory").doesNotContain("localStorage", "sessionStorage", "document.cookie");

    TestServers.Response bare = http(server, "GET", "/admin", null, null);
    assertThat(bare.status()).isEqualTo(308);
    assertThat(bare.headers().firstValue("Location")).contains("/admin/");
    // A fixed set of files, not a directory: nothing else of the jar or the disk is reachable.
    for (String other : List.of("/admin/index.html", "/admin/../pom.xml", "/admin/%2e%2e/module-info.class",
        "/admin/vendor/uPlot.esm.js", "/admin/vendor/", "/admin/io/ciphertalk/server/CipherTalkServer.class")) {
      assertThat(http(server, "GET", other, null, null).status()).as(other).isIn(400, 404);
    }
    assertThat(http(server, "POST", "/admin/", null, "{}").status()).isEqualTo(405);
  }
}
