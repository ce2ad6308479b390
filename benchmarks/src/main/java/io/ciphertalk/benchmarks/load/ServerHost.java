package io.ciphertalk.benchmarks.load;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Entry point of the child JVM that hosts the server under test for the load generator
 * ({@code fork} placement). Speaks a line protocol on stdin/stdout: it prints
 * {@code @@ READY <wsUrl> <httpUrl|->} (every protocol line starts with {@code @@ }), then answers {@code sample}, {@code sample-gc} (one JSON
 * {@link ServerSample} line) and {@code control <command>} (one line, {@code -} if unsupported),
 * and stops on {@code stop} or end of input.
 */
public final class ServerHost {

  /** Marks protocol lines: the JVM itself may print to stdout too (JFR start-up messages). */
  static final String PREFIX = "@@ ";

  /** Environment variable with a cluster node's JDBC URL (it carries the password). */
  static final String DB_URL_ENV = "CIPHERTALK_LOAD_DB_URL";

  /** Environment variable with a cluster node's Redis URL. */
  static final String REDIS_URL_ENV = "CIPHERTALK_LOAD_REDIS_URL";

  private ServerHost() {}

  /**
   * Runs the host.
   *
   * @param args {@code <kind> <workers>}, or for a CipherTalk cluster node
   *     {@code ciphertalk <workers> <nodeId> <poolSize>} with the shared database's JDBC URL in the
   *     environment variable {@value #DB_URL_ENV} and Redis's in {@value #REDIS_URL_ENV}
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2 && args.length != 4) {
      throw new IllegalArgumentException("usage: ServerHost <relay|ciphertalk> <workers> [<nodeId> <poolSize>]");
    }
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    // Keep stdout for the protocol: anything else the server prints goes to stderr.
    System.setOut(System.err);
    int workers = Integer.parseInt(args[1]);
    try (Targets.Embedded server = args.length == 2 ? Targets.start(args[0], workers)
        : Targets.startClusterNode(workers, new CipherTalkTarget.ClusterNode(System.getenv(DB_URL_ENV),
            System.getenv(REDIS_URL_ENV), args[2], Integer.parseInt(args[3])))) {
      out.println(PREFIX + "READY " + server.wsUrl() + " " + (server.httpUrl() == null ? "-" : server.httpUrl()));
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("stop")) {
          break;
        } else if (line.equals("sample") || line.equals("sample-gc")) {
          out.println(PREFIX + ProcessStats.selfSample(line.equals("sample-gc"), ProcessStats.processCpuNanos()).toJson());
        } else if (line.startsWith("control ")) {
          String reply;
          try {
            reply = server.control(line.substring("control ".length()));
          } catch (RuntimeException e) {
            reply = "ERROR " + e.getMessage();
          }
          out.println(PREFIX + (reply == null ? "-" : reply.replace('\n', ' ')));
        } else {
          out.println(PREFIX + "-");
        }
      }
    }
  }
}
