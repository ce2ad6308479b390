package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.crypto.DeviceAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server ({@code Main}) in its own JVM (issue 13, issue 16 item 3): SIGTERM with a
 * client connected and acknowledgements pending, and file-descriptor exhaustion under a lowered
 * {@code ulimit -n}. Linux/macOS only (uses a POSIX shell for the ulimit).
 */
class StandaloneProcessTest {
  private static final Pattern RUNNING = Pattern.compile("ws port (\\d+) .*http port (\\d+)");

  @TempDir
  Path dir;

  /** A running standalone server process and everything it printed. */
  static final class Standalone implements AutoCloseable {
    final Process process;
    private final Path log;
    final int wsPort;
    final int httpPort;

    Standalone(Integer fdLimit, String... args) throws Exception {
      String javaBin = ProcessHandle.current().info().command().orElse("java");
      String cp = System.getProperty("java.class.path") + java.io.File.pathSeparator
          + System.getProperty("jdk.module.path", "");
      List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx256m", "-cp", cp,
          "io.ciphertalk.server.internal.cli.Main", "--ws-port", "0", "--http-port", "0"));
      cmd.addAll(List.of(args));
      if (fdLimit != null) {
        List<String> sh = new ArrayList<>(List.of("sh", "-c", "ulimit -n " + fdLimit + " && exec \"$@\"", "sh"));
        sh.addAll(cmd);
        cmd = sh;
      }
      log = Files.createTempFile("ciphertalk-standalone", ".log");
      process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      TestServers.await(() -> RUNNING.matcher(output()).find() || !process.isAlive(), Duration.ofSeconds(60),
          "standalone server start");
      Matcher m = RUNNING.matcher(output());
      if (!m.find()) {
        throw new AssertionError("server did not start:\n" + output());
      }
      wsPort = Integer.parseInt(m.group(1));
      httpPort = Integer.parseInt(m.group(2));
    }

    /** Everything the process printed so far (stdout and stderr). */
    String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    TestServers.Response http(String method, String path, String token, String body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
          .timeout(Duration.ofSeconds(20));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      b.header("Content-Type", "application/json");
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> r = TestServers.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new TestServers.Response(r.statusCode(), TestServers.JSON.readTree(r.body()), r.headers());
    }

    String account(String user) throws Exception {
      String creds = TestServers.json("username", user, "password", "password-" + user);
      http("POST", "/api/register", null, creds);
      TestServers.Response login = http("POST", "/api/login", null, creds);
      assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
      return login.body().get("token").asText();
    }

    RawClient login(String token) throws InterruptedException {
      RawClient c = new RawClient(URI.create("ws://127.0.0.1:" + wsPort + "/ws"), Map.of());
      Frame f = c.call(id -> new Frame.Hello(id, token, 1, "test"));
      assertThat(f).isInstanceOf(Frame.Welcome.class);
      return c;
    }

    /** Sends SIGTERM (what Ctrl-C or an orchestrator does) and waits for the JVM to exit. */
    int terminate() throws InterruptedException {
      process.destroy();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM:\n" + output()).isTrue();
      return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // a temp file
      }
    }
  }

  private static Frame send(RawClient from, String room, MessageId mid, String text) throws InterruptedException {
    List<Recipient> to = List.of(new Recipient(new DeviceAddress("bob", 1), Fixtures.text(text)));
    return from.call(id -> new Frame.Send(id, mid, room, null, to));
  }

  @Test
  void sigterm_withAClientConnected_commitsPendingAcks_andLogsNoError() throws Exception {
    String data = dir.resolve("data").toString();
    String room;
    String alice;
    String bob;
    try (Standalone s = new Standalone(null, "--data", data)) {
      alice = s.account("alice");
      bob = s.account("bob");
      try (RawClient a = s.login(alice); RawClient b = s.login(bob)) {
        Fixtures.publish(b, 1, 1);
        room = Fixtures.createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
        for (int i = 0; i < 20; i++) {
          assertThat(send(a, room, RawClient.newMessageId(), "m" + i)).isInstanceOf(Frame.Sent.class);
        }
        for (int i = 0; i < 20; i++) {
          long seq = b.awaitType(Frame.Deliver.class).delivery().seq();
          b.send(id -> new Frame.Ack(id, Delivery.DEVICE_STREAM, seq)); // not waiting: acks still pending
        }
        // A request behind the acks on the same socket: once it is answered, the server has read
        // every ack (they are dispatched in order), though their commits may still be pending. An
        // ack still on the wire at SIGTERM is never received, and redelivering it is correct.
        assertThat(b.call(id -> new Frame.RoomList(id))).isInstanceOf(Frame.RoomsReply.class);
        // Bob is still connected when the process is told to stop.
        int exit = s.terminate();
        assertThat(exit).as("exit status after SIGTERM\n" + s.output()).isEqualTo(143);
      }
      String log = s.output();
      assertThat(log).contains("CipherTalk server stopped");
      assertThat(log).doesNotContain("already closed").doesNotContain("Exception").doesNotContain("ERROR");
    }
    try (Standalone s = new Standalone(null, "--data", data)) {
      // Tokens are stored (hashed) in the database, so they survive the restart.
      try (RawClient a = s.login(alice); RawClient b = s.login(bob)) {
        MessageId after = RawClient.newMessageId();
        assertThat(send(a, room, after, "after restart")).isInstanceOf(Frame.Sent.class);
        // Every acknowledged message stayed acknowledged: the first delivery is the new one.
        assertThat(b.awaitType(Frame.Deliver.class).delivery().messageId()).isEqualTo(after);
      }
      s.terminate();
    }
  }

  @Test
  void descriptorExhaustion_neverClosesTheListener_andTheServerRecovers() throws Exception {
    try (Standalone s = new Standalone(256, "--data", dir.resolve("fd").toString(), "--max-connections", "5000",
        "--max-connections-per-address", "5000", "--handshake-timeout", "60")) {
      String carol = s.account("carol");
      List<java.net.Socket> flood = new ArrayList<>();
      try {
        // Far more idle sockets than the process has descriptors.
        for (int i = 0; i < 400; i++) {
          java.net.Socket sock = new java.net.Socket();
          sock.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
          sock.connect(new java.net.InetSocketAddress("127.0.0.1", s.wsPort), 5000);
          flood.add(sock);
        }
        TestServers.await(() -> s.output().contains("out of file descriptors"), Duration.ofSeconds(30),
            "descriptor exhaustion");
      } finally {
        for (java.net.Socket sock : flood) {
          sock.close();
        }
      }
      // The listener is still there: a user logs in over WebSocket and chats, and health says so.
      try {
        TestServers.await(() -> {
          try (RawClient c = s.login(carol)) {
            return c.call(Frame.RoomList::new) instanceof Frame.RoomsReply;
          } catch (Exception | AssertionError e) {
            return false;
          }
        }, Duration.ofSeconds(30), "websocket login after the flood");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; server output:\n" + s.output(), e);
      }
      JsonNode h = s.http("GET", "/health", null, null).body();
      assertThat(h.get("checks").get("websocket").asText()).isEqualTo("ok");
      assertThat(h.get("status").asText()).isEqualTo("ok");
      assertThat(s.output()).doesNotContain("Shutdown due to fatal error");
      s.terminate();
    }
  }
}
