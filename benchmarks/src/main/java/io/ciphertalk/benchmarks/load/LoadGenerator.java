package io.ciphertalk.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Command-line front door of the server load generator. Drives simulated clients over real
 * WebSockets on 127.0.0.1 against the reference relay and CipherTalk, and prints JSON and markdown.
 *
 * <pre>
 * run     [options]   one run against --target (relay|ciphertalk)
 * compare [options]   the same run against the relay and CipherTalk, side by side with the ratio
 * suite   [options]   the full comparison: max fan-out throughput (closed loop), latency at half of
 *                     that rate (open loop) and idle-scale heap per connection, for both servers
 * relay   [--port P]  a standalone reference relay on 127.0.0.1 (for --url runs)
 * catchup [options]   the SDK client pipeline ({@link CatchUpBenchmark}): send and catch-up msg/s
 *                     of a queue for an offline device, and live send-to-display latency
 * cluster [options]   CipherTalk on a shared PostgreSQL and Redis ({@link ClusterBenchmark}): 1 node
 *                     vs 2 nodes side by side, then a node killed mid-run
 * </pre>
 *
 * Options: see {@link LoadConfig#parse}; plus {@code --out DIR} (suite/compare/run: where JSON and
 * markdown go, default {@code benchmarks/target/load}) and, for suite, {@code --idle-target N}
 * (default 10000, 0 to skip).
 */
public final class LoadGenerator {

  private LoadGenerator() {}

  /** Entry point; see the class comment for the commands. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println(usage());
      return;
    }
    List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
    Path out = Path.of(take(rest, "--out", "benchmarks/target/load"));
    switch (args[0]) {
      case "run" -> {
        LoadConfig cfg = LoadConfig.parseInto(LoadConfig.builder(), rest).build();
        LoadReport r = new LoadRun(cfg).execute();
        System.out.println(r.toJson());
        System.out.println(LoadReport.markdownHeader());
        System.out.println(r.markdownRow());
        write(out, "run-" + cfg.target() + ".json", r.toJson());
      }
      case "compare" -> {
        LoadConfig base = LoadConfig.parseInto(LoadConfig.builder(), rest).build();
        Map<String, LoadReport> byTarget = new LinkedHashMap<>();
        for (String target : Targets.available()) {
          byTarget.put(target, new LoadRun(base.toBuilder().target(target).build()).execute());
        }
        String md = base.idleConnections() > 0
            ? idleTable(base.idleConnections(), base, byTarget)
            : comparisonTable("Same settings: " + describe(base), byTarget);
        System.out.println(md);
        write(out, "compare.md", md);
        write(out, "compare.json", jsonArray(byTarget.values()));
      }
      case "suite" -> suite(rest, out);
      case "catchup" -> CatchUpBenchmark.main(rest, out);
      case "cluster" -> ClusterBenchmark.main(rest, out);
      case "relay" -> {
        int port = Integer.parseInt(take(rest, "--port", "9000"));
        try (ReferenceRelay relay = ReferenceRelay.start(port, Runtime.getRuntime().availableProcessors())) {
          System.out.println("reference relay listening on " + relay.url() + " (Ctrl-C to stop)");
          Thread.currentThread().join();
        }
      }
      default -> throw new IllegalArgumentException("unknown command: " + args[0] + "\n" + usage());
    }
  }

  /** The suite's warm-up unless --warmup is given: long enough for C2 to finish with the server's hot paths. */
  static final String SUITE_WARMUP_SECONDS = "30";

  private static void suite(List<String> rest, Path out) throws Exception {
    int idleTarget = Integer.parseInt(take(rest, "--idle-target", "10000"));
    if (!rest.contains("--warmup")) {
      rest.add("--warmup");
      rest.add(SUITE_WARMUP_SECONDS);
    }
    LoadConfig base = LoadConfig.parseInto(LoadConfig.builder(), rest).build();
    if (base.placement().equals("url")) {
      throw new IllegalArgumentException("suite starts its own servers: use compare/run for --url");
    }
    List<String> targets = Targets.available();
    // With a forked server, each target's server lives through the whole suite (accounts are created
    // once, Argon2id being the slowest part of preparing); in-process, every run starts its own.
    Map<String, ServerUnderTest> servers = new LinkedHashMap<>();
    Map<String, ClientProtocol> protocols = new LinkedHashMap<>();
    List<String> started = new ArrayList<>(targets);
    if (targets.contains(Targets.CIPHERTALK)) {
      started.add(Targets.RELAY_COALESCED); // the second reference of phase 1
    }
    if (base.placement().equals("fork")) {
      for (String t : started) {
        LoadConfig c = base.toBuilder().target(t).build();
        servers.put(t, LoadRun.startServer(c, () -> 0L));
        protocols.put(t, Targets.protocol(t, c));
      }
    }
    try {
      suitePhases(base, targets, servers, protocols, idleTarget, out);
    } finally {
      for (ServerUnderTest s : servers.values()) {
        s.close();
      }
    }
  }

