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
      "usage: java -jar ciphertalk-server.jar [create-admin USERNAME] [options]",
      "  --ws-port N       WebSocket port (default 8000; 0 = any free port)",
      "  --http-port N     HTTP port (default 8080; 0 = any free port)",
      "  --bind ADDR       address to listen on (default 127.0.0.1)",
      "  --data DIR        H2 database directory (default ./data)",
      "  --db JDBC_URL     JDBC URL instead of --data (e.g. jdbc:postgresql://host/db)",
      "  --db-user USER    database user (or env CIPHERTALK_DB_USER)",
      "  --allowed-origin O  allow browser WebSocket connections from origin O (repeatable, * = any)",
      "  --help            show this help",
      "create-admin reads the password from the console, or from env CIPHERTALK_ADMIN_PASSWORD.",
      "The database password comes from env CIPHERTALK_DB_PASSWORD.");

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
    List<String> origins = new ArrayList<>();
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    try {
      if (!rest.isEmpty() && rest.get(0).equals("create-admin")) {
        rest.remove(0);
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
          throw new IllegalArgumentException("create-admin needs a USERNAME");
        }
        adminUser = rest.remove(0);
      }
      for (int i = 0; i < rest.size(); i++) {
        String opt = rest.get(i);
        if (opt.equals("--help") || opt.equals("-h")) {
          out.println(USAGE);
          return 0;
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
          case "--allowed-origin" -> origins.add(v);
          default -> throw new IllegalArgumentException("unknown option " + opt);
        }
      }
      String dbUser = System.getenv("CIPHERTALK_DB_USER");
      if (dbUser != null) {
        b.dbCredentials(dbUser, envOr("CIPHERTALK_DB_PASSWORD", ""));
      }
      b.allowedOrigins(origins);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }

    if (adminUser != null) {
      char[] password = readPassword(err);
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

    CipherTalkServer server;
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

  private static String envOr(String name, String dflt) {
    String v = System.getenv(name);
    return v == null ? dflt : v;
  }

  private static char[] readPassword(PrintStream err) {
    String env = System.getenv("CIPHERTALK_ADMIN_PASSWORD");
    if (env != null) {
      return env.toCharArray();
    }
    Console console = System.console();
    if (console == null) {
      return null;
    }
    char[] a = console.readPassword("password: ");
    char[] b2 = console.readPassword("again: ");
    if (a == null || b2 == null || !Arrays.equals(a, b2)) {
      err.println("passwords differ");
      return null;
    }
    return a;
  }
}
