package io.ciphertalk.benchmarks.load;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.MessageStatus;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.store.jdbi.Argon2Settings;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.server.CipherTalkServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The client pipeline end to end, as an app sees it (issue 21): an embedded server (file H2, real
 * WebSockets on 127.0.0.1, per-connection rate limit raised out of the way) and two SDK clients,
 * alice and bob, in this JVM. For each room kind (1:1, group) and bob's store (in memory,
 * encrypted file):
 *
 * <ol>
 *   <li><b>send</b>: bob offline, alice calls {@code send} N times; msg/s until alice has heard
 *       the server confirm (SENT) all N;
 *   <li><b>catch-up</b>: bob connects; msg/s until his {@code onMessage} has seen all N;
 *   <li><b>live</b>: both online, alice sends at a fixed rate; send call to bob's {@code onMessage},
 *       p50/p99/max.
 * </ol>
 *
 * <p>For the send and catch-up phases it also prints the process's CPU time per message (server
 * and clients together): on a shared machine the rates measure the contention as much as the code,
 * the CPU time much less so.
 *
 * <pre>
 * catchup [--messages N] [--live-rate R] [--live-seconds S] [--out DIR]   [10000, 100, 10]
 *         [--rooms private,group] [--stores memory,encrypted]   (which scenarios; default all)
 *         [--warmup N]   (messages of the unmeasured warm-up run of each room kind; 0: none) [3000]
 * </pre>
 *
 * <p>Warm-up: the first scenario in a fresh JVM ran mostly in the interpreter and the JIT compiler
 * (over 1 ms of CPU per message against 0.3 ms later), so before the measured scenarios a shorter
 * 1:1 and a group run on the encrypted store go unreported.
 */
final class CatchUpBenchmark {
  private CatchUpBenchmark() {}

  enum Store { MEMORY, ENCRYPTED }

  /** One scenario's figures. */
  record Result(RoomKind kind, Store store, int messages, double sendPerSecond,
      double catchUpPerSecond, int liveMessages, double p50Millis, double p99Millis,
      double maxMillis, String stall, double sendCpuMicros, double catchUpCpuMicros) {
    static Result stalled(RoomKind kind, Store store, int messages, double sendPerSecond,
        String phase, long got, long of) {
      return new Result(kind, store, messages, sendPerSecond, 0, 0, 0, 0, 0,
          phase + " stalled at " + got + " of " + of + " (no progress for 60 s)", 0, 0);
    }

    String row() {
      if (stall != null) {
        return String.format(Locale.ROOT, "| %s | %s | %,d | %s | %s |", kind == RoomKind.PRIVATE
            ? "1:1" : "group", store == Store.MEMORY ? "in-memory" : "encrypted JdbiLocalStore",
            messages, sendPerSecond == 0 ? "-" : String.format(Locale.ROOT, "%,.0f", sendPerSecond),
            stall);
      }
      return String.format(Locale.ROOT,
          "| %s | %s | %,d | %,.0f | %,.0f | %,d | %.1f | %.1f | %.1f | %,.0f | %,.0f |",
          kind == RoomKind.PRIVATE ? "1:1" : "group", store == Store.MEMORY ? "in-memory"
              : "encrypted JdbiLocalStore", messages, sendPerSecond, catchUpPerSecond,
          liveMessages, p50Millis, p99Millis, maxMillis, sendCpuMicros, catchUpCpuMicros);
    }
  }

  static String header() {
    return "| room | bob's store | queued | send msg/s | catch-up msg/s | live msgs | live p50 ms"
        + " | live p99 ms | live max ms | send CPU µs/msg | catch-up CPU µs/msg |"
        + "\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }

  static void main(List<String> args, Path out) throws Exception {
    int messages = Integer.parseInt(LoadGenerator.take(args, "--messages", "10000"));
    int liveRate = Integer.parseInt(LoadGenerator.take(args, "--live-rate", "100"));
    int liveSeconds = Integer.parseInt(LoadGenerator.take(args, "--live-seconds", "10"));
    Set<String> rooms = Set.of(LoadGenerator.take(args, "--rooms", "private,group").split(","));
    Set<String> stores = Set.of(LoadGenerator.take(args, "--stores", "memory,encrypted").split(","));
    int warmup = Integer.parseInt(LoadGenerator.take(args, "--warmup", "3000"));
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("unknown catchup options: " + args);
    }
    if (warmup > 0) {
      for (RoomKind kind : List.of(RoomKind.PRIVATE, RoomKind.GROUP)) {
        Result r = run(kind, Store.ENCRYPTED, warmup, liveRate, 1);
        System.out.println("(warm-up, not a result) " + r.row());
      }
    }
    List<Result> results = new ArrayList<>();
    StringBuilder md = new StringBuilder(header()).append('\n');
    System.out.println(header());
    for (RoomKind kind : List.of(RoomKind.PRIVATE, RoomKind.GROUP)) {
      for (Store store : Store.values()) {
        if (!rooms.contains(kind.name().toLowerCase(Locale.ROOT))
            || !stores.contains(store.name().toLowerCase(Locale.ROOT))) {
          continue;
        }
        Result r = run(kind, store, messages, liveRate, liveSeconds);
        results.add(r);
        System.out.println(r.row());
        md.append(r.row()).append('\n');
      }
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve("catchup.md"), md.toString());
  }

