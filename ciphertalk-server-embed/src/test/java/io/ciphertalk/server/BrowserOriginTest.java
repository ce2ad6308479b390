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
 * origins only when configured, and then the REST API answers them with CORS headers; any other
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
  void builder_refusesSomethingThatIsNotAnOrigin() {
    for (String bad : List.of("chat.example", "https://chat.example/", "https://chat.example/app", "ftp://x", "")) {
      assertThatThrownBy(() -> CipherTalkServer.builder().allowedOrigins(List.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
    }
  }
}
