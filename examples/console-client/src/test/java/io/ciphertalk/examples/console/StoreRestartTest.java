package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 7: a console with {@code --store} restarts with one secret (the store passphrase:
 * the device's token is sealed in the store), starts while the server is down from its local
 * history with the same message numbers and read marks, queues what is typed, and sends it when
 * the server comes back. Real consoles over
 * WebSocket against a server whose H2 database is a file, so it can be stopped and started.
 */
class StoreRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static CipherTalkServer server(Path data, int wsPort, int httpPort) {
    return CipherTalkServer.builder().wsPort(wsPort).httpPort(httpPort).dataDirectory(data)
        .loginRateLimit(50, 500, Duration.ofMinutes(5)).build().start();
  }

  @Test
  void storedConsole_startsOfflineWithOneSecret_readsHistory_queues_andSyncsWhenTheServerReturns(
      @TempDir Path dir) throws Exception {
    CipherTalkServer server = server(dir.resolve("server"), 0, 0);
    int wsPort = server.wsPort();
    int httpPort = server.httpPort();
    URI ws = URI.create("ws://localhost:" + wsPort + "/ws");
    URI http = URI.create("http://localhost:" + httpPort + "/");
    Path store = dir.resolve("alice.db");
    try (ConsoleDriver bob = ConsoleDriver.start("bob", ConsoleApp.Options.of(ws, http, "bob", true),
        new DefaultClientFactory(), l -> {})) {
      bob.type("password-of-bob");
      bob.awaitLine("signed in as bob", WAIT);
      try (ConsoleDriver alice = ConsoleDriver.start("alice", ConsoleApp.Options.of(ws, http,
          "alice", true).withStore(store), new DefaultClientFactory(), l -> {})) {
        alice.type("store passphrase");
        alice.type("password-of-alice");
        alice.awaitLine("signed in as alice", WAIT);
        alice.type("/dm bob");
        alice.type("written before the restart");
        bob.awaitLine("alice: written before the restart", WAIT);
        bob.type("/join alice");
        alice.awaitLine("[1] read by bob", WAIT);
        alice.quit(WAIT);
      }
      server.close();
      bob.awaitLine("disconnected", WAIT);

      // The server is down: the console opens the store with its passphrase alone and works.
      try (ConsoleDriver alice = ConsoleDriver.start("alice-offline", ConsoleApp.Options.of(ws,
          http, "alice", false).withStore(store), new DefaultClientFactory(), l -> {})) {
        alice.type("store passphrase");
        alice.awaitLine("* offline:", WAIT);
        assertThat(alice.transcript()).noneMatch(l -> l.contains("password for alice"));
        alice.type("/dm bob");
        // the same number and the read mark as before the restart (kept sealed in the store)
        assertThat(alice.awaitLine("alice: written before the restart", WAIT))
            .startsWith("[1] ").endsWith("[read]");
        alice.type("written while the server was down");
        assertThat(alice.awaitLine("written while the server was down [queued]", WAIT))
            .startsWith("[2] ");

        server = server(dir.resolve("server"), wsPort, httpPort);
        alice.awaitLine("* connected", Duration.ofSeconds(90));
        bob.awaitLine("alice: written while the server was down", Duration.ofSeconds(90));
        alice.quit(WAIT);
      }
      bob.quit(WAIT);
    } finally {
      server.close();
    }
  }
}
