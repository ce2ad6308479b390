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

  private ServerHost() {}

  /**
   * Runs the host.
   *
   * @param args {@code <kind> <workers>}
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: ServerHost <relay|ciphertalk> <workers>");
    }
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    // Keep stdout for the protocol: anything else the server prints goes to stderr.
    System.setOut(System.err);
    try (Targets.Embedded server = Targets.start(args[0], Integer.parseInt(args[1]))) {
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