  private static LoadReport runOn(LoadConfig cfg, Map<String, ServerUnderTest> servers,
      Map<String, ClientProtocol> protocols) throws Exception {
    ServerUnderTest server = servers.get(cfg.target());
    if (server == null) {
      return new LoadRun(cfg).execute();
    }
    return new LoadRun(cfg, server, protocols.get(cfg.target()), null).execute();
  }

  private static void suitePhases(LoadConfig base, List<String> targets, Map<String, ServerUnderTest> servers,
      Map<String, ClientProtocol> protocols, int idleTarget, Path out) throws Exception {
    List<LoadReport> all = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    md.append("Machine: ").append(LoadRun.machine()).append("\n\n");

    // 1. Sustained maximum: closed loop, each sender keeps a window of messages in flight.
    LoadConfig maxCfg = base.toBuilder().closedLoop(true).build();
    Map<String, LoadReport> max = new LinkedHashMap<>();
    for (String t : targets) {
      max.put(t, runOn(maxCfg.toBuilder().target(t).build(), servers, protocols));
    }
    if (targets.contains(Targets.CIPHERTALK)) {
      max.put(Targets.RELAY_COALESCED, runOn(maxCfg.toBuilder().target(Targets.RELAY_COALESCED).build(), servers, protocols));
    }
    all.addAll(max.values());
    md.append(comparisonTable("1. Sustained fan-out maximum (closed loop): " + describe(maxCfg), max));

    // 2. Latency at half the sustained maximum send rate of CipherTalk (or the relay without it),
    //    open loop, the same rate for both servers.
    LoadReport ref = max.getOrDefault(Targets.CIPHERTALK, max.get(Targets.RELAY));
    double half = Math.max(1, Math.floor(ref.sentPerSecond() / 2));
    LoadConfig halfCfg = base.toBuilder().closedLoop(false).rate(half).build();
    Map<String, LoadReport> lat = new LinkedHashMap<>();
    for (String t : targets) {
      lat.put(t, runOn(halfCfg.toBuilder().target(t).build(), servers, protocols));
    }
    all.addAll(lat.values());
    md.append("\n").append(comparisonTable("2. Latency at half of " + ref.target()
        + "'s sustained maximum send rate (open loop, " + String.format(Locale.ROOT, "%.0f", half)
        + " sends/s): " + describe(halfCfg), lat));

    // 3. Idle scale.
    if (idleTarget > 0) {
      Map<String, LoadReport> idle = new LinkedHashMap<>();
      for (String t : targets) {
        idle.put(t, runOn(base.toBuilder().target(t).idleConnections(idleTarget).build(), servers, protocols));
      }
      all.addAll(idle.values());
      md.append("\n").append(idleTable(idleTarget, base, idle));
    }
    md.append("\nTargets: CipherTalk >= 0.5x relay delivered msg/s with 0 lost and 0 duplicates; "
        + "p99 <= 50 ms at half the sustained maximum; 10,000 idle authenticated connections within 512 MiB heap.\n");
    System.out.println(md);
    write(out, "suite.md", md.toString());
    write(out, "suite.json", jsonArray(all));
  }

