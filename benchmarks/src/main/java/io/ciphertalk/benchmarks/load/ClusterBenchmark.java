package io.ciphertalk.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code load.sh cluster}: CipherTalk as a cluster on a shared PostgreSQL and Redis (issue 17).
 *
 * <ol>
 *   <li>(a) the fan-out workload against 1 node and (b) against 2 nodes, the clients spread over
 *       them (client i on node i mod 2, so every room of 10 spans both), side by side, each with
 *       the PostgreSQL and Redis operations it cost per message (counter deltas around the traffic,
 *       net of what the same connected clients cost idle);
 *   <li>(c) a node kill: an open-loop run on the 2 nodes, SIGKILL of the second node's JVM half-way
 *       through the measured window; its clients reconnect to the surviving node, resend what was
 *       not acknowledged with the same ids and get what was queued for them; reported: lost
 *       (acknowledged, never delivered), duplicates after dedupe by message id, redeliveries before
 *       it, and the time from the kill until every dropped client is delivering again.
 * </ol>
 *
 * <p>Each node is a child JVM ({@link ServerHost}, {@code -Xmx} of {@code --server-heap}, 512m by
 * default, as the other load runs). The database and Redis are the caller's ({@code load.sh cluster}
 * starts throwaway ones): {@code --postgres-url} / {@code --redis-url} or the environment variables
 * {@value ServerHost#DB_URL_ENV} / {@value ServerHost#REDIS_URL_ENV}.
 */
final class ClusterBenchmark {

  private static final Logger log = LoggerFactory.getLogger(ClusterBenchmark.class);

  /** Settings of the cluster command beyond the load options. */
  record Settings(String jdbcUrl, String redisUrl, int dbPool, double killRate, double killDuration,
      double baselineSeconds, boolean compare, boolean kill) {}

  /** Everything a cluster run measured. */
  record Result(LoadReport oneNode, Costs oneNodeCosts, LoadReport twoNodes, Costs twoNodeCosts,
      LoadReport kill, LoadRun.Failover failover, long redeliveries, long resent) {}

  /**
   * What one traffic run cost the engines: counter deltas over the traffic (from just before the
   * first send until drained), and the background rate of the same connected clients sending
   * nothing (the catch-up poll, heartbeats), measured just before it.
   */
  record Costs(ServiceCounters traffic, double trafficSeconds, ServiceCounters idle, double idleSeconds,
      long sends, long deliveries) {
    /** Per accepted send, everything in the traffic window (the catch-up poll and heartbeats included). */
    double grossPerSend(ToDoubleFunction<ServiceCounters> f) {
      return sends == 0 ? -1 : f.applyAsDouble(traffic) / sends;
    }

    /**
     * Per accepted send, net of the idle background over the traffic window (an estimate: a
     * saturated node polls less often than an idle one, so it can undershoot, even below 0).
     */
    double perSend(ToDoubleFunction<ServiceCounters> f) {
      double bg = idleSeconds > 0 ? f.applyAsDouble(idle) / idleSeconds * trafficSeconds : 0;
      return sends == 0 ? -1 : (f.applyAsDouble(traffic) - bg) / sends;
    }

    /** Idle background per connected client per second. */
    double idlePerClientSecond(ToDoubleFunction<ServiceCounters> f, int clients) {
      return idleSeconds <= 0 ? -1 : f.applyAsDouble(idle) / idleSeconds / clients;
    }

    String toJson() {
      return "{\"trafficSeconds\":" + trafficSeconds + ",\"idleSeconds\":" + idleSeconds + ",\"sends\":" + sends
          + ",\"deliveries\":" + deliveries + ",\"traffic\":" + traffic.toJson() + ",\"idle\":" + idle.toJson() + "}";
    }
  }

  private ClusterBenchmark() {}

  static void main(List<String> args, Path out) throws Exception {
    List<String> rest = new ArrayList<>(args);
    String pg = LoadGenerator.take(rest, "--postgres-url", System.getenv(ServerHost.DB_URL_ENV));
    String redis = LoadGenerator.take(rest, "--redis-url", System.getenv(ServerHost.REDIS_URL_ENV));
    if (pg == null || redis == null) {
      throw new IllegalArgumentException("cluster needs a PostgreSQL and a Redis: --postgres-url/--redis-url or "
          + ServerHost.DB_URL_ENV + "/" + ServerHost.REDIS_URL_ENV + " (benchmarks/load.sh cluster starts both)");
    }
    Settings s = new Settings(pg, redis,
        Integer.parseInt(LoadGenerator.take(rest, "--db-pool", "0")),
        Double.parseDouble(LoadGenerator.take(rest, "--kill-rate", "0")),
        Double.parseDouble(LoadGenerator.take(rest, "--kill-duration", "20")),
        Double.parseDouble(LoadGenerator.take(rest, "--baseline", "5")),
        !rest.remove("--kill-only"), !rest.remove("--no-kill"));
    if (!rest.contains("--mode") && !rest.contains("--closed-loop")) {
      rest.add("--mode");
      rest.add("closed");
    }
    if (!rest.contains("--warmup")) {
      rest.add("--warmup");
      rest.add("20");
    }
    LoadConfig base = LoadConfig.parseInto(LoadConfig.builder().target(Targets.CIPHERTALK), rest).build();
    Result r = run(base, s);
    String md = markdown(base, s, r);
    System.out.println(md);
    Files.createDirectories(out);
    Files.writeString(out.resolve("cluster.md"), md, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("cluster.json"), json(r), StandardCharsets.UTF_8);
    System.err.println("wrote " + out.resolve("cluster.md") + " and cluster.json");
  }

  /** Runs (a), (b) and (c) as {@code s} says; a part that is not run is null in the result. */
  static Result run(LoadConfig base, Settings s) throws Exception {
    String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    LoadReport one = null;
    Costs oneCosts = null;
    LoadReport two = null;
    Costs twoCosts = null;
    if (s.compare()) {
      try (ServerUnderTest node = startNode(base, s, "load-" + tag + "-a1")) {
        ServerUnderTest cluster = Servers.cluster(List.of(node));
        CostHook hook = new CostHook(s, base);
        one = new LoadRun(base, cluster, Targets.protocol(Targets.CIPHERTALK, base), null).hooks(hook).execute();
        oneCosts = hook.costs(one);
      }
    }
    List<ServerUnderTest> nodes = new ArrayList<>();
    try {
      nodes.add(startNode(base, s, "load-" + tag + "-b1"));
      nodes.add(startNode(base, s, "load-" + tag + "-b2"));
      ServerUnderTest cluster = Servers.cluster(nodes);
      if (s.compare()) {
        CostHook hook = new CostHook(s, base);
        two = new LoadRun(base, cluster, Targets.protocol(Targets.CIPHERTALK, base), null).hooks(hook).execute();
        twoCosts = hook.costs(two);
      }
      if (!s.kill()) {
        return new Result(one, oneCosts, two, twoCosts, null, null, 0, 0);
      }
      double rate = s.killRate() > 0 ? s.killRate()
          : two != null ? Math.max(50, Math.floor(two.sentPerSecond() / 2)) : 500;
      LoadConfig killCfg = base.toBuilder().closedLoop(false).rate(rate).warmupSeconds(3)
          .durationSeconds(s.killDuration()).drainSeconds(Math.max(base.drainSeconds(), 20)).failover(true).build();
      CipherTalkProtocol protocol = new CipherTalkProtocol(killCfg);
      ServerUnderTest victim = nodes.get(nodes.size() - 1);
      LoadRun run = new LoadRun(killCfg, cluster, protocol, null).hooks(new LoadRun.Hooks() {
        @Override
        public long midRun() {
          long at = System.nanoTime();
          log.info("killing node {} (SIGKILL)", victim.wsUrl());
          victim.kill();
          return at;
        }
      });
      LoadReport kill = run.execute();
      return new Result(one, oneCosts, two, twoCosts, kill, run.failover(), protocol.redeliveries(), protocol.resent());
    } finally {
      for (ServerUnderTest n : nodes) {
        n.close();
      }
    }
  }

  /** A cluster node in a child JVM on the shared PostgreSQL and Redis. */
  static ServerUnderTest startNode(LoadConfig cfg, Settings s, String nodeId) throws Exception {
    List<String> jvm = List.of("-Xmx" + cfg.serverHeap(), "-XX:+UseG1GC");
    return Servers.forked(Targets.CIPHERTALK, cfg.serverWorkers(), jvm,
        List.of(nodeId, Integer.toString(s.dbPool())),
        Map.of(ServerHost.DB_URL_ENV, s.jdbcUrl(), ServerHost.REDIS_URL_ENV, s.redisUrl()));
  }

  /** Reads the engines' counters idle before the traffic and again once it drained. */
  private static final class CostHook implements LoadRun.Hooks {
    private final Settings s;
    /** How long a kept-open backend may sit on its counts before PostgreSQL 15 publishes them. */
    private final long settleMillis;
    private ServiceCounters c0;
    private ServiceCounters c1;
    private ServiceCounters c2;
    private long t0;
    private long t1;
    private long t2;

    CostHook(Settings s, LoadConfig cfg) {
      this.s = s;
      // Every node pools its connections (its own HikariCP pool for a JDBC URL, or --db-pool's), so
      // PostgreSQL may hold a backend's counts up to its 10 s idle flush: wait that out either way.
      this.settleMillis = 11_000;
    }

    @Override
    public void beforeTraffic() throws Exception {
      Thread.sleep(settleMillis); // set-up (accounts, rooms, connects) reported before the idle window
      c0 = ServiceCounters.read(s.jdbcUrl(), s.redisUrl());
      t0 = System.nanoTime();
      Thread.sleep((long) (s.baselineSeconds() * 1000) + settleMillis);
      c1 = ServiceCounters.read(s.jdbcUrl(), s.redisUrl());
      t1 = System.nanoTime();
    }

    @Override
    public void drained() throws Exception {
      Thread.sleep(settleMillis);
      c2 = ServiceCounters.read(s.jdbcUrl(), s.redisUrl());
      t2 = System.nanoTime();
    }

    Costs costs(LoadReport r) {
      if (c0 == null || c2 == null) {
        return null;
      }
      return new Costs(c2.minus(c1), (t2 - t1) / 1e9, c1.minus(c0), (t1 - t0) / 1e9,
          r.sent() - r.refused(), r.delivered());
    }
  }

  static String markdown(LoadConfig base, Settings s, Result r) {
    StringBuilder md = new StringBuilder();
    md.append("Machine: ").append(LoadRun.machine()).append("\n\n");
    String db = s.dbPool() > 0 ? "a pool of " + s.dbPool() + " PostgreSQL connections per node (dataSource)"
        : "PostgreSQL by JDBC URL (the server's HikariCP pool of 16 connections, as the standalone --db)";
    if (r.oneNode() != null) {
      md.append("**Cluster: 1 node vs 2 nodes on PostgreSQL + Redis: ").append(LoadGenerator.describe(base))
          .append("; each node a child JVM with -Xmx").append(base.serverHeap()).append(", ").append(db)
          .append("; 2 nodes: client i on node i mod 2**\n\n");
      md.append("| metric | 1 node | 2 nodes | 2 nodes / 1 node |\n|---|---:|---:|---:|\n");
      LoadReport a = r.oneNode();
      LoadReport b = r.twoNodes();
      row(md, "delivered msg/s", a, b, LoadReport::deliveredPerSecond, "%.0f");
      row(md, "sent msg/s", a, b, LoadReport::sentPerSecond, "%.0f");
      row(md, "latency p50 ms", a, b, LoadReport::p50Ms, "%.2f");
      row(md, "latency p99 ms", a, b, LoadReport::p99Ms, "%.2f");
      row(md, "latency max ms", a, b, LoadReport::maxMs, "%.2f");
      row(md, "lost", a, b, x -> x.lost(), "%.0f");
      row(md, "duplicates", a, b, x -> x.duplicates(), "%.0f");
      row(md, "errors", a, b, x -> x.errors() + x.connectFailures() + x.unexpected(), "%.0f");
      row(md, "server CPU % of one core (all nodes)", a, b, LoadReport::serverCpuPercent, "%.0f");
      row(md, "generator CPU % of one core", a, b, LoadReport::generatorCpuPercent, "%.0f");
      Costs ca = r.oneNodeCosts();
      Costs cb = r.twoNodeCosts();
      if (ca != null && cb != null) {
        md.append("\n**Engine operations per accepted send (rooms of ").append(base.roomSize())
            .append(": ").append(base.roomSize() - 1).append(" deliveries each): counter deltas from the first send until "
                + "drained (gross), and the same net of the idle background of the same connected clients (net)**\n\n");
        md.append("| per send | 1 node gross | 1 node net | 2 nodes gross | 2 nodes net |\n|---|---:|---:|---:|---:|\n");
        costRow(md, "PostgreSQL transactions (xact_commit, reads included)", ca, cb, c -> c.get("pg.xact_commit"));
        costRow(md, "PostgreSQL rows written (inserted + updated + deleted)", ca, cb, ServiceCounters::pgRowWrites);
        costRow(md, "PostgreSQL rows inserted", ca, cb, c -> c.get("pg.tup_inserted"));
        costRow(md, "PostgreSQL connections opened (sessions)", ca, cb, c -> c.get("pg.sessions"));
        costRow(md, "PostgreSQL WAL bytes", ca, cb, c -> c.get("pg.wal_bytes"));
        costRow(md, "Redis commands (all)", ca, cb, ServiceCounters::redisCommands);
        costRow(md, "Redis PUBLISH", ca, cb, c -> c.get("redis.publish"));
        md.append(String.format(Locale.ROOT, "%nSends counted: %d (1 node, over %.0f s), %d (2 nodes, over %.0f s), "
                + "warm-up included. Idle background of %d connected clients, per client per second (1 node / 2 nodes): "
                + "PostgreSQL transactions %.3f / %.3f, Redis commands %.3f / %.3f (over %.0f s).%n",
            ca.sends(), ca.trafficSeconds(), cb.sends(), cb.trafficSeconds(), base.clients(),
            ca.idlePerClientSecond(c -> c.get("pg.xact_commit"), base.clients()),
            cb.idlePerClientSecond(c -> c.get("pg.xact_commit"), base.clients()),
            ca.idlePerClientSecond(ServiceCounters::redisCommands, base.clients()),
            cb.idlePerClientSecond(ServiceCounters::redisCommands, base.clients()), ca.idleSeconds()));
      }
      for (LoadReport x : new LoadReport[] {a, b}) {
        if (x != null && !x.errorSamples().isEmpty()) {
          md.append("\nerrors (").append(x == a ? "1 node" : "2 nodes").append("): ")
              .append(String.join("; ", x.errorSamples())).append("\n");
        }
      }
    }
    LoadReport k = r.kill();
    if (k != null) {
      LoadRun.Failover f = r.failover();
      md.append(String.format(Locale.ROOT, "%n**Node kill: 2 nodes, open loop %.0f sends/s, %d clients in rooms of %d, "
              + "%s s (+3 s warm-up); SIGKILL of the second node's JVM half-way; its clients reconnect to the survivor, "
              + "resend what was not acknowledged (same ids) and dedupe by message id**%n%n",
          k.rateTarget(), k.clients(), k.roomSize(), trim(k.durationSeconds())));
      md.append("| metric | value |\n|---|---:|\n");
      kv(md, "sent (accepted + refused + never acknowledged)", k.sent());
      kv(md, "refused", k.refused());
      kv(md, "never acknowledged at the end", k.unacknowledged());
      kv(md, "expected deliveries", k.expected());
      kv(md, "**lost** (acknowledged, never delivered; must be 0)", k.lost());
      kv(md, "**duplicates after dedupe by message id** (must be 0)", k.duplicates());
      kv(md, "redeliveries dropped by the dedupe", r.redeliveries());
      kv(md, "messages resent after a reconnect", r.resent());
      kv(md, "errors", k.errors() + k.connectFailures() + k.unexpected());
      if (f != null) {
        kv(md, "clients dropped by the kill", f.dropped());
        kv(md, "of them delivering again", f.recovered());
        md.append(String.format(Locale.ROOT, "| kill to the last of them reconnected, s | %.2f |%n", f.reconnectMaxSeconds()));
        md.append(String.format(Locale.ROOT, "| kill to delivering again (send acknowledged and delivery received on the "
            + "new node), median, s | %.2f |%n", f.deliveringAgainMedianSeconds()));
        md.append(String.format(Locale.ROOT, "| **kill to every client delivering again**, s | %s |%n",
            f.deliveringAgainMaxSeconds() < 0 ? "not all recovered" : String.format(Locale.ROOT, "%.2f", f.deliveringAgainMaxSeconds())));
      } else {
        md.append("| kill | did not happen |\n");
      }
      md.append(String.format(Locale.ROOT, "| delivered msg/s (window, kill included) | %.0f |%n", k.deliveredPerSecond()));
      md.append(String.format(Locale.ROOT, "| latency p50 / p99 / max ms (from the intended send time, outage included) "
          + "| %.2f / %.2f / %.2f |%n", k.p50Ms(), k.p99Ms(), k.maxMs()));
      if (!k.errorSamples().isEmpty()) {
        md.append("\nerrors (kill run): ").append(String.join("; ", k.errorSamples())).append("\n");
      }
    }
    return md.toString();
  }

  private static void row(StringBuilder sb, String name, LoadReport a, LoadReport b, ToDoubleFunction<LoadReport> f,
      String fmt) {
    double x = f.applyAsDouble(a);
    double y = f.applyAsDouble(b);
    sb.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, fmt, x)).append(" | ")
        .append(String.format(Locale.ROOT, fmt, y)).append(" | ")
        .append(x == 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", y / x)).append(" |\n");
  }

  private static void costRow(StringBuilder sb, String name, Costs a, Costs b, ToDoubleFunction<ServiceCounters> f) {
    sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f |%n", name, a.grossPerSend(f), a.perSend(f),
        b.grossPerSend(f), b.perSend(f)));
  }

  private static void kv(StringBuilder sb, String name, long v) {
    sb.append("| ").append(name).append(" | ").append(v).append(" |\n");
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static String json(Result r) {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("\"oneNode\":").append(r.oneNode() == null ? "null" : r.oneNode().toJson()).append(",\n");
    sb.append("\"oneNodeCosts\":").append(r.oneNodeCosts() == null ? "null" : r.oneNodeCosts().toJson()).append(",\n");
    sb.append("\"twoNodes\":").append(r.twoNodes() == null ? "null" : r.twoNodes().toJson()).append(",\n");
    sb.append("\"twoNodeCosts\":").append(r.twoNodeCosts() == null ? "null" : r.twoNodeCosts().toJson()).append(",\n");
    sb.append("\"kill\":").append(r.kill() == null ? "null" : r.kill().toJson()).append(",\n");
    LoadRun.Failover f = r.failover();
    sb.append("\"failover\":").append(f == null ? "null" : String.format(Locale.ROOT,
        "{\"dropped\":%d,\"recovered\":%d,\"reconnectMaxSeconds\":%.3f,\"deliveringAgainMedianSeconds\":%.3f,"
            + "\"deliveringAgainMaxSeconds\":%.3f,\"reconnectAttempts\":%d}", f.dropped(), f.recovered(),
        f.reconnectMaxSeconds(), f.deliveringAgainMedianSeconds(), f.deliveringAgainMaxSeconds(), f.reconnectAttempts()))
        .append(",\n");
    sb.append("\"redeliveries\":").append(r.redeliveries()).append(",\n\"resent\":").append(r.resent()).append("\n}\n");
    return sb.toString();
  }
}
