package io.ciphertalk.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load run: start (or reach) the server, connect the simulated clients, drive traffic (open or
 * closed loop) or hold idle connections, drain, and account for every expected delivery.
 *
 * <p>Single use, driven from one thread by {@link #execute()}.
 */
final class LoadRun {

  private static final Logger log = LoggerFactory.getLogger(LoadRun.class);

  /** A client whose socket holds more unsent bytes than this skips sends (counted as errors). */
  static final long MAX_CLIENT_BACKLOG_BYTES = 4L << 20;

  /** Upper bound of the drain after the last send, however slowly deliveries still trickle in. */
  static final long MAX_DRAIN_SECONDS = 180;

  private final LoadConfig cfg;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final List<Thread> generatorThreads = new CopyOnWriteArrayList<>();
  private final AtomicLong finishedGeneratorCpu = new AtomicLong();
  private final ConcurrentHashMap<String, LongAdder> errorCounts = new ConcurrentHashMap<>();
  private final LongAdder errors = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final AtomicInteger readyCount = new AtomicInteger();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder sentInWindow = new LongAdder();

  private DeliveryLedger ledger;
  private SimClient[] clients;
  private LoopStats[] loopStats;
  private volatile long measureStart = Long.MAX_VALUE;
  private volatile long sendEnd = Long.MAX_VALUE;
  private volatile boolean sending;

  private final ServerUnderTest sharedServer;
  private final ClientProtocol sharedProtocol;
  private final GeneratorCpu cpuProbe;
  private Hooks hooks = new Hooks() {};
  /** Set before the clients are closed at the end: a close then is no reason to reconnect. */
  private volatile boolean stopping;
  private java.util.concurrent.ScheduledExecutorService reconnects;
  private ServerUnderTest server;
  private WsLoop[] wsLoops;
  private ClientProtocol protocol;
  private volatile long killNanos;

  /**
   * Points in a traffic run where a caller may act (read the database's and Redis's counters,
   * kill a node). Each runs on the run's driving thread.
   */
  interface Hooks {
    /** Every client is connected; traffic starts right after this returns. */
    default void beforeTraffic() throws Exception {}

    /**
     * Half-way through the measured window. Returns the {@link System#nanoTime()} at which it
     * killed a node (the origin of the recovery times), or 0 if it did not.
     */
    default long midRun() throws Exception {
      return 0;
    }

    /** The run has drained (every expected delivery arrived, or it gave up). */
    default void drained() throws Exception {}
  }

  /** Sets the hooks of this run (before {@link #execute()}). */
  LoadRun hooks(Hooks h) {
    this.hooks = java.util.Objects.requireNonNull(h, "hooks");
    return this;
  }

  /**
   * What a node kill did to the clients (failover runs): how many lost their connection, and the
   * times from the kill until they were connected again and until each had both had a send
   * acknowledged and received a delivery on its new connection ("delivering again").
   *
   * @param dropped clients whose connection the kill closed
   * @param recovered of those, clients that were delivering again before the run ended
   * @param reconnectMaxSeconds kill to the last of them welcomed by another node
   * @param deliveringAgainMedianSeconds kill to delivering again, median over the dropped clients
   * @param deliveringAgainMaxSeconds kill to delivering again, the last of them: "every client is
   *     delivering again"
   * @param reconnectAttempts connection attempts made after drops (1 per client if the first worked)
   */
  record Failover(int dropped, int recovered, double reconnectMaxSeconds, double deliveringAgainMedianSeconds,
      double deliveringAgainMaxSeconds, long reconnectAttempts) {}

  /** Recovery figures after {@link #execute()} (failover runs with a kill), else null. */
  Failover failover() {
    if (killNanos == 0 || clients == null) {
      return null;
    }
    List<Double> again = new ArrayList<>();
    int dropped = 0;
    double reconnectMax = 0;
    long attempts = 0;
    for (SimClient c : clients) {
      attempts += c.attempts.get();
      if (c.droppedAt == 0) {
        continue;
      }
      dropped++;
      if (c.rewelcomedAt != 0) {
        reconnectMax = Math.max(reconnectMax, (c.rewelcomedAt - killNanos) / 1e9);
      }
      if (c.rewelcomedAt != 0 && c.acceptedAfter != 0 && c.deliveredAfter != 0) {
        again.add((Math.max(c.acceptedAfter, c.deliveredAfter) - killNanos) / 1e9);
      }
    }
    Collections.sort(again);
    double median = again.isEmpty() ? -1 : again.get(again.size() / 2);
    double max = again.isEmpty() || again.size() < dropped ? -1 : again.get(again.size() - 1);
    return new Failover(dropped, again.size(), reconnectMax, median, max, attempts);
  }

  /** A run that starts (and stops) its own server as {@code cfg} says. */
  LoadRun(LoadConfig cfg) {
    this(cfg, null, null, null);
  }

  /**
   * A run against a server that outlives it (the suite runs several against one server, so
   * accounts are created once).
   *
   * @param server the server, or null to start one
   * @param protocol the protocol (reused across runs against {@code server}), or null for a new one
   * @param cpuProbe where an in-process server finds the generator's CPU time, or null
   */
  LoadRun(LoadConfig cfg, ServerUnderTest server, ClientProtocol protocol, GeneratorCpu cpuProbe) {
    this.cfg = cfg;
    this.sharedServer = server;
    this.sharedProtocol = protocol;
    this.cpuProbe = cpuProbe;
  }

  /**
   * Lets an in-process server started before a run subtract the generator's CPU time of whichever
   * run is current. Thread-safe.
   */
  static final class GeneratorCpu implements java.util.function.LongSupplier {
    private volatile java.util.function.LongSupplier current = () -> 0L;

    void set(java.util.function.LongSupplier s) {
      current = s;
    }

    @Override
    public long getAsLong() {
      return current.getAsLong();
    }
  }

  /** Starts the server {@code cfg} describes (placement inproc, fork or url). */
  static ServerUnderTest startServer(LoadConfig cfg, java.util.function.LongSupplier generatorCpu)
      throws Exception {
    return switch (cfg.placement()) {
      case "inproc" -> Servers.inProcess(cfg.target(), cfg.serverWorkers(), generatorCpu);
      case "fork" -> {
        List<String> jvm = new ArrayList<>();
        jvm.add("-Xmx" + cfg.serverHeap());
        jvm.add("-XX:+UseG1GC");
        if (cfg.jfr() != null) {
          // -Dload.jfrSettings=FILE.jfc picks other settings (e.g. profile without Jdbi's
          // per-statement events, which cost the server noticeably at tens of thousands per second).
          jvm.add("-XX:StartFlightRecording=settings=" + System.getProperty("load.jfrSettings", "profile")
              + ",dumponexit=true,filename=" + cfg.jfr());
        }
        yield Servers.forked(cfg.target(), cfg.serverWorkers(), jvm);
      }
      default -> Servers.external(cfg.target(), cfg.url(), cfg.httpUrl(), cfg.pid());
    };
  }

  /** Runs to completion and returns the report. */
  LoadReport execute() throws Exception {
    generatorThreads.add(Thread.currentThread());
    protocol = sharedProtocol != null ? sharedProtocol : Targets.protocol(cfg.target(), cfg);
    if (cpuProbe != null) {
      cpuProbe.set(this::generatorCpu);
    }
    int n = cfg.idleConnections() > 0 ? cfg.idleConnections() : cfg.clients();
    int roomSize = cfg.idleConnections() > 0 ? Math.min(cfg.roomSize(), n) : cfg.roomSize();
    int[] roomOf = new int[n];
    for (int i = 0; i < n; i++) {
      roomOf[i] = i / Math.max(1, roomSize);
    }
    ledger = new DeliveryLedger(roomOf);

    WsLoop[] loops = new WsLoop[cfg.loops()];
    loopStats = new LoopStats[loops.length];
    for (int i = 0; i < loops.length; i++) {
      loops[i] = new WsLoop("load-loop-" + i);
      loopStats[i] = new LoopStats();
      generatorThreads.add(loops[i].thread());
    }
    jdk.jfr.Recording recording = null;
    server = sharedServer != null ? sharedServer : startServer(cfg, this::generatorCpu);
    wsLoops = loops;
    if (cfg.failover()) {
      reconnects = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-reconnect");
        t.setDaemon(true);
        return t;
      });
    }
    try {
      protocol.prepare(server, roomOf, cfg.idleConnections() > 0);
      ServerSample idleBefore = cfg.idleConnections() > 0 ? server.sample(true) : null;
      if (cfg.jfr() != null && cfg.placement().equals("inproc")) {
        recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        recording.setToDisk(true);
        recording.start();
      }

      clients = new SimClient[n];
      for (int i = 0; i < n; i++) {
        clients[i] = new SimClient(i, roomOf[i], i % loops.length);
        if (protocol.selfConnecting() == null) {
          clients[i].session = protocol.newSession(i, roomOf[i], cfg.messageSize(), clients[i]);
        }
      }
      long connectStart = System.nanoTime();
      ClientProtocol.SelfConnecting self = protocol.selfConnecting();
      if (self != null) {
        connectThroughProtocol(self, server);
      } else {
        connectAll(protocol, server, loops);
      }
      long connectNanos = System.nanoTime() - connectStart;
      int connected = readyCount.get();
      log.info("{}: {} of {} clients ready in {} ms", cfg.target(), connected, n, connectNanos / 1_000_000);

      LoadReport report;
      if (cfg.idleConnections() > 0) {
        ServerSample idleAfter = server.sample(true);
        report = idleReport(connected, connectNanos, idleBefore, idleAfter);
      } else {
        report = traffic(server, connected, connectNanos);
      }
      settleAcks();
      stopping = true;
      for (SimClient c : clients) {
        if (c.conn != null) {
          c.conn.close();
        }
      }
      if (self != null) {
        self.closeAll();
      }
      if (recording != null) {
        recording.stop();
        recording.dump(Path.of(cfg.jfr()));
        recording.close();
      }
      return report;
    } finally {
      stopping = true;
      if (reconnects != null) {
        reconnects.shutdownNow();
      }
      for (WsLoop loop : loops) {
        loop.close();
      }
      if (sharedServer == null) {
        server.close();
      }
    }
  }

  /**
   * Lets the clients' delayed acks go out and reach the socket before they disconnect, as the SDK
   * sends its pending acks on a clean disconnect. Otherwise the server (rightly) delivers the
   * unacknowledged tail again to the same accounts in the next run, which counts as unexpected.
   */
  private void settleAcks() throws InterruptedException {
    Thread.sleep(CipherTalkProtocol.ACK_DELAY_MILLIS + 30);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (SimClient c : clients) {
      while (c.conn != null && c.conn.pendingBytes() > 0 && System.nanoTime() < until) {
        Thread.sleep(5);
      }
    }
  }

  private long generatorCpu() {
    long total = finishedGeneratorCpu.get();
    for (Thread t : generatorThreads) {
      long cpu = threads.getThreadCpuTime(t.getId());
      if (cpu > 0) {
        total += cpu;
      }
    }
    return total;
  }

  private void connectAll(ClientProtocol protocol, ServerUnderTest server, WsLoop[] loops)
      throws Exception {
    Semaphore inFlight = new Semaphore(cfg.connectConcurrency());
    CountDownLatch settled = new CountDownLatch(clients.length);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(30, clients.length / 50));
    for (SimClient c : clients) {
      c.settled = settled;
      c.inFlight = inFlight;
      long left = deadline - System.nanoTime();
      if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        error("connect: timed out waiting for earlier connections");
        connectFailures.increment();
        settled.countDown();
        continue;
      }
      InetAddress local = cfg.localAddresses() > 1
          ? InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (1 + c.index % cfg.localAddresses())})
          : null;
      try {
        c.conn = loops[c.loop].connect(URI.create(protocol.url(server, c.index)), local,
            protocol.headers(c.index), c);
      } catch (java.io.IOException e) {
        c.settle(false);
        error("connect: " + e.getMessage());
      }
    }
    if (!settled.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      error("connect: not every client was ready before the deadline");
    }
  }

  /** Connects through a protocol that owns its connections (the client SDK), a few at a time. */
  private void connectThroughProtocol(ClientProtocol.SelfConnecting self, ServerUnderTest server)
      throws Exception {
    Semaphore inFlight = new Semaphore(0); // only released, never awaited, on this path
    CountDownLatch settled = new CountDownLatch(clients.length);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
      for (SimClient c : clients) {
        c.settled = settled;
        c.inFlight = inFlight;
        pending.add(pool.submit(() -> {
          try {
            c.sender = self.connect(server, c.index, c);
          } catch (Exception e) {
            error("connect: " + e);
            c.settle(false);
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : pending) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    self.allConnected();
    for (SimClient c : clients) {
      if (c.sender != null) {
        c.settle(true);
      }
    }
  }

  private LoadReport traffic(ServerUnderTest server, int connected, long connectNanos) throws Exception {
    hooks.beforeTraffic();
    long warmup = (long) (cfg.warmupSeconds() * 1e9);
    long duration = (long) (cfg.durationSeconds() * 1e9);
    long t0 = System.nanoTime() + 50_000_000L;
    measureStart = t0 + warmup;
    sendEnd = measureStart + duration;
    sending = true;

    Thread scheduler = null;
    if (cfg.closedLoop()) {
      sleepUntil(t0);
      for (SimClient c : clients) {
        for (int w = 0; w < cfg.window(); w++) {
          c.sendClosedLoop();
        }
      }
    } else {
      scheduler = new Thread(() -> openLoop(t0), "load-scheduler");
      scheduler.setDaemon(true);
      generatorThreads.add(scheduler);
      scheduler.start();
    }

    sleepUntil(measureStart);
    ServerSample s0 = server.sample(false);
    long gen0 = generatorCpu();
    sleepUntil(measureStart + duration / 2);
    killNanos = System.nanoTime(); // drops seen while the hook kills count from here
    long killed = hooks.midRun();
    killNanos = killed;
    sleepUntil(sendEnd);
    ServerSample s1 = server.sample(false);
    long gen1 = generatorCpu();
    sending = false;
    if (scheduler != null) {
      scheduler.join(10_000);
    }

    // Drain: wait while deliveries still arrive (a server that is behind is slow, not lossy); give
    // up after --drain seconds without progress, or after MAX_DRAIN_SECONDS in all.
    long drainStart = System.nanoTime();
    long hardStop = drainStart + TimeUnit.SECONDS.toNanos(MAX_DRAIN_SECONDS);
    long lastProgress = drainStart;
    long lastCount = -1;
    while (System.nanoTime() < hardStop) {
      long got = ledger.deliveredSoFar() + accepted.sum();
      if (ledger.deliveredSoFar() >= ledger.expectedSoFar() && allAnswered()) {
        break;
      }
      if (got != lastCount) {
        lastCount = got;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > (long) (cfg.drainSeconds() * 1e9)) {
        break;
      }
      Thread.sleep(20);
    }
    double drained = (System.nanoTime() - drainStart) / 1e9;
    DeliveryLedger.Totals totals = ledger.totals();
    hooks.drained();

    LatencyHistogram latency = new LatencyHistogram();
    long deliveredInWindow = 0;
    for (LoopStats ls : loopStats) {
      synchronized (ls) {
        latency.add(ls.latency);
        deliveredInWindow += ls.deliveredInWindow;
      }
    }
    double seconds = duration / 1e9;
    double serverCpuPct = s0.cpuNanos() < 0 || s1.cpuNanos() < 0 ? -1
        : 100.0 * (s1.cpuNanos() - s0.cpuNanos()) / duration;
    double genCpuPct = 100.0 * (gen1 - gen0) / duration;
    long unacked = totals.sent() - totals.refused() - accepted.sum();
    return new LoadReport(cfg.target(), server.placement(), cfg.closedLoop() ? "closed" : "open",
        clients.length, cfg.rooms(), cfg.roomSize(), cfg.messageSize(), cfg.preEncrypted(),
        cfg.closedLoop() ? -1 : cfg.rate(), cfg.window(), cfg.durationSeconds(),
        connected, (int) connectFailures.sum(), connectNanos / 1e9, connected / (connectNanos / 1e9),
        sentInWindow.sum() / seconds, deliveredInWindow / seconds,
        ms(latency.percentile(50)), ms(latency.percentile(95)), ms(latency.percentile(99)),
        ms(latency.max()), latency.mean() / 1e6, latency.count(),
        totals.sent(), totals.refused(), totals.expected(), totals.delivered(), totals.lost(),
        totals.duplicates(), totals.unexpected(), Math.max(0, unacked),
        errors.sum(), errorSamples(),
        serverCpuPct, genCpuPct, s1.heapUsedBytes(), s1.heapMaxBytes(), s1.rssBytes(), s1.threads(),
        -1, -1, -1, drained, machine());
  }

  private boolean allAnswered() {
    DeliveryLedger.Totals t = ledger.totals();
    return accepted.sum() + t.refused() >= t.sent();
  }

  private LoadReport idleReport(int connected, long connectNanos, ServerSample before, ServerSample after) {
    long perConn = connected == 0 || before.heapUsedBytes() < 0 || after.heapUsedBytes() < 0 ? -1
        : (after.heapUsedBytes() - before.heapUsedBytes()) / connected;
    return new LoadReport(cfg.target(), cfg.placement(), "idle", clients.length, 0, 0, 0,
        cfg.preEncrypted(), -1, 0, 0, connected, (int) connectFailures.sum(), connectNanos / 1e9,
        connected / (connectNanos / 1e9), 0, 0, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        errors.sum(), errorSamples(), -1, -1, after.heapUsedBytes(), after.heapMaxBytes(),
        after.rssBytes(), after.threads(), before.heapUsedBytes(), after.heapUsedBytes(), perConn,
        0, machine());
  }

  /**
   * The open-loop scheduler: send number k is due at {@code t0 + k / rate}, to clients in a fixed
   * shuffled order. A late scheduler sends back to back but stamps each message with its intended
   * time, so stalls show up as latency rather than being omitted.
   */
  private void openLoop(long t0) {
    List<SimClient> order = new ArrayList<>(List.of(clients));
    Collections.shuffle(order, new Random(42));
    order.removeIf(c -> !c.ready);
    if (order.isEmpty()) {
      return;
    }
    double interval = 1e9 / cfg.rate();
    long k = 0;
    try {
      while (true) {
        long intended = t0 + (long) (k * interval);
        if (intended >= sendEnd || !sending) {
          break;
        }
        long wait = intended - System.nanoTime();
        if (wait > 20_000) {
          LockSupport.parkNanos(wait - 10_000);
          continue;
        }
        while (System.nanoTime() < intended) {
          Thread.onSpinWait();
        }
        order.get((int) (k % order.size())).send(intended);
        k++;
      }
    } finally {
      finishedGeneratorCpu.addAndGet(threads.getCurrentThreadCpuTime());
      generatorThreads.remove(Thread.currentThread());
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private void error(String what) {
    errors.increment();
    String key = what.length() > 160 ? what.substring(0, 160) : what;
    if (errorCounts.size() < 50 || errorCounts.containsKey(key)) {
      errorCounts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }
  }

  private List<String> errorSamples() {
    List<String> out = new ArrayList<>();
    errorCounts.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
        .limit(10)
        .forEach(e -> out.add(e.getValue().sum() + "x " + e.getKey()));
    return out;
  }

  static String machine() {
    return Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version()
        + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + Instant.now();
  }

  /** Per-loop-thread figures; only that loop's thread writes them. */
  private static final class LoopStats {
    final LatencyHistogram latency = new LatencyHistogram();
    long deliveredInWindow;
  }

  /** One simulated client: its connection handler and protocol events. */
  private final class SimClient implements WsConnection.Handler, ClientProtocol.Events {
    final int index;
    final int room;
    final int loop;
    ClientProtocol.Session session;
    volatile WsConnection conn;
    volatile ClientProtocol.Sender sender;
    volatile boolean ready;
    CountDownLatch settled;
    Semaphore inFlight;
    private boolean settledOnce; // guarded by this
    final ConcurrentHashMap<Long, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    // Failover runs (System.nanoTime, 0 = not yet): the first drop after the kill, the Welcome of
    // the connection that replaced it, and its first acknowledged send and first delivery there.
    volatile long droppedAt;
    volatile long rewelcomedAt;
    volatile long acceptedAfter;
    volatile long deliveredAfter;
    /** Reconnection attempts since the last drop (picks the node: the next after the client's own). */
    private int attempt;
    final AtomicInteger attempts = new AtomicInteger();

    SimClient(int index, int room, int loop) {
      this.index = index;
      this.room = room;
      this.loop = loop;
    }

    void settle(boolean ok) {
      synchronized (this) {
        if (settledOnce) {
          return;
        }
        settledOnce = true;
      }
      if (ok) {
        ready = true;
        readyCount.incrementAndGet();
      } else {
        connectFailures.increment();
      }
      inFlight.release();
      settled.countDown();
    }

    /** Sends one message stamped {@code sentNanos}; serialised per client. */
    synchronized void send(long sentNanos) {
      ClientProtocol.Sender s = sender;
      if (s != null) {
        long seq = ledger.nextSeq(index);
        if (cfg.closedLoop()) {
          outstanding.put(seq, new AtomicInteger(ledger.recipientsPerMessage(index)));
        }
        if (sentNanos >= measureStart && sentNanos < sendEnd) {
          sentInWindow.increment();
        }
        boolean ok;
        try {
          ok = s.send(seq, sentNanos);
        } catch (RuntimeException e) {
          error("send: " + e);
          ok = false;
        }
        if (!ok) {
          ledger.refused(index, seq);
          outstanding.remove(seq);
        }
        return;
      }
      WsConnection c = conn;
      if (cfg.failover() && ready) {
        // Like the SDK's outbox: kept (and resent) by the protocol until acknowledged, whether or
        // not a connection is up right now.
        long seq = ledger.nextSeq(index);
        if (sentNanos >= measureStart && sentNanos < sendEnd) {
          sentInWindow.increment();
        }
        session.send(c, seq, sentNanos);
        return;
      }
      if (c == null || !ready || !c.isOpen()) {
        error("send: connection not open");
        return;
      }
      if (c.pendingBytes() > MAX_CLIENT_BACKLOG_BYTES) {
        error("send skipped: client socket backlog over " + (MAX_CLIENT_BACKLOG_BYTES >> 20) + " MiB");
        return;
      }
      long seq = ledger.nextSeq(index);
      if (cfg.closedLoop()) {
        outstanding.put(seq, new AtomicInteger(ledger.recipientsPerMessage(index)));
      }
      if (sentNanos >= measureStart && sentNanos < sendEnd) {
        sentInWindow.increment();
      }
      if (!session.send(c, seq, sentNanos)) {
        ledger.refused(index, seq);
        outstanding.remove(seq);
        error("send: write failed");
      }
    }

    /** Failover: connects to the next node with a new session (the protocol keeps the outbox). */
    private void reconnect() {
      if (stopping) {
        return;
      }
      attempt++;
      attempts.incrementAndGet();
      ClientProtocol.Session next = protocol.newSession(index, room, cfg.messageSize(), this);
      synchronized (this) {
        session = next;
      }
      try {
        conn = wsLoops[loop].connect(URI.create(protocol.failoverUrl(server, index, attempt)), null,
            protocol.headers(index), this);
      } catch (java.io.IOException | RuntimeException e) {
        error("reconnect: " + e.getMessage());
        reconnects.schedule(this::reconnect, 100, TimeUnit.MILLISECONDS);
      }
    }

    void sendClosedLoop() {
      long now = System.nanoTime();
      if (sending && now < sendEnd) {
        send(now);
      }
    }

    void completedOne(long seq) {
      AtomicInteger left = outstanding.get(seq);
      if (left != null && left.decrementAndGet() == 0) {
        outstanding.remove(seq);
        sendClosedLoop();
      }
    }

    // WsConnection.Handler (loop thread)

    @Override
    public void onOpen(WsConnection c) {
      session.onOpen(c);
    }

    @Override
    public void onMessage(WsConnection c, int opcode, byte[] payload) {
      try {
        session.onMessage(c, opcode, payload);
      } catch (RuntimeException e) {
        error("protocol: " + e);
      }
    }

    @Override
    public void onTick(WsConnection c, long nanoTime) {
      try {
        session.onTick(c, nanoTime);
      } catch (RuntimeException e) {
        error("protocol: " + e);
      }
    }

    @Override
    public void onClose(WsConnection c, String reason) {
      if (cfg.failover() && ready && !stopping) {
        // Each connection closes once and a new one is opened only after the last closed, so every
        // close here is of the client's current connection.
        session.onClose(c);
        if (droppedAt == 0 && killNanos != 0) {
          droppedAt = System.nanoTime();
        }
        if (droppedAt == 0) {
          error("disconnected before any kill: " + reason);
        }
        reconnects.schedule(this::reconnect, attempt == 0 ? 0 : 100, TimeUnit.MILLISECONDS);
        return;
      }
      if (ready && sending) {
        error("disconnected during run: " + reason);
      } else if (!ready) {
        error("connect failed: " + reason);
      }
      settle(false);
    }

    // ClientProtocol.Events (loop thread)

    @Override
    public void ready() {
      if (droppedAt != 0 && rewelcomedAt == 0) {
        rewelcomedAt = System.nanoTime();
      }
      if (sender == null) {
        settle(true);
      }
    }

    @Override
    public void delivered(Probe probe) {
      long now = System.nanoTime();
      if (rewelcomedAt != 0 && deliveredAfter == 0) {
        deliveredAfter = now;
      }
      DeliveryLedger.Receipt receipt = ledger.received(index, probe.sender(), probe.seq());
      if (receipt != DeliveryLedger.Receipt.FIRST) {
        return;
      }
      LoopStats ls = loopStats[loop];
      synchronized (ls) {
        if (probe.sentNanos() >= measureStart && probe.sentNanos() < sendEnd) {
          ls.latency.record(now - probe.sentNanos());
        }
        if (now >= measureStart && now < sendEnd) {
          ls.deliveredInWindow++;
        }
      }
      if (cfg.closedLoop() && probe.sender() >= 0 && probe.sender() < clients.length) {
        clients[probe.sender()].completedOne(probe.seq());
      }
    }

    @Override
    public void accepted(long seq) {
      accepted.increment();
      if (rewelcomedAt != 0 && acceptedAfter == 0) {
        acceptedAfter = System.nanoTime();
      }
    }

    @Override
    public void refused(long seq, String reason) {
      ledger.refused(index, seq);
      error("refused: " + reason);
      if (cfg.closedLoop()) {
        outstanding.remove(seq);
        sendClosedLoop();
      }
    }

    @Override
    public void error(String what) {
      LoadRun.this.error(what);
    }
  }
}
