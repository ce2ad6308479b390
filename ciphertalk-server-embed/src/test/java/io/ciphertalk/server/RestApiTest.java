package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.account;
import static io.ciphertalk.server.TestServers.b64;
import static io.ciphertalk.server.TestServers.http;
import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.TestServers.Response;
import io.ciphertalk.server.internal.auth.Totp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestApiTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private CipherTalkServer server;

  @BeforeEach
  void start() {
    server = TestServers.builder().clock(clock).tokenTtl(Duration.ofHours(1))
        .loginRateLimit(3, 100, Duration.ofMinutes(5)).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void register_login_andUseToken() throws Exception {
    Response reg = http(server, "POST", "/api/register", null, json("username", "Alice", "password", "correct horse"));
    assertThat(reg.status()).isEqualTo(201);
    assertThat(reg.body().get("username").asText()).isEqualTo("alice");
    Response dup = http(server, "POST", "/api/register", null, json("username", "alice", "password", "other pass"));
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.body().get("error").asText()).isEqualTo("username_taken");
    Response login = http(server, "POST", "/api/login", null, json("username", "alice", "password", "correct horse"));
    assertThat(login.status()).isEqualTo(200);
    String token = login.body().get("token").asText();
    assertThat(token).hasSizeGreaterThanOrEqualTo(43);
    assertThat(http(server, "GET", "/api/rooms/", token, null).status()).isEqualTo(200);
  }

  @Test
  void register_withBadUsernameOrShortPassword_isRejected() throws Exception {
    Response bad = http(server, "POST", "/api/register", null, json("username", "a b", "password", "correct horse"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("error").asText()).isEqualTo("invalid_username");
    Response weak = http(server, "POST", "/api/register", null, json("username", "bob", "password", "short"));
    assertThat(weak.body().get("error").asText()).isEqualTo("weak_password");
  }

  @Test
  void login_withWrongPassword_is401_andRepeatedFailuresLockThatAddressOut() throws Exception {
    account(server, "carol");
    for (int i = 0; i < 3; i++) {
      Response r = http(server, "POST", "/api/login", null, json("username", "carol", "password", "wrong password"));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body().get("error").asText()).isEqualTo("invalid_credentials");
    }
    Response limited = http(server, "POST", "/api/login", null, json("username", "carol", "password", "password-carol"));
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body().get("error").asText()).isEqualTo("rate_limited");
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("60");
    clock.advance(Duration.ofMinutes(1));
    assertThat(http(server, "POST", "/api/login", null, json("username", "carol", "password", "password-carol"))
        .status()).isEqualTo(200);
    assertThat(server.metricsText()).contains("ciphertalk_auth_failures_total");
  }

  @Test
  void login_withTotpEnabled_requiresAValidCode() throws Exception {
    String token = account(server, "dave");
    Response enroll = http(server, "POST", "/api/totp/enroll", token, json("password", "password-dave"));
    assertThat(enroll.status()).isEqualTo(200);
    byte[] secret = base32Decode(enroll.body().get("secret").asText());
    assertThat(enroll.body().get("uri").asText()).startsWith("otpauth://totp/");
    String code = Totp.code(secret, clock.millis() / 1000, 6);
    assertThat(http(server, "POST", "/api/totp/confirm", token, json("code", code)).status()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(2));
    Response missing = http(server, "POST", "/api/login", null, json("username", "dave", "password", "password-dave"));
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.body().get("error").asText()).isEqualTo("totp_required");
    String wrong = Totp.code(secret, clock.millis() / 1000 + 300, 6);
    Response bad = http(server, "POST", "/api/login", null,
        json("username", "dave", "password", "password-dave", "totp", wrong));
    assertThat(bad.body().get("error").asText()).isEqualTo("invalid_credentials");
    String current = Totp.code(secret, clock.millis() / 1000, 6);
    Response ok = http(server, "POST", "/api/login", null,
        json("username", "dave", "password", "password-dave", "totp", current));
    assertThat(ok.status()).isEqualTo(200);
    Response replay = http(server, "POST", "/api/login", null,
        json("username", "dave", "password", "password-dave", "totp", current));
    assertThat(replay.status()).isEqualTo(401);
    assertThat(replay.body().get("error").asText()).isEqualTo("invalid_credentials");
  }

  @Test
  void token_afterLogoutOrExpiry_isRejected() throws Exception {
    String token = account(server, "erin");
    assertThat(http(server, "POST", "/api/logout", token, null).status()).isEqualTo(200);
    Response revoked = http(server, "GET", "/api/contacts/", token, null);
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.body().get("error").asText()).isEqualTo("unauthorized");

    Response login = http(server, "POST", "/api/login", null, json("username", "erin", "password", "password-erin"));
    String second = login.body().get("token").asText();
    assertThat(http(server, "GET", "/api/contacts/", second, null).status()).isEqualTo(200);
    clock.advance(Duration.ofHours(1));
    assertThat(http(server, "GET", "/api/contacts/", second, null).status()).isEqualTo(401);
    assertThat(http(server, "GET", "/api/contacts/", null, null).status()).isEqualTo(401);
  }

  @Test
  void privateRoomSquat_underAnotherPairsIdOrWithOtherMembers_isRefused() throws Exception {
    String alice = account(server, "alice");
    account(server, "judy");
    String mallory = account(server, "mallory");
    String canonical = io.ciphertalk.core.model.PrivateRoomId.of("alice", "judy");
    // Mallory claims the id of alice and judy's private room for a room with herself and alice.
    Response squat = http(server, "POST", "/api/rooms/", mallory,
        json("id", canonical, "kind", "private", "members", java.util.List.of("alice")));
    assertThat(squat.status()).isEqualTo(400);
    assertThat(squat.body().toString()).contains(io.ciphertalk.core.model.PrivateRoomId.of("mallory", "alice"));
    // Nor as a group room: the p- prefix is reserved for private rooms.
    Response asGroup = http(server, "POST", "/api/rooms/", mallory,
        json("id", canonical, "kind", "group", "members", java.util.List.of("alice", "judy")));
    assertThat(asGroup.status()).isEqualTo(400);

    // Alice's request yields the genuine room, twice the same one.
    Response genuine = http(server, "POST", "/api/rooms/", alice,
        json("kind", "private", "members", java.util.List.of("judy")));
    assertThat(genuine.status()).isEqualTo(201);
    assertThat(genuine.body().get("id").asText()).isEqualTo(canonical);
    assertThat(genuine.body().get("members")).hasSize(2);
    Response again = http(server, "POST", "/api/rooms/", alice,
        json("id", canonical, "kind", "private", "members", java.util.List.of("judy")));
    assertThat(again.body().get("id").asText()).isEqualTo(canonical);
  }

  @Test
  void privateRoomIds_areUnambiguous_evenWhenUserIdsContainTheSeparator() {
    String a = io.ciphertalk.core.model.PrivateRoomId.of("ann-b", "cat");
    String b = io.ciphertalk.core.model.PrivateRoomId.of("ann", "b-cat");
    assertThat(a).isNotEqualTo(b).startsWith("p-").matches("p-[0-9a-f]{40}");
    assertThat(io.ciphertalk.core.model.PrivateRoomId.of("bob", "alice")).isEqualTo("p-alice-bob");
  }

  @Test
  void rooms_messages_andContacts_workAndEnforceMembership() throws Exception {
    String alice = account(server, "alice");
    String bob = account(server, "bob");
    String mallory = account(server, "mallory");
    Response room = http(server, "POST", "/api/rooms/", alice, json("id", "team", "name", "Team", "members",
        java.util.List.of("bob")));
    assertThat(room.status()).isEqualTo(201);
    assertThat(room.body().get("members")).hasSize(2);

    Response sent = http(server, "POST", "/api/send-message/", alice,
        json("room", "team", "messageId", "01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5", "ciphertext", b64("opaque-1")));
    assertThat(sent.status()).isEqualTo(201);
    assertThat(sent.body().get("seq").asLong()).isEqualTo(1);
    Response again = http(server, "POST", "/api/send-message/", alice,
        json("room", "team", "messageId", "01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5", "ciphertext", b64("opaque-1")));
    assertThat(again.body().get("duplicate").asBoolean()).isTrue();
    assertThat(again.body().get("seq").asLong()).isEqualTo(1);

    Response msgs = http(server, "GET", "/api/messages/team/", bob, null);
    assertThat(msgs.status()).isEqualTo(200);
    assertThat(msgs.body().get("messages")).hasSize(1);
    assertThat(TestServers.unb64(msgs.body().get("messages").get(0).get("ciphertext").asText())).isEqualTo("opaque-1");

    Response badId = http(server, "POST", "/api/send-message/", alice,
        json("room", "team", "messageId", "not-a-uuid", "ciphertext", b64("x")));
    assertThat(badId.status()).isEqualTo(400);
    try (RawClient bobWs = RawClient.login(server, bob, 1)) {
      io.ciphertalk.core.wire.Frame.Deliver d = bobWs.awaitType(io.ciphertalk.core.wire.Frame.Deliver.class);
      assertThat(d.delivery().messageId().toString()).isEqualTo("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5");
    }

    Response outsiderRead = http(server, "GET", "/api/messages/team/", mallory, null);
    assertThat(outsiderRead.status()).isEqualTo(403);
    assertThat(outsiderRead.body().get("error").asText()).isEqualTo("not_member");
    Response outsiderSend = http(server, "POST", "/api/send-message/", mallory,
        json("room", "team", "messageId", "01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f6", "ciphertext", b64("x")));
    assertThat(outsiderSend.status()).isEqualTo(403);
    assertThat(outsiderSend.body().get("error").asText()).isEqualTo("not_member");

    assertThat(http(server, "POST", "/api/add-contact/", alice, json("username", "bob", "nickname", "Bobby")).status())
        .isEqualTo(201);
    Response contacts = http(server, "GET", "/api/contacts/", alice, null);
    assertThat(contacts.body().get("contacts").get(0).get("nickname").asText()).isEqualTo("Bobby");
    assertThat(http(server, "POST", "/api/add-contact/", alice, json("username", "nobody")).status()).isEqualTo(404);

    Response rooms = http(server, "GET", "/api/rooms/", bob, null);
    assertThat(rooms.body().get("rooms").get(0).get("id").asText()).isEqualTo("team");
  }

  @Test
  void errors_haveJsonBodiesAndProperStatuses() throws Exception {
    assertThat(http(server, "GET", "/api/nothing", null, null).status()).isEqualTo(404);
    assertThat(http(server, "GET", "/api/login", null, null).status()).isEqualTo(405);
    Response badJson = http(server, "POST", "/api/register", null, "{not json");
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.body().get("error").asText()).isEqualTo("invalid_json");
    Response huge = http(server, "POST", "/api/register", null, "{\"username\":\"" + "x".repeat(300_000) + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    Response health = http(server, "GET", "/health", null, null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().get("status").asText()).isEqualTo("ok");
    Response metrics = http(server, "GET", "/metrics", null, null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body().asText()).contains("ciphertalk_messages_routed_total", "ciphertalk_connections",
        "ciphertalk_direct_queue_depth", "ciphertalk_auth_failures_total");
  }

  private static byte[] base32Decode(String s) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int buffer = 0, bits = 0;
    for (char c : s.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