  static String describe(LoadConfig c) {
    return String.format(Locale.ROOT, "%d clients in rooms of %d, %d-byte %s messages, %s, %s s (+%s s warm-up), server %s, %s",
        c.clients(), c.roomSize(), c.messageSize(), c.preEncrypted() ? "pre-encrypted" : "client-encrypted",
        c.closedLoop() ? "closed loop window " + c.window() : String.format(Locale.ROOT, "open loop %.0f sends/s", c.rate()),
        trim(c.durationSeconds()), trim(c.warmupSeconds()), c.placement(),
        c.ackEvery() == 0 ? "CipherTalk acks as the SDK (per stream after 50 ms or 64 deliveries)"
            : c.ackEvery() == 1 ? "CipherTalk acks each delivery" : "CipherTalk acks every " + c.ackEvery() + "th delivery");
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** Metric rows with one column per target and the CipherTalk/relay ratio. */
  static String comparisonTable(String title, Map<String, LoadReport> byTarget) {
    StringBuilder sb = new StringBuilder();
    sb.append("**").append(title).append("**\n\n");
    sb.append("| metric | relay | ciphertalk | ciphertalk / relay |\n|---|---:|---:|---:|\n");
    LoadReport relay = byTarget.get(Targets.RELAY);
    LoadReport ct = byTarget.get(Targets.CIPHERTALK);
    row(sb, "delivered msg/s", relay, ct, LoadReport::deliveredPerSecond, "%.0f");
    row(sb, "sent msg/s", relay, ct, LoadReport::sentPerSecond, "%.0f");
    row(sb, "latency p50 ms", relay, ct, LoadReport::p50Ms, "%.2f");
    row(sb, "latency p95 ms", relay, ct, LoadReport::p95Ms, "%.2f");
    row(sb, "latency p99 ms", relay, ct, LoadReport::p99Ms, "%.2f");
    row(sb, "latency max ms", relay, ct, LoadReport::maxMs, "%.2f");
    row(sb, "connections set up /s", relay, ct, LoadReport::connectsPerSecond, "%.0f");
    row(sb, "lost", relay, ct, r -> r.lost(), "%.0f");
    row(sb, "duplicates", relay, ct, r -> r.duplicates(), "%.0f");
    row(sb, "errors", relay, ct, r -> r.errors() + r.connectFailures() + r.unexpected(), "%.0f");
    row(sb, "server CPU % (of one core)", relay, ct, LoadReport::serverCpuPercent, "%.0f");
    row(sb, "generator CPU % (of one core)", relay, ct, LoadReport::generatorCpuPercent, "%.0f");
    row(sb, "server heap used MiB (no GC)", relay, ct, r -> r.serverHeapUsedBytes() / 1048576.0, "%.1f");
    LoadReport coalesced = byTarget.get(Targets.RELAY_COALESCED);
    if (coalesced != null && ct != null) {
      sb.append(String.format(Locale.ROOT, "%nThe relay on CipherTalk's coalesced socket writes (%s), same settings: "
              + "%.0f delivered msg/s, p99 %.2f ms, lost %d, duplicates %d, server CPU %.0f %%; "
              + "CipherTalk / that relay = %.2fx.%n",
          Targets.RELAY_COALESCED, coalesced.deliveredPerSecond(), coalesced.p99Ms(), coalesced.lost(),
          coalesced.duplicates(), coalesced.serverCpuPercent(),
          ct.deliveredPerSecond() / Math.max(1e-9, coalesced.deliveredPerSecond())));
    }
    for (LoadReport r : byTarget.values()) {
      if (!r.errorSamples().isEmpty()) {
        sb.append("\n").append(r.target()).append(" errors: ").append(String.join("; ", r.errorSamples())).append("\n");
      }
    }
    return sb.toString();
  }

  static String idleTable(int target, LoadConfig base, Map<String, LoadReport> byTarget) {
    StringBuilder sb = new StringBuilder();
    sb.append("**3. Idle scale: up to ").append(target).append(" idle connections (CipherTalk: authenticated), server ")
        .append(base.placement()).append(" with -Xmx").append(base.serverHeap()).append("**\n\n");
    sb.append("| metric | relay | ciphertalk | ciphertalk / relay |\n|---|---:|---:|---:|\n");
    LoadReport relay = byTarget.get(Targets.RELAY);
    LoadReport ct = byTarget.get(Targets.CIPHERTALK);
    row(sb, "connections held", relay, ct, r -> r.connected(), "%.0f");
    row(sb, "connections set up /s", relay, ct, LoadReport::connectsPerSecond, "%.0f");
    row(sb, "heap bytes per connection (after GC)", relay, ct, r -> r.heapBytesPerConnection(), "%.0f");
    row(sb, "heap used after GC MiB", relay, ct, r -> r.idleHeapAfterBytes() / 1048576.0, "%.1f");
    row(sb, "server RSS MiB", relay, ct, r -> r.serverRssBytes() / 1048576.0, "%.1f");
    row(sb, "server threads", relay, ct, r -> r.serverThreads(), "%.0f");
    row(sb, "errors", relay, ct, r -> r.errors() + r.connectFailures() + r.unexpected(), "%.0f");
    for (LoadReport r : byTarget.values()) {
      if (!r.errorSamples().isEmpty()) {
        sb.append("\n").append(r.target()).append(" errors: ").append(String.join("; ", r.errorSamples())).append("\n");
      }
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String name, LoadReport relay, LoadReport ct,
      ToDoubleFunction<LoadReport> f, String fmt) {
    String a = relay == null ? "n/a" : String.format(Locale.ROOT, fmt, f.applyAsDouble(relay));
    String b = ct == null ? "n/a (not built in)" : String.format(Locale.ROOT, fmt, f.applyAsDouble(ct));
    String ratio = "n/a";
    if (relay != null && ct != null && f.applyAsDouble(relay) != 0) {
      ratio = String.format(Locale.ROOT, "%.2fx", f.applyAsDouble(ct) / f.applyAsDouble(relay));
    }
    sb.append("| ").append(name).append(" | ").append(a).append(" | ").append(b).append(" | ")
        .append(ratio).append(" |\n");
  }

  private static String jsonArray(Iterable<LoadReport> reports) {
    List<String> parts = new ArrayList<>();
    for (LoadReport r : reports) {
      parts.add(r.toJson());
    }
    return "[\n" + String.join(",\n", parts) + "\n]\n";
  }

  private static void write(Path dir, String name, String content) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    System.err.println("wrote " + dir.resolve(name));
  }

  static String take(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    String v = args.get(i + 1);
    args.remove(i + 1);
    args.remove(i);
    return v;
  }

  static String usage() {
    return """
        usage: LoadGenerator <run|compare|suite|relay|catchup|cluster> [options]
        cluster: CipherTalk nodes (child JVMs) on a shared PostgreSQL and Redis (load.sh cluster starts both):
          --postgres-url URL --redis-url URL   or env CIPHERTALK_LOAD_DB_URL / CIPHERTALK_LOAD_REDIS_URL
          load options as below (default --mode closed --warmup 20) for 1 node vs 2 nodes, then
          --kill-rate R --kill-duration S  the node-kill run: open loop R sends/s [half of 2 nodes' sent/s, 20]
          --db-pool N                 nodes get a pool of N connections instead of a connection per unit [0]
          --baseline S                idle window before traffic for the engines' background ops [5]
          --no-kill | --kill-only     skip the kill run, or run only it
        catchup: two SDK clients over real WebSockets, 1:1 and group, in-memory and encrypted store:
          --messages N                queued for the offline device             [10000]
          --live-rate R --live-seconds S  live phase send rate and length       [100, 10]
          --rooms private,group --stores memory,encrypted  scenarios to run       [all]
          --target relay|ciphertalk   server kind (run)                       [relay]
          --placement inproc|fork|url where the server runs                   [fork]
          --url ws://127.0.0.1:P/...  external server (implies --placement url); --http-url, --pid
          --clients N --room-size R   simulated clients, members per room      [100, 10]
          --message-size B            payload bytes                            [256]
          --mode open|closed          open loop at --rate, or closed loop       [open]
          --rate R                    open loop sends/s over all clients        [1000]
          --window W                  closed loop messages in flight per sender [4]
          --warmup S --duration S --drain S           [3, 10, 10; suite: warm-up 30]
          --loops L                   client selector threads                  [2]
          --server-workers W          relay decoder threads (CipherTalk: its own) [cores]
          --local-addresses K         bind clients to 127.0.0.1..127.0.0.K     [1]
          --connect-concurrency C     connects in flight                        [64]
          --pre-encrypted | --real-encryption                                   [pre-encrypted]
          --server-heap 512m          -Xmx of a forked server                   [512m]
          --jfr FILE                  record the server with JFR (profile settings)
          --idle N                    idle-scale run with N connections (run/compare)
          --ack-every N               CipherTalk: ack every Nth delivery (cumulative); 0 = as the SDK:
                                per stream 50 ms after the first unacked delivery, or at 64 [0]
          --idle-target N             suite: idle-scale connections, 0 to skip [10000]
          --out DIR                   where JSON/markdown go            [benchmarks/target/load]
        """;
  }
}
