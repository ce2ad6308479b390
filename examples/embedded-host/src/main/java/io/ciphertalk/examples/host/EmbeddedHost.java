package io.ciphertalk.examples.host;

import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.core.store.InvalidStoreKeyException;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
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

  @Option(names = "--data", description = "directory for the H2 database and the bot's encrypted "
      + "store; a restart with the same directory keeps accounts, messages and the bot (default: in "
      + "memory, lost on exit)")
  Path data;

  @Option(names = "--web-root", description = "serve the browser app in this directory on the HTTP "
      + "port (default: " + DEFAULT_WEB_ROOT + " when that directory exists under the working directory)")
  Path webRoot;

  /** The web app of the source tree, built with {@code npm run build} in ciphertalk-js. */
  static final String DEFAULT_WEB_ROOT = "ciphertalk-js/web";

  @Option(names = "--bot", defaultValue = "echo", description = "the bot's user name (default: ${DEFAULT-VALUE})")
  String botName;

  private CipherTalkServer server;
  private CipherTalkClient botClient;
  private EchoBot bot;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new EmbeddedHost()).execute(args));
  }

  /** The same host keeping its database and the bot in {@code dir} (null: in memory). */
  public EmbeddedHost withData(Path dir) {
    this.data = dir;
    return this;
  }

  /** The same host serving the browser app in {@code dir} on its HTTP port. */
  public EmbeddedHost withWebRoot(Path dir) {
    this.webRoot = Objects.requireNonNull(dir, "dir");
    return this;
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
   * Starts the server, then the bot. Without {@code --data} the bot registers with a random password
   * and keeps its keys in memory (a new device identity on every start, like the database). With
   * {@code --data DIR} the bot is as durable as the server: its keys, history and token live in an
   * encrypted store {@code DIR/bot-NAME.db}, and its store key and password in
   * {@code DIR/bot-NAME.secret} (owner-readable only; as sensitive as the database beside it); the
   * next start logs in with them instead of registering again.
   */
  public synchronized EmbeddedHost start() throws CipherTalkException {
    CipherTalkServer.Builder b = CipherTalkServer.builder().wsPort(wsPort).httpPort(httpPort);
    Path web = webRoot();
    if (web != null) {
      b.webRoot(web);
    }
    if (data == null) {
      b.inMemoryDatabase();
    } else {
      b.dataDirectory(data);
    }
    server = b.build().start();
    bot = new EchoBot(botName);
    CipherTalkClient.Builder cb = CipherTalkClient.builder()
        .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), httpUri())
        .listener(bot);
    BotSecret secret = null;
    if (data != null) {
      secret = BotSecret.loadOrCreate(data.resolve("bot-" + botName + ".secret"));
      try {
        cb.store(JdbiLocalStore.builder().file(data.resolve("bot-" + botName + ".db"))
            .key(secret.storeKey()).open());
      } catch (InvalidStoreKeyException e) {
        throw new IllegalStateException("the bot's store in " + data + " does not match "
            + "bot-" + botName + ".secret", e);
      }
    }
    botClient = cb.build();
    bot.attach(botClient);
    if (secret == null) {
      botClient.register(botName, Base64.getUrlEncoder().encodeToString(
          RandomSource.secure().bytes(24)));
    } else if (secret.isNew()) {
      botClient.register(botName, secret.password());
    } else {
      try {
        botClient.login(botName, secret.password());
      } catch (AuthenticationException e) {
        if (botClient.address().isPresent()) {
          throw e; // the account exists and refuses this password: not ours to overwrite
        }
        botClient.register(botName, secret.password()); // a first start that stopped halfway
      }
    }
    botClient.connect();
    return this;
  }

  /** The directory of the browser app served, or null: {@code --web-root}, else the source tree's if present. */
  Path webRoot() {
    if (webRoot != null) {
      return webRoot;
    }
    Path dflt = Path.of(DEFAULT_WEB_ROOT);
    return java.nio.file.Files.isDirectory(dflt) ? dflt : null;
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
    Path web = webRoot();
    if (web != null) {
      System.out.println("  Web app: http://127.0.0.1:" + server.httpPort() + "/  (from " + web + ")");
      if (!java.nio.file.Files.exists(web.resolve("dist/app.js"))) {
        System.out.println("    not built yet: cd ciphertalk-js && npm ci && npm run build, then reload the page");
      }
    }
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
