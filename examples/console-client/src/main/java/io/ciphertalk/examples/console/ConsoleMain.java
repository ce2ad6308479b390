package io.ciphertalk.examples.console;

import io.ciphertalk.client.KeyExchange;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar ciphertalk-console.jar}: the command line (picocli) and the terminal edge. With a
 * terminal it uses JLine (line editing, history, completion, a live typing line); with piped input
 * or {@code --plain} it reads stdin and writes stdout line by line.
 */
@Command(name = "ciphertalk-console", mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    description = {"End-to-end-encrypted chat in the terminal.",
        "Type /help once signed in. The password is read from the terminal (or the first line of "
            + "piped input after the user name)."})
public final class ConsoleMain implements Callable<Integer> {
  @Option(names = {"-s", "--server"}, defaultValue = "ws://localhost:8000/ws",
      description = "the server's WebSocket URI (default: ${DEFAULT-VALUE})")
  URI server;

  @Option(names = "--http",
      description = "the server's HTTP base URI for login (default: the --server host, port 8080)")
  URI http;

  @Option(names = {"-u", "--user"}, description = "your user name (asked if omitted)")
  String user;

  @Option(names = "--register", description = "create the account first")
  boolean register;

  @Option(names = "--device", defaultValue = "1",
      description = "this device's number in your account; use 2 for a second device (default: 1)")
  int device;

  @Option(names = "--key-exchange", defaultValue = "PQXDH",
      description = "handshake for new sessions: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  KeyExchange keyExchange;

  @Option(names = "--plain",
      description = "no line editing: read stdin and write stdout (automatic when not on a terminal)")
  boolean plain;

  @Option(names = "--store", paramLabel = "FILE",
      description = "keep this device's keys and history in an encrypted H2 file (asks for its "
          + "passphrase); default: in memory, a new device identity each run")
  Path store;

  @Option(names = "--zone", description = "time zone for message times (default: the system's)")
  ZoneId zone;

  private final ClientFactory factory;

  ConsoleMain(ClientFactory factory) {
    this.factory = factory;
  }

  /** Entry point; exits with {@link ConsoleApp#OK}, {@link ConsoleApp#LOGIN_FAILED} or 1 on bad arguments. */
  public static void main(String[] args) {
    System.exit(commandLine(new DefaultClientFactory()).execute(args));
  }

  /** The picocli command line, for tests of the argument handling. */
  public static CommandLine commandLine(ClientFactory factory) {
    return new CommandLine(new ConsoleMain(factory))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setUnmatchedOptionsArePositionalParams(false)
        .setErr(new PrintWriter(System.err, true));
  }

  /** The options as the console sees them. */
  ConsoleApp.Options options() {
    return new ConsoleApp.Options(server, http == null ? ConsoleApp.Options.defaultHttp(server) : http,
        user, register, device, keyExchange,
        zone == null ? ZoneId.systemDefault() : zone, store);
  }

  @Override
  public Integer call() throws Exception {
    ConsoleApp.Options options = options();
    if (!plain && System.console() != null) {
      ChatSession[] session = new ChatSession[1];
      try (JLineConsole terminal = JLineConsole.open(() -> {
        if (session[0] != null) {
          session[0].keystroke();
        }
      })) {
        ConsoleApp app = new ConsoleApp(options, terminal, terminal, factory, Clock.systemUTC());
        session[0] = app.session();
        return app.run();
      }
    }
    PlainConsole console = new PlainConsole(System.in, System.out);
    return new ConsoleApp(options, console, console, factory, Clock.systemUTC()).run();
  }
}
