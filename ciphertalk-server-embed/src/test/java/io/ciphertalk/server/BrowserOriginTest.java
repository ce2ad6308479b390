package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.core.wire.Frame;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Browser clients: the server's own pages (same host, REST port) may open the WebSocket; other
 * origins only when configured, and then the REST API (blob routes included) answers them with CORS headers; any other
 * origin gets no CORS headers, a refused preflight and a refused WebSocket handshake.
 */
class BrowserOriginTest {
  private static final String ALLOWED = "https://chat.example";
  private CipherTalkServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().allowedOrigins(List.of(ALLOWED)).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI ws() {
    return URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
  }

  private String ownOrigin() {
    return "http://127.0.0.1:" + server.httpPort();
  }

  private HttpResponse<String> request(String method, String path, Map<String, String> headers, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ownOrigin() + path)).timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return TestServers.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void ownPage_opensTheWebSocket_onTheOtherPort_andLogsIn() throws Exception {
    String token = TestServers.account(server, "alice");
    try (RawClient c = new RawClient(ws(), Map.of("Origin", ownOrigin()))) {
      assertThat(c.call(id -> new Frame.Hello(id, token, 1, "browser"))).isInstanceOf(Frame.Welcome.class);
    }
  }

  @Test
  void pageOfAnotherPortOrHost_orAHostileSite_isRefusedAtTheWebSocketHandshake() {
    for (String origin : List.of("http://127.0.0.1:" + server.wsPort(), "http://localhost:" + server.httpPort(),
        "https://127.0.0.1:1", "https://evil.example", "null", "http://127.0.0.1:" + server.httpPort() + ".evil.example")) {
      assertThatThrownBy(() -> new RawClient(ws(), Map.of("Origin", origin))).as(origin)
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void allowedOrigin_opensTheWebSocket() throws Exception {
    try (RawClient c = new RawClient(ws(), Map.of("Origin", ALLOWED))) {
      assertThat(c.isOpen()).isTrue();
    }
  }

  @Test
  void allowedOrigin_preflight_isAnswered_andTheAnswerCarriesCorsHeaders() throws Exception {
    HttpResponse<String> pre = request("OPTIONS", "/api/login", Map.of("Origin", ALLOWED,
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"), null);
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
        .contains("Authorization").contains("Content-Type");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

    HttpResponse<String> reg = request("POST", "/api/register", Map.of("Origin", ALLOWED,
        "Content-Type", "application/json"), "{\"username\":\"bob\",\"password\":\"password-bob\"}");
    assertThat(reg.statusCode()).isEqualTo(201);
    assertThat(reg.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
    assertThat(reg.headers().allValues("Vary")).contains("Origin");
    // Errors too, or the page could not read why it failed.
    HttpResponse<String> bad = request("GET", "/api/rooms", Map.of("Origin", ALLOWED), null);
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
  }

  @Test
  void otherOrigin_getsNoCorsHeaders_andItsPreflightIsRefused() throws Exception {
    HttpResponse<String> pre = request("OPTIONS", "/api/login", Map.of("Origin", "https://evil.example",
        "Access-Control-Request-Method", "POST"), null);
    assertThat(pre.statusCode()).isEqualTo(403);
    assertThat(pre.body()).contains("origin_not_allowed");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> health = request("GET", "/health", Map.of("Origin", "https://evil.example"), null);
    assertThat(health.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void ownPage_preflight_isAnswered_withoutCrossOriginHeaders() throws Exception {
    HttpResponse<String> pre = request("OPTIONS", "/api/login", Map.of("Origin", ownOrigin(),
        "Access-Control-Request-Method", "POST"), null);
    assertThat(pre.statusCode()).isEqualTo(204);
  }

  @Test
  void blobRoutes_followTheSameOriginPolicy_forUploadsRangedDownloadsAndErrors() throws Exception {
    String alice = TestServers.account(server, "alice");
    TestServers.account(server, "bob");
    TestServers.Response room = TestServers.http(server, "POST", "/api/rooms", alice,
        "{\"kind\":\"group\",\"name\":\"g\",\"members\":[\"bob\"]}");
    assertThat(room.status()).isEqualTo(201);
    String bearer = "Bearer " + alice;

    // The preflight of a part upload or a ranged download from the allowed page: answered before
    // authentication (a preflight carries no token) with the methods and headers the routes use.
    HttpResponse<String> pre = request("OPTIONS", "/api/blobs/" + "ab".repeat(16), Map.of("Origin", ALLOWED,
        "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization, range"), null);
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
        .contains("PUT").contains("GET").contains("DELETE").contains("HEAD");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
        .contains("Authorization").contains("Range").contains("Content-Type");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    HttpResponse<String> createPre = request("OPTIONS", "/api/blobs", Map.of("Origin", ALLOWED,
        "Access-Control-Request-Method", "POST"), null);
    assertThat(createPre.statusCode()).isEqualTo(204);

    // A real upload and ranged download from that page carry the CORS headers, and the
    // Content-Range a resuming page needs is exposed to it.
    String messageId = java.util.UUID.randomUUID().toString();
    HttpResponse<String> created = request("POST", "/api/blobs", Map.of("Origin", ALLOWED, "Authorization", bearer,
        "Content-Type", "application/json"), "{\"room\":\"" + room.body().get("id").asText()
        + "\",\"size\":10,\"messageId\":\"" + messageId + "\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
    String id = TestServers.JSON.readTree(created.body()).get("id").asText();
    HttpResponse<String> part = request("PUT", "/api/blobs/" + id + "?offset=0", Map.of("Origin", ALLOWED,
        "Authorization", bearer, "Content-Type", "application/octet-stream"), "0123456789");
    assertThat(part.statusCode()).as(part.body()).isEqualTo(200);
    assertThat(part.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
    assertThat(request("POST", "/api/blobs/" + id + "/finish", Map.of("Origin", ALLOWED, "Authorization", bearer),
        null).statusCode()).isEqualTo(200);
    HttpResponse<String> ranged = request("GET", "/api/blobs/" + id, Map.of("Origin", ALLOWED, "Authorization", bearer,
        "Range", "bytes=4-"), null);
    assertThat(ranged.statusCode()).isEqualTo(206);
    assertThat(ranged.body()).isEqualTo("456789");
    assertThat(ranged.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);
    assertThat(ranged.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("Content-Range");
    assertThat(ranged.headers().allValues("Vary")).contains("Origin");
    // Errors too, or the page could not read why it failed.
    HttpResponse<String> unauthenticated = request("GET", "/api/blobs/" + id, Map.of("Origin", ALLOWED), null);
    assertThat(unauthenticated.statusCode()).isEqualTo(401);
    assertThat(unauthenticated.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED);

    // Any other site: its preflight is refused, and its answers carry no CORS headers.
    HttpResponse<String> evilPre = request("OPTIONS", "/api/blobs/" + id, Map.of("Origin", "https://evil.example",
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization"), null);
    assertThat(evilPre.statusCode()).isEqualTo(403);
    assertThat(evilPre.body()).contains("origin_not_allowed");
    assertThat(evilPre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(evilPre.headers().firstValue("Access-Control-Allow-Methods")).isEmpty();
    HttpResponse<String> evilGet = request("GET", "/api/blobs/" + id, Map.of("Origin", "https://evil.example",
        "Authorization", bearer), null);
    assertThat(evilGet.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    // The server's own pages need no CORS headers, but their preflight is not refused.
    assertThat(request("OPTIONS", "/api/blobs/" + id, Map.of("Origin", ownOrigin(),
        "Access-Control-Request-Method", "PUT"), null).statusCode()).isEqualTo(204);
  }

  @Test
  void builder_refusesSomethingThatIsNotAnOrigin() {
    for (String bad : List.of("chat.example", "https://chat.example/", "https://chat.example/app", "ftp://x", "")) {
      assertThatThrownBy(() -> CipherTalkServer.builder().allowedOrigins(List.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
    }
  }
}
