package io.ciphertalk.examples.host;

import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A host application that embeds CipherTalk: it starts {@link CipherTalkServer} in its own JVM and
 * runs an {@link EchoBot} on the SDK, connected through the in-memory transport (no socket between
 * the bot and the server). Console users connect over WebSocket and chat with the bot.
 *
 * <pre>
 * java -jar examples/embedded-host/target/ciphertalk-embedded-host.jar
 * java -jar examples/console-client/target/ciphertalk-console.jar --register -u alice
 *   /dm echo
 *   hello
 * </pre>
 *
 * <p>{@link #start} and {@link #close} can also be called from a test or another host. Thread-safe.
 */
@Command(name = "ciphertalk-embedded-host", mixinStandardHelpOptions = true,
    version = "ciphertalk-embedded-host 0.1.0",
    description = "Runs a CipherTalk server inside this JVM with an echo/reminder bot.")
public final class EmbeddedHost implements Callable<Integer>, AutoCloseable {
  @Option(names = "--ws-port", defaultValue = "8000", description = "WebSocket port (default: ${DEFAULT-VALUE}; 0 = any)")
  int wsPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 = any)")
  int httpPort;

  @Option(names = "--data", description = "H2 database directory (default: in memory, lost on exit)")
  Path data;

  @Option(names = "--bot", defaultValue = "echo", description = "the bot's user name (default: ${DEFAULT-VALUE})")
  String botName;

  private CipherTalkServer server;
  private CipherTalkClient botClient;
  private EchoBot bot;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new EmbeddedHost()).execute(args));
  }

  /** A host on the given ports (0 = any free port), in-memory database, bot called {@code botName}. */
  public static EmbeddedHost create(int wsPort, int httpPort, String botName) {
    EmbeddedHost h = new EmbeddedHost();
    h.wsPort = wsPort;
    h.httpPort = httpPort;
    h.botName = Objects.requireNonNull(botName, "botName");
    return h;
  }

  /**
   * Starts the server, then the bot: registers the bot's account with a random password (the bot's
   * keys live in the SDK's default in-memory store, so it is a new device identity on every start)
   * and connects it.
   */
  public synchronized EmbeddedHost start() throws CipherTalkException {
    CipherTalkServer.Builder b = CipherTalkServer.builder().wsPort(wsPort).httpPort(httpPort);
    if (data == null) {
      b.inMemoryDatabase();
    } else {
      b.dataDirectory(data);
    }
    server = b.build().start();
    bot = new EchoBot(botName);
    botClient = CipherTalkClient.builder()
        .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), httpUri())
        .listener(bot)
        .build();
    bot.attach(botClient);
    String password = Base64.getUrlEncoder().encodeToString(RandomSource.secure().bytes(24));
    botClient.register(botName, password);
    botClient.connect();
    return this;
  }

  /** The server, once started. */
  public CipherTalkServer server() {
    return server;
  }

  /** The WebSocket URI console clients use. */
  public URI webSocketUri() {
    return URI.create("ws://localhost:" + server.wsPort() + "/ws");
  }

  /** The HTTP base URI (accounts, REST, health). */
  public URI httpUri() {
    return URI.create("http://localhost:" + server.httpPort() + "/");
  }

  @Override
  public Integer call() throws Exception {
    start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      close();
      stopped.countDown();
    }, "host-shutdown"));
    System.out.println("CipherTalk is running inside this JVM (" + (data == null
        ? "in-memory database" : "H2 in " + data.toAbsolutePath()) + ").");
    System.out.println("  WebSocket: " + webSocketUri() + "    HTTP: " + httpUri());
    System.out.println("  The bot '" + botName + "' is online. In another terminal:");
    System.out.println("    java -jar examples/console-client/target/ciphertalk-console.jar --server "
        + webSocketUri() + " --http " + httpUri() + " --register -u alice");
    System.out.println("  then type: /dm " + botName + "   and say hello. Ctrl-C stops the host.");
    stopped.await();
    return 0;
  }

  /** Stops the bot, then the server. Idempotent. */
  @Override
  public synchronized void close() {
    if (bot != null) {
      bot.close();
    }
    if (botClient != null) {
      botClient.close();
      botClient = null;
    }
    if (server != null) {
      server.close();
      server = null;
    }
  }
}
