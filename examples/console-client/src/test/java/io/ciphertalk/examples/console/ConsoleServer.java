package io.ciphertalk.examples.console;

import io.ciphertalk.server.CipherTalkServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The harness the console tests share: a real embedded server on free local ports and real consoles
 * driven through their piped input and output ({@link ConsoleDriver}) over WebSocket.
 *
 * <p>Register it as a JUnit extension: in a {@code static} field for one server per test class,
 * in an instance field for a fresh server per test.
 * <pre>{@code
 * @RegisterExtension static final ConsoleServer server = ConsoleServer.inMemory();
 * ...
 * try (ConsoleDriver alice = server.console("alice")) { alice.type("/dm bob"); ... }
 * }</pre>
 * Every console logs in and registers from 127.0.0.1, so the server's per-address login and
 * registration limits are raised far above what a test needs.
 */
final class ConsoleServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
  /** How long a test waits for a line it expects. */
  static final Duration WAIT = Duration.ofSeconds(20);

  private final boolean onDisk;
  private Path dataDirectory;
  private CipherTalkServer server;
  private int wsPort;
  private int httpPort;
  /** Registered in a static field: one server for the whole test class. */
  private boolean perClass;

  private ConsoleServer(boolean onDisk) {
    this.onDisk = onDisk;
  }

  /** A server whose database is in memory: a {@link #restart()} forgets every account. */
  static ConsoleServer inMemory() {
    return new ConsoleServer(false);
  }

  /**
   * A server whose H2 database is a file in a temporary directory (deleted at the end): it can be
   * {@link #stop() stopped} and {@link #restart() started} again with its data.
   */
  static ConsoleServer onDisk() {
    return new ConsoleServer(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    perClass = true;
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    if (!perClass) {
      open();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      close();
    }
  }

  private void open() throws IOException {
    if (onDisk) {
      dataDirectory = Files.createTempDirectory("console-server");
    }
    server = build(0, 0);
    wsPort = server.wsPort();
    httpPort = server.httpPort();
  }

  private CipherTalkServer build(int ws, int http) {
    CipherTalkServer.Builder b = CipherTalkServer.builder().wsPort(ws).httpPort(http)
        .loginRateLimit(50, 500, Duration.ofMinutes(5))
        .registrationRateLimit(500, Duration.ofMinutes(5));
    if (onDisk) {
      b.dataDirectory(dataDirectory.resolve("server"));
    } else {
      b.inMemoryDatabase();
    }
    return b.build().start();
  }

  /** Stops the server (the consoles see it go away); {@link #restart()} brings it back. */
  void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * Starts the server again on the same ports: with the same data {@link #onDisk()}, with an empty
   * database {@link #inMemory()}.
   */
  void restart() {
    stop();
    server = build(wsPort, httpPort);
  }

  private void close() {
    stop();
    if (dataDirectory != null) {
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        dataDirectory = null;
      }
    }
  }

  /** The running server. */
  CipherTalkServer server() {
    if (server == null) {
      throw new IllegalStateException("the server is stopped");
    }
    return server;
  }

  /** The server's WebSocket endpoint. */
  URI ws() {
    return URI.create("ws://localhost:" + wsPort + "/ws");
  }

  /** The server's HTTP base. */
  URI http() {
    return URI.create("http://localhost:" + httpPort + "/");
  }

  /** Console options for {@code user} on this server (device 1, defaults otherwise). */
  ConsoleApp.Options options(String user, boolean register) {
    return ConsoleApp.Options.of(ws(), http(), user, register);
  }

  /** A console started with {@code options} (the SDK's default client); nothing typed yet. */
  ConsoleDriver start(String name, ConsoleApp.Options options) throws IOException {
    return ConsoleDriver.start(name, options, new DefaultClientFactory(), line -> { });
  }

  /** A console that registered {@code user} (password {@code password-of-USER}) and signed in. */
  ConsoleDriver console(String user) throws Exception {
    return console(user, new DefaultClientFactory());
  }

  /** As {@link #console(String)}, with the client from {@code factory}. */
  ConsoleDriver console(String user, ClientFactory factory) throws Exception {
    ConsoleDriver d = ConsoleDriver.start(user, options(user, true), factory, line -> { });
    d.type("password-of-" + user);
    d.awaitLine("signed in as " + user, WAIT);
    return d;
  }
}
