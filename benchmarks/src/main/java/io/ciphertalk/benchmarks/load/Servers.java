package io.ciphertalk.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Factories for {@link ServerUnderTest} placements: in this JVM, in a child JVM, or external. */
final class Servers {

  private Servers() {}

  /**
   * A server in this JVM. Its CPU figure is this process's CPU time minus {@code generatorCpu}
   * (the generator's own threads), so JIT and GC time of both sides is charged to the server.
   */
  static ServerUnderTest inProcess(String kind, int workers, LongSupplier generatorCpu) throws Exception {
    Targets.Embedded embedded = Targets.start(kind, workers);
    return new ServerUnderTest() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public String placement() {
        return "inproc";
      }

      @Override
      public String wsUrl() {
        return embedded.wsUrl();
      }

      @Override
      public String httpUrl() {
        return embedded.httpUrl();
      }

      @Override
      public ServerSample sample(boolean gcFirst) {
        long cpu = ProcessStats.processCpuNanos() - generatorCpu.getAsLong();
        return ProcessStats.selfSample(gcFirst, cpu);
      }

      @Override
      public String control(String command) {
        return embedded.control(command);
      }

      @Override
      public void close() throws Exception {
        embedded.close();
      }
    };
  }

  /**
   * A server in a child JVM running {@link ServerHost} from this jar's class path, so its heap and
   * CPU are its own.
   *
   * @param jvmArgs extra JVM options for the child (e.g. {@code -Xmx512m}, a JFR recording)
   */
  static ServerUnderTest forked(String kind, int workers, List<String> jvmArgs) throws IOException {
    return forked(kind, workers, jvmArgs, List.of(), java.util.Map.of());
  }

  /**
   * A server in a child JVM, as {@link #forked(String, int, List)}, with extra {@link ServerHost}
   * arguments and environment variables (a cluster node's database and Redis URLs go through the
   * environment, so the database password is not on a command line).
   */
  static ServerUnderTest forked(String kind, int workers, List<String> jvmArgs, List<String> hostArgs,
      java.util.Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ServerHost.class.getName());
    cmd.add(kind);
    cmd.add(Integer.toString(workers));
    cmd.addAll(hostArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(env);
    Process process = pb.start();
    BufferedReader fromChild = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    PrintWriter toChild = new PrintWriter(
        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    String ready = readReply(fromChild);
    if (ready == null || !ready.startsWith("READY ")) {
      process.destroyForcibly();
      throw new IOException("server child did not start: " + ready);
    }
    String[] parts = ready.split(" ");
    String ws = parts[1];
    String http = parts.length > 2 && !parts[2].equals("-") ? parts[2] : null;
    return new ServerUnderTest() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public String placement() {
        return "fork";
      }

      @Override
      public String wsUrl() {
        return ws;
      }

      @Override
      public String httpUrl() {
        return http;
      }

      @Override
      public synchronized ServerSample sample(boolean gcFirst) {
        String reply = ask(gcFirst ? "sample-gc" : "sample");
        return reply == null ? ServerSample.unknown() : ServerSample.fromJson(reply);
      }

      @Override
      public synchronized String control(String command) {
        String reply = ask("control " + command);
        return reply == null || reply.equals("-") ? null : reply;
      }

      private String ask(String line) {
        try {
          toChild.println(line);
          return readReply(fromChild);
        } catch (IOException e) {
          return null;
        }
      }

      @Override
      public void kill() {
        process.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no goodbye to Redis
        try {
          process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public synchronized void close() throws Exception {
        if (!process.isAlive()) {
          return;
        }
        toChild.println("stop");
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    };
  }

  /** The next protocol line from a {@link ServerHost} child, echoing other output to stderr. */
  private static String readReply(BufferedReader fromChild) throws IOException {
    String line;
    while ((line = fromChild.readLine()) != null) {
      if (line.startsWith(ServerHost.PREFIX)) {
        return line.substring(ServerHost.PREFIX.length());
      }
      System.err.println("[server] " + line);
    }
    return null;
  }

  /**
   * Several nodes of one cluster as one server under test: REST goes to the first node, clients are
   * spread over {@link ServerUnderTest#wsUrls()} by the protocol, and a sample adds the nodes' CPU
   * time, heap, RSS and threads (a killed node counts with its last sample). Closing closes every
   * node.
   */
  static ServerUnderTest cluster(List<ServerUnderTest> nodes) {
    List<ServerUnderTest> all = List.copyOf(nodes);
    ServerSample[] last = new ServerSample[all.size()];
    return new ServerUnderTest() {
      @Override
      public String kind() {
        return all.get(0).kind();
      }

      @Override
      public String placement() {
        return all.get(0).placement();
      }

      @Override
      public String wsUrl() {
        return all.get(0).wsUrl();
      }

      @Override
      public List<String> wsUrls() {
        return all.stream().map(ServerUnderTest::wsUrl).toList();
      }

      @Override
      public String httpUrl() {
        return all.get(0).httpUrl();
      }

      @Override
      public synchronized ServerSample sample(boolean gcFirst) {
        long heap = 0;
        long max = 0;
        long cpu = 0;
        long rss = 0;
        int threads = 0;
        for (int i = 0; i < all.size(); i++) {
          ServerSample s = all.get(i).sample(gcFirst);
          if (s.cpuNanos() >= 0) {
            last[i] = s;
          } else if (last[i] != null) {
            s = last[i];
          } else {
            return ServerSample.unknown();
          }
          heap += s.heapUsedBytes();
          max += s.heapMaxBytes();
          cpu += s.cpuNanos();
          rss += s.rssBytes();
          threads += s.threads();
        }
        return new ServerSample(heap, max, cpu, rss, threads);
      }

      @Override
      public void close() throws Exception {
        Exception first = null;
        for (ServerUnderTest n : all) {
          try {
            n.close();
          } catch (Exception e) {
            first = first == null ? e : first;
          }
        }
        if (first != null) {
          throw first;
        }
      }
    };
  }

  /** A server already running; CPU and RSS from {@code /proc/PID} if {@code pid > 0}. */
  static ServerUnderTest external(String kind, String wsUrl, String httpUrl, long pid) {
    return new ServerUnderTest() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public String placement() {
        return "url";
      }

      @Override
      public String wsUrl() {
        return wsUrl;
      }

      @Override
      public String httpUrl() {
        return httpUrl;
      }

      @Override
      public ServerSample sample(boolean gcFirst) {
        if (pid <= 0) {
          return ServerSample.unknown();
        }
        return new ServerSample(-1, -1, ProcessStats.procCpuNanos(pid), ProcessStats.rssBytes(pid),
            ProcessStats.procThreads(pid));
      }

      @Override
      public void close() {
        // not ours to stop
      }
    };
  }
}
