package io.ciphertalk.server.internal.cli;

import io.ciphertalk.server.CipherTalkServer;
import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The standalone server: {@code java -jar ciphertalk-server.jar [options]} or
 * {@code ... create-admin USERNAME [options]}. Not library code: this is the one place that talks to
 * the terminal and sets the process exit status (through the return value of {@link #run}).
 */
public final class Main {
  private Main() {}

  static final String USAGE = String.join("\n",
      "usage: java -jar ciphertalk-server.jar [COMMAND] [options]",
      "commands (run against the database while the server is stopped, or on a shared PostgreSQL):",
      "  create-admin USERNAME    create an administrator account",
      "  disable-account USERNAME  block logins, revoke tokens (enable-account USERNAME undoes it)",
      "  delete-account USERNAME  delete the account, its devices and memberships; the name stays retired",
      "  create-invite            print a single-use registration invite (for --invite-only), valid 7 days",
      "options:",
      "  --ws-port N       WebSocket port (default 8000; 0 = any free port)",
      "  --http-port N     HTTP port (default 8080; 0 = any free port)",
      "  --bind ADDR       address to listen on (default 127.0.0.1)",
      "  --data DIR        H2 database directory (default ./data)",
      "  --db JDBC_URL     JDBC URL instead of --data (e.g. jdbc:postgresql://host/db)",
      "  --db-user USER    database user (or env CIPHERTALK_DB_USER)",
      "  --redis URI       cluster mode: share --db (PostgreSQL) with other nodes, notify them through",
      "                    the Redis at redis://[[USER]:PASSWORD@]HOST:PORT (rediss:// for TLS; docs/scaling.md)",
      "  --node-id NAME    this node's name in the cluster (default: host name:WebSocket port)",
      "  --allowed-origin O  allow browser pages of origin O (WebSocket and REST CORS; repeatable, * = any)",
      "  --web-root DIR    serve the static web app in DIR at http://HOST:HTTP-PORT/ (e.g. ciphertalk-js/web)",
      "  --init            replace a database file that exists but is empty with a new database",
      "                    (without it the server refuses to start on such a file)",
      "network limits (docs/server-guide.md, \"Limits\"):",
      "  --max-connections N               WebSocket sockets incl. handshakes (default 10000)",
      "  --max-connections-per-address N   sockets per client address, each listener (default 256)",
      "  --max-message-bytes N             WebSocket message, summed over fragments (default 262144)",
      "  --preauth-message-bytes N         WebSocket message before hello (default 8192)",
      "  --preauth-buffer-bytes N          all unauthenticated sockets' unfinished input (default 16777216)",
      "  --inbound-buffer-bytes N          all authenticated sockets' unfinished messages (default 67108864)",
      "  --handshake-timeout S             seconds to complete the WebSocket upgrade (default 5)",
      "  --max-http-connections N          HTTP connections in total (default 1000)",
      "  --max-http-body-bytes N           HTTP request body (default 262144)",
      "  --http-idle-timeout S             seconds an HTTP connection may stay silent (default 10)",
      "  --http-request-timeout S          seconds for an HTTP request body to arrive (default 15)",
      "attachments (docs/server-guide.md, \"Attachments\"; ciphertext kept in DIR/blobs):",
      "  --max-blob-bytes N       largest attachment, ciphertext bytes (default 2147483648)",
      "  --blob-quota-bytes N     attachment bytes per user in all (default 5368709120)",
      "  --max-blob-part-bytes N  largest upload part (default 16777216)",
      "  --blob-orphan-timeout D  unfinished uploads idle this long are deleted (default 24h)",
      "account limits (docs/server-guide.md, \"Security\"):",
      "  --token-ttl D     bearer token lifetime (default 14d; D like 90m, 12h, 14d)",
      "  --token-idle D    unused tokens expire after D (default 7d)",
      "  --login-failures N  failed logins per account and address before lockout (default 5)",
      "  --login-lockout D   first lockout, doubling per further failure (default 1m)",
      "  --login-lockout-max D  longest lockout (default 1h)",
      "  --logins-per-address N  login attempts per address per 5 minutes (default 20)",
      "  --registrations-per-address N  registrations per address per hour (default 10)",
      "  --invite-only     registration needs an invite code (see create-invite)",
      "  --help            show this help",
      "  --version         show the version",
      "create-admin reads the password from the console, or from env CIPHERTALK_ADMIN_PASSWORD.",
      "The database password comes from env CIPHERTALK_DB_PASSWORD, the Redis password from env",
      "CIPHERTALK_REDIS_PASSWORD (or the --redis URI, which other local users may see in ps).");

  /** The options that take a value (the switch below handles each). */
  private static final java.util.Set<String> OPTIONS = java.util.Set.of("--ws-port", "--http-port",
      "--bind", "--data", "--db", "--db-user", "--redis", "--node-id", "--allowed-origin", "--web-root", "--max-connections",
      "--max-connections-per-address", "--max-message-bytes", "--preauth-message-bytes",
      "--preauth-buffer-bytes", "--inbound-buffer-bytes", "--handshake-timeout",
      "--max-http-connections", "--max-http-body-bytes", "--http-idle-timeout",
      "--http-request-timeout", "--token-ttl", "--token-idle", "--login-failures",
      "--logins-per-address", "--login-lockout", "--login-lockout-max", "--registrations-per-address",
      "--max-blob-bytes", "--blob-quota-bytes", "--max-blob-part-bytes", "--blob-orphan-timeout");

  /** The version Maven built this server as (a filtered resource). */
  static String version() {
    try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  public static void main(String[] args) throws Exception {
    int status = run(args, System.out, System.err);
    if (status > 0) {
      System.exit(status);
    }
  }

  /** Runs the command; returns an exit status, or -1 if the server is running until the JVM stops. */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    CipherTalkServer.Builder b = CipherTalkServer.builder();
    String adminUser = null;
    String command = null;
    String target = null;
    java.time.Duration[] lockout = {java.time.Duration.ofMinutes(1), java.time.Duration.ofHours(1)};
    int[] login = {5, 20, 10};
    List<String> origins = new ArrayList<>();
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    int preAuthMessage = 8 * 1024;
    long preAuthBuffer = 16L * 1024 * 1024;
    long[] blobLimits = {2L * 1024 * 1024 * 1024, 5L * 1024 * 1024 * 1024};
    long httpIdle = 10;
    long httpRequest = 15;
    try {
      if (!rest.isEmpty() && rest.get(0).equals("create-admin")) {
        rest.remove(0);
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
          throw new IllegalArgumentException("create-admin needs a USERNAME");
        }
        adminUser = rest.remove(0);
      } else if (!rest.isEmpty() && List.of("disable-account", "enable-account", "delete-account")
          .contains(rest.get(0))) {
        command = rest.remove(0);
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
          throw new IllegalArgumentException(command + " needs a USERNAME");
        }
        target = rest.remove(0);
      } else if (!rest.isEmpty() && rest.get(0).equals("create-invite")) {
        command = rest.remove(0);
      }
      for (int i = 0; i < rest.size(); i++) {
        String opt = rest.get(i);
        if (opt.equals("--help") || opt.equals("-h")) {
          out.println(USAGE);
          return 0;
        }
        if (opt.equals("--init")) {
          b.initDatabase(true);
          continue;
        }
        if (opt.equals("--invite-only")) {
          b.inviteOnly(true);
          continue;
        }
        if (opt.equals("--version") || opt.equals("-V")) {
          out.println("ciphertalk-server " + version());
          return 0;
        }
        if (!OPTIONS.contains(opt)) {
          throw new IllegalArgumentException("unknown option " + opt);
        }
        if (i + 1 >= rest.size()) {
          throw new IllegalArgumentException("missing value for " + opt);
        }
        String v = rest.get(++i);
        switch (opt) {
          case "--ws-port" -> b.wsPort(parsePort(v, opt));
          case "--http-port" -> b.httpPort(parsePort(v, opt));
          case "--bind" -> b.bindAddress(v);
          case "--data" -> b.dataDirectory(Path.of(v));
          case "--db" -> b.jdbcUrl(v);
          case "--db-user" -> b.dbCredentials(v, envOr("CIPHERTALK_DB_PASSWORD", ""));
          case "--redis" -> {
            b.redis(v);
            String redisPassword = System.getenv("CIPHERTALK_REDIS_PASSWORD");
            if (redisPassword != null && !redisPassword.isEmpty()) {
              b.redisPassword(redisPassword);
            }
          }
          case "--node-id" -> b.nodeId(v);
          case "--allowed-origin" -> origins.add(v);
          case "--web-root" -> b.webRoot(java.nio.file.Path.of(v));
          case "--max-connections" -> b.maxConnections((int) parseNumber(v, opt));
          case "--max-connections-per-address" -> b.maxConnectionsPerAddress((int) parseNumber(v, opt));
          case "--max-message-bytes" -> b.maxFrameBytes((int) parseNumber(v, opt));
          case "--preauth-message-bytes" -> preAuthMessage = (int) parseNumber(v, opt);
          case "--preauth-buffer-bytes" -> preAuthBuffer = parseNumber(v, opt);
          case "--inbound-buffer-bytes" -> b.inboundBufferBytes(parseNumber(v, opt));
          case "--handshake-timeout" -> b.handshakeTimeout(java.time.Duration.ofSeconds(parseNumber(v, opt)));
          case "--max-http-connections" -> b.maxHttpConnections((int) parseNumber(v, opt));
          case "--max-http-body-bytes" -> b.maxHttpBodyBytes((int) parseNumber(v, opt));
          case "--http-idle-timeout" -> httpIdle = parseNumber(v, opt);
          case "--http-request-timeout" -> httpRequest = parseNumber(v, opt);
          case "--token-ttl" -> b.tokenTtl(duration(v, opt));
          case "--token-idle" -> b.tokenIdleTimeout(duration(v, opt));
          case "--login-failures" -> login[0] = parsePort(v, opt);
          case "--logins-per-address" -> login[1] = parsePort(v, opt);
          case "--login-lockout" -> lockout[0] = duration(v, opt);
          case "--login-lockout-max" -> lockout[1] = duration(v, opt);
          case "--registrations-per-address" -> login[2] = parsePort(v, opt);
          case "--max-blob-bytes" -> blobLimits[0] = parseBytes(v, opt);
          case "--blob-quota-bytes" -> blobLimits[1] = parseBytes(v, opt);
          case "--max-blob-part-bytes" -> b.maxBlobPartBytes(parseNumber(v, opt));
          case "--blob-orphan-timeout" -> b.blobOrphanTimeout(duration(v, opt));
          default -> throw new IllegalArgumentException("unknown option " + opt);
        }
      }
      b.preAuthLimits(preAuthMessage, preAuthBuffer);
      b.blobLimits(blobLimits[0], blobLimits[1]);
      b.httpTimeouts(java.time.Duration.ofSeconds(httpIdle), java.time.Duration.ofSeconds(httpRequest));
      String dbUser = System.getenv("CIPHERTALK_DB_USER");
      if (dbUser != null) {
        b.dbCredentials(dbUser, envOr("CIPHERTALK_DB_PASSWORD", ""));
      }
      b.allowedOrigins(origins);
      b.loginRateLimit(login[0], login[1], java.time.Duration.ofMinutes(5)).loginLockout(lockout[0], lockout[1])
          .registrationRateLimit(login[2], java.time.Duration.ofHours(1));
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }

    if (adminUser != null) {
      char[] password;
      try {
        password = readPassword();
      } catch (IllegalArgumentException e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
      if (password == null) {
        err.println("error: no password (no console and CIPHERTALK_ADMIN_PASSWORD unset)");
        return 2;
      }
      // No listeners: only the database is needed.
      try (CipherTalkServer server = b.wsPort(-1).httpPort(-1).build().start()) {
        server.createAccount(adminUser, password, true);
        out.println("created admin account " + adminUser.toLowerCase(java.util.Locale.ROOT));
        return 0;
      } catch (IllegalArgumentException | IllegalStateException e) {
        err.println("error: " + e.getMessage());
        return 1;
      } finally {
        Arrays.fill(password, '\0');
      }
    }

    if (command != null) {
      // No listeners: only the database is needed.
      try (CipherTalkServer server = b.wsPort(-1).httpPort(-1).build().start()) {
        switch (command) {
          case "disable-account" -> server.disableAccount(target);
          case "enable-account" -> server.enableAccount(target);
          case "delete-account" -> server.deleteAccount(target);
          default -> {
            out.println(server.createInvite(java.time.Duration.ofDays(7)));
            return 0;
          }
        }
        out.println(command.substring(0, command.indexOf('-')) + "d account " + target.toLowerCase(java.util.Locale.ROOT));
        return 0;
      } catch (IllegalArgumentException | IllegalStateException e) {
        err.println("error: " + e.getMessage());
        return 1;
      }
    }

    CipherTalkServer server;
    try {
      b.build(); // settings that only make sense together (e.g. --redis needs --db) are checked here
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    try {
      server = b.build().start();
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "ciphertalk-shutdown"));
    out.println("CipherTalk server running: ws port " + server.wsPort() + " (/ws, /ws/chat/{room}/), http port "
        + server.httpPort() + " (/api/..., /health, /metrics). Stop with Ctrl-C or SIGTERM.");
    stopped.await();
    return -1;
  }

  private static int parsePort(String v, String opt) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs a number: " + v);
    }
  }

  private static long parseBytes(String v, String opt) {
    try {
      long n = Long.parseLong(v);
      if (n < 1) {
        throw new IllegalArgumentException(opt + " must be positive: " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs a number of bytes: " + v);
    }
  }

  private static long parseNumber(String v, String opt) {
    try {
      long n = Long.parseLong(v);
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(opt + " must be 1.." + Integer.MAX_VALUE + ": " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs a number: " + v);
    }
  }

  /** A duration such as {@code 90s}, {@code 30m}, {@code 12h} or {@code 14d}. */
  static java.time.Duration duration(String v, String opt) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,6})([smhd])").matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException(opt + " needs a duration like 90s, 30m, 12h or 14d: " + v);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> java.time.Duration.ofSeconds(n);
      case "m" -> java.time.Duration.ofMinutes(n);
      case "h" -> java.time.Duration.ofHours(n);
      default -> java.time.Duration.ofDays(n);
    };
  }

  private static String envOr(String name, String dflt) {
    String v = System.getenv(name);
    return v == null ? dflt : v;
  }

  /** Where create-admin reads its password twice; null when there is no terminal. */
  interface PasswordPrompt {
    char[] read(String prompt);
  }

  /** The terminal, or null when there is none. Tests replace it. */
  static PasswordPrompt prompt = p -> {
    Console console = System.console();
    return console == null ? null : console.readPassword(p);
  };

  /**
   * The admin password from the environment or, asked twice, from the terminal.
   *
   * @return null if there is neither
   * @throws IllegalArgumentException if the two entries differ (one error, nothing else)
   */
  static char[] readPassword() {
    String env = System.getenv("CIPHERTALK_ADMIN_PASSWORD");
    if (env != null) {
      return env.toCharArray();
    }
    char[] a = prompt.read("password: ");
    if (a == null) {
      return null;
    }
    char[] b2 = prompt.read("again: ");
    if (b2 == null || !Arrays.equals(a, b2)) {
      Arrays.fill(a, '\0');
      throw new IllegalArgumentException("the two passwords differ; nothing was created");
    }
    Arrays.fill(b2, '\0');
    return a;
  }
}
