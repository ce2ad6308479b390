package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.account;
import static io.ciphertalk.server.TestServers.http;
import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ciphertalk.server.TestServers.Response;
import io.ciphertalk.server.internal.auth.Totp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The second factor against someone holding a stolen token, a stolen password, or an observed code. */
class TotpSecurityTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private CipherTalkServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private CipherTalkServer start(CipherTalkServer.Builder b) {
    server = b.clock(clock).build().start();
    return server;
  }

  private String code(byte[] secret) {
    return Totp.code(secret, clock.millis() / 1000, 6);
  }

  /** Enrols with the password and confirms with the current code; returns the secret and the recovery codes. */
  private record Enrolled(byte[] secret, List<String> recovery) {}

  private Enrolled enrol(String token, String password) throws Exception {
    Response e = http(server, "POST", "/api/totp/enroll", token, json("password", password));
    assertThat(e.status()).as("enroll: %s", e.body()).isEqualTo(200);
    byte[] secret = base32(e.body().get("secret").asText());
    Response c = http(server, "POST", "/api/totp/confirm", token, json("code", code(secret)));
    assertThat(c.status()).as("confirm: %s", c.body()).isEqualTo(200);
    List<String> recovery = new ArrayList<>();
    c.body().get("recoveryCodes").forEach(n -> recovery.add(n.asText()));
    return new Enrolled(secret, recovery);
  }

  private Response login(String user, String password, String code) throws Exception {
    return http(server, "POST", "/api/login", null, code == null ? json("username", user, "password", password)
        : json("username", user, "password", password, "totp", code));
  }

  @Test
  void stolenToken_cannotEnrolOrReplaceTheSecret_withoutThePasswordAndACurrentCode() throws Exception {
    start(TestServers.builder());
    String token = account(server, "dave");
    Response bare = http(server, "POST", "/api/totp/enroll", token, "{}");
    assertThat(bare.status()).isEqualTo(400);
    assertThat(bare.body().get("error").asText()).isEqualTo("missing_field");
    Response guessed = http(server, "POST", "/api/totp/enroll", token, json("password", "guessed wrong"));
    assertThat(guessed.status()).isEqualTo(403);
    assertThat(guessed.body().get("error").asText()).isEqualTo("invalid_credentials");

    Enrolled first = enrol(token, "password-dave");
    clock.advance(Duration.ofSeconds(30));
    // The attacker now also has the password, but not the authenticator.
    Response replace = http(server, "POST", "/api/totp/enroll", token, json("password", "password-dave"));
    assertThat(replace.status()).isEqualTo(403);
    assertThat(replace.body().get("error").asText()).isEqualTo("totp_required");
    Response wrongCode = http(server, "POST", "/api/totp/enroll", token,
        json("password", "password-dave", "totp", Totp.code(first.secret(), clock.millis() / 1000 + 600, 6)));
    assertThat(wrongCode.status()).isEqualTo(403);
    Response disable = http(server, "POST", "/api/totp/disable", token, json("password", "password-dave"));
    assertThat(disable.status()).isEqualTo(400);

    // The owner, with the authenticator, replaces the secret: the old one stops working.
    Response owner = http(server, "POST", "/api/totp/enroll", token,
        json("password", "password-dave", "totp", code(first.secret())));
    assertThat(owner.status()).isEqualTo(200);
    byte[] second = base32(owner.body().get("secret").asText());
    clock.advance(Duration.ofSeconds(30));
    assertThat(http(server, "POST", "/api/totp/confirm", token, json("code", code(second))).status()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(30));
    assertThat(login("dave", "password-dave", code(first.secret())).status()).isEqualTo(401);
    assertThat(login("dave", "password-dave", code(second)).status()).isEqualTo(200);
  }

  @Test
  void codeUsedAtConfirm_isNotAcceptedAgainAtLogin() throws Exception {
    start(TestServers.builder());
    String token = account(server, "dave");
    Response e = http(server, "POST", "/api/totp/enroll", token, json("password", "password-dave"));
    byte[] secret = base32(e.body().get("secret").asText());
    String observed = code(secret);
    assertThat(http(server, "POST", "/api/totp/confirm", token, json("code", observed)).status()).isEqualTo(200);
    Response replay = login("dave", "password-dave", observed);
    assertThat(replay.status()).isEqualTo(401);
    assertThat(replay.body().get("error").asText()).isEqualTo("invalid_credentials");
    clock.advance(Duration.ofSeconds(30));
    assertThat(login("dave", "password-dave", code(secret)).status()).isEqualTo(200);
  }

  @Test
  void usedCode_isRefusedAfterARestart(@TempDir Path dir) throws Exception {
    start(TestServers.builder().dataDirectory(dir.resolve("db")).jdbcUrl(
        "jdbc:h2:file:" + dir.resolve("db").resolve("ct").toAbsolutePath() + ";WRITE_DELAY=0"));
    String token = account(server, "dave");
    Enrolled e = enrol(token, "password-dave");
    clock.advance(Duration.ofSeconds(30));
    String used = code(e.secret());
    assertThat(login("dave", "password-dave", used).status()).isEqualTo(200);
    server.close();
    assertThat(Files.list(dir.resolve("db"))).isNotEmpty();

    start(TestServers.builder().jdbcUrl(
        "jdbc:h2:file:" + dir.resolve("db").resolve("ct").toAbsolutePath() + ";WRITE_DELAY=0"));
    Response replay = login("dave", "password-dave", used);
    assertThat(replay.status()).as("replayed after restart").isEqualTo(401);
    clock.advance(Duration.ofSeconds(30));
    assertThat(login("dave", "password-dave", code(e.secret())).status()).isEqualTo(200);
  }

  @Test
  void login_answersWrongPasswordAndNeedsCode_alike_soThereIsNoPasswordOracle() throws Exception {
    start(TestServers.builder().loginRateLimit(100, 10_000, Duration.ofMinutes(1)));
    String token = account(server, "dave");
    Enrolled e = enrol(token, "password-dave");
    clock.advance(Duration.ofSeconds(30));
    Response rightNoCode = login("dave", "password-dave", null);
    Response wrongNoCode = login("dave", "not the password", null);
    assertThat(rightNoCode.status()).isEqualTo(wrongNoCode.status()).isEqualTo(401);
    assertThat(rightNoCode.body()).isEqualTo(wrongNoCode.body());
    assertThat(rightNoCode.body().get("error").asText()).isEqualTo("totp_required");

    Response rightPasswordWrongCode = login("dave", "password-dave", Totp.code(e.secret(), 0, 6));
    Response wrongPasswordRightCode = login("dave", "not the password", code(e.secret()));
    assertThat(rightPasswordWrongCode.status()).isEqualTo(wrongPasswordRightCode.status()).isEqualTo(401);
    assertThat(rightPasswordWrongCode.body()).isEqualTo(wrongPasswordRightCode.body());
    assertThat(rightPasswordWrongCode.body().get("error").asText()).isEqualTo("invalid_credentials");
  }

  @Test
  void recoveryCodes_areGivenAtEnrolment_andEachWorksOnce() throws Exception {
    start(TestServers.builder());
    String token = account(server, "dave");
    Enrolled e = enrol(token, "password-dave");
    assertThat(e.recovery()).hasSize(10).doesNotHaveDuplicates()
        .allSatisfy(c -> assertThat(c).matches("[A-Z2-7]{4}(-[A-Z2-7]{4}){3}"));
    String r = e.recovery().get(3);
    assertThat(login("dave", "password-dave", r.toLowerCase()).status()).isEqualTo(200);
    Response again = login("dave", "password-dave", r);
    assertThat(again.status()).isEqualTo(401);
    // With a recovery code the owner who lost the phone turns TOTP off.
    Response off = http(server, "POST", "/api/totp/disable", token,
        json("password", "password-dave", "totp", e.recovery().get(0)));
    assertThat(off.status()).isEqualTo(200);
    assertThat(login("dave", "password-dave", null).status()).isEqualTo(200);
    assertThat(login("dave", "password-dave", e.recovery().get(1)).status()).as("codes gone with TOTP")
        .isEqualTo(200); // no second factor any more: the code field is ignored
  }

  static byte[] base32(String s) {
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

  @SuppressWarnings("unused")
  private static String text(JsonNode n) {
    return n.toString();
  }
}