  static Result run(RoomKind kind, Store store, int n, int liveRate, int liveSeconds)
      throws Exception {
    Path dir = Files.createTempDirectory("ciphertalk-catchup");
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(0).httpPort(0)
        .bindAddress("127.0.0.1").dataDirectory(dir.resolve("server")).passwordHashing(64, 1)
        .rateLimit(1_000_000, 1_000_000).build().start()) {
      URI ws = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
      URI http = URI.create("http://127.0.0.1:" + server.httpPort() + "/");
      AtomicInteger received = new AtomicInteger();
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      long[] latencies = new long[liveRate * liveSeconds];
      AtomicInteger live = new AtomicInteger();
      AtomicInteger sentEvents = new AtomicInteger();
      try (CipherTalkClient alice = CipherTalkClient.builder().serverUri(ws, http)
              .listener(new ChatListener() {
                @Override
                public void onMessageStatus(ChatEvent.MessageStatusChanged e) {
                  if (e.state().status() == MessageStatus.SENT) {
                    sentEvents.incrementAndGet();
                  }
                }
              }).build();
          CipherTalkClient bob = bob(ws, http, store, dir, received, sentAt, latencies, live)) {
        alice.register("alice", "alice-password");
        bob.register("bob", "bob-password-1");
        alice.connect();
        bob.connect();
        Room room = kind == RoomKind.PRIVATE ? alice.privateRoom("bob")
            : alice.createGroup("catch-up", Set.of("bob"));
        room.send("warm-up");
        await(received::get, 1);

        bob.disconnect();
        // "Sent" is alice's SENT status event (the server answered that it committed the message):
        // counted in memory, so the harness adds no work to the phase it measures (polling the
        // server's metrics, whose queue gauges scan the queue tables, was a quarter of the main
        // thread's CPU). The server's routed count is checked once at the end.
        long base = routed(server);
        int sentBase = sentEvents.get();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          room.send("queued " + i);
        }
        if (!await(() -> sentEvents.get() - sentBase, n)) {
          return Result.stalled(kind, store, n, 0, "send", sentEvents.get() - sentBase, n);
        }
        double sendRate = n / seconds(System.nanoTime() - t0);
        double sendCpu = (processCpuNanos() - cpu0) / 1e3 / n;
        if (!await(() -> routed(server) - base, n, METRICS_POLL_NANOS)) {
          return Result.stalled(kind, store, n, 0, "send (server count)", routed(server) - base, n);
        }

        long cpu1 = processCpuNanos();
        long t1 = System.nanoTime();
        bob.connect();
        if (!await(() -> received.get() - 1, n)) {
          return Result.stalled(kind, store, n, sendRate, "catch-up", received.get() - 1, n);
        }
        double catchUpRate = n / seconds(System.nanoTime() - t1);
        double catchUpCpu = (processCpuNanos() - cpu1) / 1e3 / n;

        long period = 1_000_000_000L / liveRate;
        long next = System.nanoTime();
        for (int i = 0; i < latencies.length; i++) {
          LockSupport.parkNanos(next - System.nanoTime());
          String text = "live " + i;
          sentAt.put(text, System.nanoTime());
          room.send(text);
          next += period;
        }
        if (!await(live::get, latencies.length)) {
          return Result.stalled(kind, store, n, sendRate, "live", live.get(), latencies.length);
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return new Result(kind, store, n, sendRate, catchUpRate, sorted.length,
            millis(sorted[sorted.length / 2]), millis(sorted[(int) (sorted.length * 0.99)]),
            millis(sorted[sorted.length - 1]), null, sendCpu, catchUpCpu);
      }
    } finally {
      delete(dir);
    }
  }

  private static CipherTalkClient bob(URI ws, URI http, Store store, Path dir,
      AtomicInteger received, Map<String, Long> sentAt, long[] latencies, AtomicInteger live)
      throws Exception {
    CipherTalkClient.Builder b = CipherTalkClient.builder().serverUri(ws, http)
        .listener(new ChatListener() {
          @Override
          public void onMessage(ChatEvent.MessageReceived e) {
            long now = System.nanoTime();
            Long at = sentAt.remove(e.message().text());
            if (at != null) {
              latencies[live.getAndIncrement()] = now - at;
            } else {
              received.incrementAndGet();
            }
          }
        });
    if (store == Store.ENCRYPTED) {
      b.store(JdbiLocalStore.builder().file(dir.resolve("bob"))
          .passphrase("benchmark passphrase".toCharArray())
          .argon2(new Argon2Settings(64, 1, 1)).open());
    }
    return b.build();
  }

  /** No progress for this long counts as a stall (the phase is reported, not waited for). */
  static final long STALL_NANOS = 60_000_000_000L;

  /** How often the send phase reads the server's metrics. */
  static final long METRICS_POLL_NANOS = 20_000_000L;

  private static boolean await(java.util.function.LongSupplier progress, long target) {
    return await(progress, target, 1_000_000L);
  }

  /** Waits until {@code progress} reaches {@code target}; false if it stops moving for a minute. */
  private static boolean await(java.util.function.LongSupplier progress, long target,
      long pollNanos) {
    long last = -1;
    long since = System.nanoTime();
    for (long p; (p = progress.getAsLong()) < target; ) {
      if (p != last) {
        last = p;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > STALL_NANOS) {
        return false;
      }
      LockSupport.parkNanos(pollNanos);
    }
    return true;
  }

  private static final java.util.regex.Pattern ROUTED =
      java.util.regex.Pattern.compile("(?m)^ciphertalk_messages_routed_total (\\S+)$");

  private static long routed(CipherTalkServer server) {
    java.util.regex.Matcher m = ROUTED.matcher(server.metricsText());
    if (!m.find()) {
      throw new IllegalStateException("no ciphertalk_messages_routed_total metric");
    }
    return (long) Double.parseDouble(m.group(1)); // Prometheus text writes doubles (1.0E7)
  }

  /**
   * CPU time of this whole process (server, both clients, JIT and GC threads): the work a phase
   * cost, which unlike its wall-clock rate hardly depends on what else the machine runs.
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
