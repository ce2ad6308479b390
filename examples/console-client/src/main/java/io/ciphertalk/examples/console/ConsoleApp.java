package io.ciphertalk.examples.console;

import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.KeyExchange;
import io.ciphertalk.client.RequestFailedException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The console client without its terminal: logs in (or registers), connects, then reads lines from a
 * {@link LineSource}, parses them with {@link CommandParser} and runs them in a {@link ChatSession}
 * until {@code /quit} or the end of input. {@link ConsoleMain} wires it to JLine or to plain
 * stdin/stdout; tests and the demo wire it to pipes with {@link ConsoleDriver}.
 *
 * <p>{@link #run()} is called once, on one thread.
 */
public final class ConsoleApp {
  /** Exit code: normal end. */
  public static final int OK = 0;
  /** Exit code: login, registration or connection failed. */
  public static final int LOGIN_FAILED = 2;

  /**
   * What the console was started with.
   *
   * @param server the server's WebSocket URI, e.g. {@code ws://localhost:8000/ws}
   * @param http the server's HTTP base URI for login and registration, e.g. {@code http://localhost:8080/}
   * @param user the user id, or null to ask for it
   * @param register true to create the account first
   * @param deviceId this device's number within the account
   * @param keyExchange the handshake suite for new sessions
   * @param zone the time zone for message times
   * @param store an encrypted file to keep this device's keys and history in, or null for memory
   */
  public record Options(URI server, URI http, String user, boolean register, int deviceId,
      KeyExchange keyExchange, ZoneId zone, Path store) {
    public Options {
      Objects.requireNonNull(server, "server");
      Objects.requireNonNull(http, "http");
      Objects.requireNonNull(keyExchange, "keyExchange");
      Objects.requireNonNull(zone, "zone");
      if (deviceId < 1) {
        throw new IllegalArgumentException("device must be positive: " + deviceId);
      }
    }

    /** Options for {@code user} on a server with defaults (device 1, PQXDH as the SDK, UTC). */
    public static Options of(URI server, URI http, String user, boolean register) {
      return new Options(server, http, user, register, 1, KeyExchange.PQXDH, ZoneId.of("UTC"), null);
    }

    /** The same options for another device of the account. */
    public Options withDevice(int device) {
      return new Options(server, http, user, register, device, keyExchange, zone, store);
    }

    /** The same options with an encrypted store file. */
    public Options withStore(Path file) {
      return new Options(server, http, user, register, deviceId, keyExchange, zone, file);
    }

    /** The HTTP base a server has by default next to {@code ws}: same host, port 8080. */
    public static URI defaultHttp(URI ws) {
      String scheme = "wss".equalsIgnoreCase(ws.getScheme()) ? "https" : "http";
      return URI.create(scheme + "://" + ws.getHost() + ":8080/");
    }
  }

  private final Options options;
  private final LineSource in;
  private final ConsoleOutput out;
  private final ClientFactory factory;
  private final Renderer renderer;
  private final CommandParser parser = new CommandParser();
  private final ChatSession session;

  public ConsoleApp(Options options, LineSource in, ConsoleOutput out, ClientFactory factory,
      Clock clock) {
    this.options = Objects.requireNonNull(options, "options");
    this.in = Objects.requireNonNull(in, "in");
    this.out = Objects.requireNonNull(out, "out");
    this.factory = Objects.requireNonNull(factory, "factory");
    this.renderer = new Renderer(options.zone());
    this.session = new ChatSession(renderer, out, clock);
  }

  /** The session, for the terminal's keystroke hook. */
  public ChatSession session() {
    return session;
  }

  /** The server's rule for user names (it keeps them in lower case). */
  static final java.util.regex.Pattern USER_NAME =
      java.util.regex.Pattern.compile("[a-z0-9._-]{3,32}");

  /** The server's minimum password length. */
  static final int MIN_PASSWORD = 8;

  /** How many times a password is asked before the console gives up. */
  static final int PASSWORD_TRIES = 3;

  /** Runs the console until {@code /quit} or end of input; returns the exit code. */
  public int run() {
    String typed = options.user();
    if (typed == null) {
      typed = in.readLine("user: ");
      if (typed == null || typed.isBlank()) {
        out.println(renderer.error("no user name given"));
        return LOGIN_FAILED;
      }
    }
    // Refused or normalised before anything reaches the server, so a typo never uses up a device.
    String user = typed.strip().toLowerCase(java.util.Locale.ROOT);
    if (!USER_NAME.matcher(user).matches()) {
      out.println(renderer.error("not a user name: '" + typed.strip() + "' (3 to 32 characters: "
          + "letters, digits, '.', '_', '-')"));
      return LOGIN_FAILED;
    }
    if (!user.equals(typed.strip())) {
      out.println(renderer.info("user names are lower case: signing in as " + user));
    }
    char[] storePassphrase = null;
    if (options.store() != null) {
      String p = in.readSecret("passphrase for the store " + options.store() + ": ");
      if (p == null || p.isEmpty()) {
        out.println(renderer.error("no store passphrase given"));
        return LOGIN_FAILED;
      }
      storePassphrase = p.toCharArray();
    }
    CipherTalkClient created;
    try {
      created = factory.create(options, storePassphrase, session.listener());
    } catch (IllegalArgumentException | IllegalStateException e) {
      out.println(renderer.error(e.getMessage()));
      return LOGIN_FAILED;
    } finally {
      if (storePassphrase != null) {
        java.util.Arrays.fill(storePassphrase, '\0');
      }
    }
    try (CipherTalkClient client = created) {
      session.attach(client, user);
      // A store that already holds this device's account (and its token) needs no password.
      java.util.Optional<String> storedUser = client.address().map(a -> a.userId());
      if (storedUser.isPresent() && !storedUser.get().equals(user)) {
        out.println(renderer.error("the store " + options.store() + " belongs to "
            + storedUser.get() + ", not " + user));
        return LOGIN_FAILED;
      }
      boolean stored = storedUser.isPresent();
      boolean offline = false;
      try {
        if (!stored) {
          if (!signIn(client, user, options.register())) {
            return LOGIN_FAILED;
          }
        }
        try {
          client.connect();
        } catch (AuthenticationException e) {
          if (!stored) {
            throw e;
          }
          out.println(renderer.error("the server refused the stored session (" + e.getMessage()
              + "): sign in again"));
          if (!signIn(client, user, false)) {
            return LOGIN_FAILED;
          }
          client.connect();
        } catch (RequestFailedException e) {
          if (!stored || e.code().equals("conflict") || e.code().equals("rate_limited")) {
            throw e;
          }
          offline = true; // the client keeps trying by itself
        }
      } catch (AuthenticationException e) {
        out.println(renderer.error((options.register() ? "registration" : "login") + " failed: "
            + e.getMessage()));
        return LOGIN_FAILED;
      } catch (RequestFailedException e) {
        if (e.code().equals("conflict")) {
          out.println(renderer.error("device " + options.deviceId() + " of " + user
              + " already has other keys (a device's keys cannot change). Start with --device "
              + (options.deviceId() + 1) + " to add this one as a new device."));
          return LOGIN_FAILED;
        }
        if (e.code().equals("rate_limited")) {
          out.println(renderer.error("too many login attempts: wait a few minutes and try again"));
          return LOGIN_FAILED;
        }
        unreachable(e);
        return LOGIN_FAILED;
      } catch (CipherTalkException e) {
        unreachable(e);
        return LOGIN_FAILED;
      } catch (IllegalArgumentException e) {
        out.println(renderer.error(e.getMessage()));
        return LOGIN_FAILED;
      }
      session.rememberRooms();
      if (offline) {
        out.println(renderer.info("offline: " + options.server() + " does not answer. Working from "
            + "the store as " + user + " (device " + options.deviceId() + "): history is here, "
            + "messages you send are queued and go out when the server is back; /help lists the "
            + "commands"));
      } else {
        out.println(renderer.info("signed in as " + user + " (device " + options.deviceId()
            + ") on " + options.server() + "; /help lists the commands"));
      }
      loop(client, user);
      session.stop();
      out.println(renderer.info("bye"));
      return OK;
    }
  }

  private void unreachable(CipherTalkException e) {
    out.println(renderer.error("cannot reach the server (WebSocket " + options.server()
        + ", HTTP " + options.http() + "): " + e.getMessage()));
    out.println(renderer.error("is it running? " + options.http().resolve("/health")
        + " should answer; --server and --http choose the addresses"));
  }

  /**
   * Asks for the password and registers or logs in. A password the server would refuse as too short
   * is asked again (up to {@value #PASSWORD_TRIES} times) before anything is sent.
   *
   * @return false if no usable password was given (the reason is printed)
   */
  private boolean signIn(CipherTalkClient client, String user, boolean register)
      throws CipherTalkException {
    for (int attempt = 1; ; attempt++) {
      String password = in.readSecret(register ? "choose a password for " + user + " (at least "
          + MIN_PASSWORD + " characters): " : "password for " + user + ": ");
      if (password == null) {
        out.println(renderer.error("no password given"));
        return false;
      }
      if (register && password.length() < MIN_PASSWORD) {
        out.println(renderer.error("a password needs at least " + MIN_PASSWORD + " characters"
            + (attempt < PASSWORD_TRIES ? "; try again" : "")));
        if (attempt < PASSWORD_TRIES) {
          continue;
        }
        return false;
      }
      if (register) {
        client.register(user, password);
      } else {
        login(client, user, password);
      }
      return true;
    }
  }

  /** Logs in; if the account has a second factor, asks for the one-time code (RFC 6238). */
  private void login(CipherTalkClient client, String user, String password)
      throws CipherTalkException {
    try {
      client.login(user, password);
    } catch (AuthenticationException e) {
      if (!String.valueOf(e.getMessage()).startsWith(TotpLogin.TOTP_REQUIRED)) {
        throw e;
      }
      String code = in.readSecret("one-time code for " + user + ": ");
      if (code == null) {
        throw new AuthenticationException("no one-time code given");
      }
      client.useToken(user, new TotpLogin(options.http()).login(user, password, code.strip()));
    }
  }

  private void loop(CipherTalkClient client, String user) {
    while (true) {
      String line = in.readLine(session.prompt());
      if (line == null) {
        return;
      }
      // The top-level guard: whatever goes wrong in one command is one line, never the end.
      try {
        Command command = parser.parse(line);
        if (command instanceof Command.Login) {
          relogin(client, user);
        } else if (command instanceof Command.Passwd) {
          changePassword(client, user);
        } else if (command instanceof Command.Logout) {
          if (logout(client, user)) {
            return;
          }
        } else if (!session.execute(command)) {
          return;
        }
      } catch (CommandSyntaxException e) {
        out.println(renderer.error(e.getMessage()));
      } catch (RuntimeException e) {
        out.println(session.describe(e));
      }
    }
  }

  /**
   * {@code /passwd}: asks the current password, the new one twice (and a one-time code if the
   * account has a second factor) and changes it. The server keeps this device's session and ends
   * every other session of the account, so the other devices {@code /login} with the new password.
   */
  private void changePassword(CipherTalkClient client, String user) {
    String current = in.readSecret("current password for " + user + ": ");
    if (current == null || current.isEmpty()) {
      out.println(renderer.error("no password given: password not changed"));
      return;
    }
    String next = in.readSecret("new password (at least " + MIN_PASSWORD + " characters): ");
    if (next == null || next.length() < MIN_PASSWORD) {
      out.println(renderer.error("a password needs at least " + MIN_PASSWORD
          + " characters: password not changed"));
      return;
    }
    String again = in.readSecret("the new password again: ");
    if (!next.equals(again)) {
      out.println(renderer.error("the two new passwords differ: password not changed"));
      return;
    }
    String code = null;
    while (true) {
      try {
        int ended = client.changePassword(current, next, code);
        out.println(renderer.info("password changed; this device stays signed in"
            + (ended > 0 ? ", and " + ended + " other session(s) of " + user + " ended: type /login"
            + " with the new password on your other devices" : "")));
        return;
      } catch (AuthenticationException e) {
        String why = String.valueOf(e.getMessage());
        if (why.startsWith("totp_required") && code == null) {
          code = in.readSecret("one-time code for " + user + ": ");
          if (code != null && !code.isBlank()) {
            code = code.strip();
            continue;
          }
          out.println(renderer.error("no one-time code given: password not changed"));
        } else if (why.startsWith("invalid_credentials")) {
          out.println(renderer.error("wrong current password" + (code == null ? "" : " or code")
              + ": password not changed"));
        } else if (why.startsWith("weak_password")) {
          out.println(renderer.error("the server refused the new password (8 to 256 characters):"
              + " password not changed"));
        } else {
          out.println(renderer.error("password not changed: " + why));
        }
        return;
      }
    }
  }

  /**
   * {@code /logout}: revokes this device for good (the SDK's {@link CipherTalkClient#logout()}: a
   * signed self-revocation, so contacts stop encrypting to it and the server refuses it) after the
   * user typed {@code yes}, then ends the console. The account's only device is not logged out:
   * with no device left, none could link a new one, and the account would be lost.
   *
   * @return true if the device was logged out (the console ends)
   */
  private boolean logout(CipherTalkClient client, String user) {
    int me = client.address().orElseThrow(
        () -> new IllegalStateException("not signed in")).deviceId();
    java.util.List<Integer> devices = client.ownDevices();
    if (devices.stream().noneMatch(d -> d != me)) {
      out.println(renderer.error("device " + me + " is the only device of " + user + ": logging"
          + " it out would lock you out of the account (no device would be left to link a new"
          + " one). /quit leaves the console and keeps this device"
          + (options.store() == null ? "" : " in " + options.store()) + "."));
      return false;
    }
    String answer = in.readLine("log out device " + me + " of " + user + " for good? It is"
        + " revoked: it gets nothing new and cannot sign in again, and your groups move to new"
        + " keys. Type yes to confirm: ");
    if (answer == null || !answer.strip().equalsIgnoreCase("yes")) {
      out.println(renderer.info("not logged out"));
      return false;
    }
    client.logout();
    out.println(renderer.info("logged out: device " + me + " of " + user + " is revoked"
        + (options.store() == null ? "" : "; the store " + options.store()
            + " now holds a revoked device and can be deleted")
        + ". To chat as " + user + " here again, start a new device (--device N) and link it"
        + " from one of your devices " + devices.stream().filter(d -> d != me).toList()));
    return true;
  }

  /** {@code /login}: a new token for this device after the server ended the session. */
  private void relogin(CipherTalkClient client, String user) {
    try {
      if (!signIn(client, user, false)) {
        return;
      }
    } catch (AuthenticationException e) {
      out.println(renderer.error("login failed: " + e.getMessage() + " (/login to try again)"));
      return;
    }
    client.connect();
    session.sessionResumed();
    out.println(renderer.info("signed in again as " + user + "; queued messages go out now"));
  }
}
