package io.ciphertalk.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Boots the application (H2 DataSource, Tomcat, Actuator, Security) and chats through the embedded
 * server with two SDK clients that signed in as application users.
 */
// Boot's tests keep metrics exporters off unless asked: this test reads /actuator/prometheus.
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "ciphertalk.ws-port=0", "ciphertalk.http-port=0", "ciphertalk.bridge-secret=test-secret"})
class SpringBootHostTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int appPort;
  @Autowired CipherTalkServer server;
  @Autowired DataSource dataSource;

  private HttpResponse<String> app(String method, String path, String user, String password) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appPort + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private CipherTalkClient signIn(String user, String password, ChatListener listener) throws Exception {
    HttpResponse<String> r = app("POST", "/chat/token", user, password);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode t = JSON.readTree(r.body());
    CipherTalkClient.Builder b = CipherTalkClient.builder().serverUri(
        URI.create("ws://127.0.0.1:" + t.get("wsPort").asInt() + "/ws"),
        URI.create("http://127.0.0.1:" + t.get("httpPort").asInt() + "/"));
    if (listener != null) {
      b.listener(listener);
    }
    CipherTalkClient c = b.build();
    c.useToken(t.get("user").asText(), t.get("token").asText());
    c.connect();
    return c;
  }

  @Test
  void appUsers_chatThroughTheEmbeddedServer_onTheAppsDataSource_andActuatorShowsItsMeters() throws Exception {
    assertThat(app("POST", "/chat/token", null, null).statusCode()).isEqualTo(401);
    assertThat(app("POST", "/chat/token", "alice", "wrong").statusCode()).isEqualTo(401);

    List<String> aliceInbox = new CopyOnWriteArrayList<>();
    List<String> bobInbox = new CopyOnWriteArrayList<>();
    try (CipherTalkClient alice = signIn("alice", "alice-password", inbox(aliceInbox));
        CipherTalkClient bob = signIn("bob", "bob-password", inbox(bobInbox))) {
      alice.privateRoom("bob").send("Hello Bob, from the Spring app");
      await(() -> bobInbox.size() == 1, "bob got alice's message");
      bob.privateRoom("alice").send("Hi Alice");
      await(() -> aliceInbox.size() == 1, "alice got bob's reply");
      assertThat(bobInbox).containsExactly("alice: Hello Bob, from the Spring app");
      assertThat(aliceInbox).containsExactly("bob: Hi Alice");
    }

    // A second token for the same user reuses the chat account the bridge made.
    assertThat(app("POST", "/chat/token", "alice", "alice-password").statusCode()).isEqualTo(200);

    // The server's tables live in the application's DataSource.
    Integer accounts = new JdbcTemplate(dataSource).queryForObject("SELECT COUNT(*) FROM accounts", Integer.class);
    assertThat(accounts).isEqualTo(2);

    // Actuator's Prometheus endpoint shows CipherTalk's meters from the application's registry.
    assertThat(app("GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> prom = app("GET", "/actuator/prometheus", "alice", "alice-password");
    assertThat(prom.statusCode()).isEqualTo(200);
    assertThat(prom.body()).contains("ciphertalk_connections", "ciphertalk_direct_queue_depth",
        "ciphertalk_auth_failures_total");
    assertThat(sample(prom.body(), "ciphertalk_messages_routed_total")).isGreaterThanOrEqualTo(2.0);
  }

  private static ChatListener inbox(List<String> inbox) {
    return new ChatListener() {
      @Override
      public void onMessage(ChatEvent.MessageReceived event) {
        inbox.add(event.message().senderUserId() + ": " + event.message().text());
      }
    };
  }

  private static double sample(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no sample " + name);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
