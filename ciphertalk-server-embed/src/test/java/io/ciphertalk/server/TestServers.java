package io.ciphertalk.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.function.BooleanSupplier;

/** Shared helpers: a fast-hashing test server builder, REST calls, bounded polling. */
final class TestServers {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServers() {}

  /** Ephemeral ports, in-memory H2, cheap Argon2 (OWASP cost is tested in PasswordHasherTest). */
  static CipherTalkServer.Builder builder() {
    return CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1").inMemoryDatabase()
        .passwordHashing(64, 1).rateLimit(10_000, 10_000).loginRateLimit(5, 10_000, java.time.Duration.ofMinutes(1))
        .registrationRateLimit(10_000, java.time.Duration.ofMinutes(1));
  }

  record Response(int status, JsonNode body, java.net.http.HttpHeaders headers) {}

  static Response http(CipherTalkServer s, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode n = r.body().isEmpty() || !r.headers().firstValue("Content-Type").orElse("").contains("json")
        ? JSON.getNodeFactory().textNode(r.body()) : JSON.readTree(r.body());
    return new Response(r.statusCode(), n, r.headers());
  }

  static String json(Object... kv) {
    var n = JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      n.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
    }
    return n.toString();
  }

  /** Registers and logs in; returns the token. */
  static String account(CipherTalkServer s, String user) throws Exception {
    Response r = http(s, "POST", "/api/register", null, json("username", user, "password", "password-" + user));
    if (r.status() != 201) {
      throw new AssertionError("register " + user + ": " + r.status() + " " + r.body());
    }
    Response l = http(s, "POST", "/api/login", null, json("username", user, "password", "password-" + user));
    if (l.status() != 200) {
      throw new AssertionError("login " + user + ": " + l.status() + " " + l.body());
    }
    return l.body().get("token").asText();
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String unb64(String s) {
    return new String(Base64.getUrlDecoder().decode(s), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Bounded polling: waits until {@code condition} holds or fails after {@code timeout}. */
  static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
  }
}
