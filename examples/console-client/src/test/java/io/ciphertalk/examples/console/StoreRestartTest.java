package io.ciphertalk.examples.console;

import static io.ciphertalk.examples.console.ConsoleServer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 7: a console with {@code --store} restarts with one secret (the store passphrase:
 * the device's token is sealed in the store), starts while the server is down from its local
 * history with the same message numbers and read marks, queues what is typed, and sends it when
 * the server comes back. Real consoles over
 * WebSocket against a server whose H2 database is a file, so it can be stopped and started.
 */
class StoreRestartTest {
  @RegisterExtension
  final ConsoleServer server = ConsoleServer.onDisk();

  @Test
  void storedConsole_startsOfflineWithOneSecret_readsHistory_queues_andSyncsWhenTheServerReturns(
      @TempDir Path dir) throws Exception {
    Path store = dir.resolve("alice.db");
    try (ConsoleDriver bob = server.console("bob")) {
      try (ConsoleDriver alice = server.start("alice",
          server.options("alice", true).withStore(store))) {
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
      server.stop();
      bob.awaitLine("disconnected", WAIT);

      // The server is down: the console opens the store with its passphrase alone and works.
      try (ConsoleDriver alice = server.start("alice-offline",
          server.options("alice", false).withStore(store))) {
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

        server.restart();
        alice.awaitLine("* connected", Duration.ofSeconds(90));
        bob.awaitLine("alice: written while the server was down", Duration.ofSeconds(90));
        alice.quit(WAIT);
      }
      bob.quit(WAIT);
    }
  }
}
