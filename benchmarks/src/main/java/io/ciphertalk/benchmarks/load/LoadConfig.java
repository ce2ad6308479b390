package io.ciphertalk.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Settings of one load run. Immutable; build with {@link #builder()} or {@link #parse(String...)}.
 *
 * @param target server kind: {@code relay} or {@code ciphertalk}
 * @param placement {@code inproc} (this JVM), {@code fork} (a child JVM) or {@code url} (external)
 * @param url WebSocket URL of an external server (placement {@code url})
 * @param httpUrl HTTP base URL of an external server, or null
 * @param pid process id of an external server for /proc CPU and RSS figures, or 0
 * @param clients simulated clients (one connection each)
 * @param roomSize members per room (clients are split into rooms of this size)
 * @param messageSize payload bytes per message (ciphertext bytes for CipherTalk)
 * @param closedLoop closed loop (each sender keeps {@code window} messages in flight) instead of
 *     open loop at {@code rate}
 * @param rate open loop: messages sent per second over all clients
 * @param window closed loop: messages each sender keeps in flight until all recipients have them
 * @param warmupSeconds load before the measurement window (counted for loss, not for figures)
 * @param durationSeconds length of the measurement window
 * @param drainSeconds how long to wait for outstanding deliveries after the last send
 * @param loops client selector threads
 * @param serverWorkers server worker threads (the relay's decoders; CipherTalk's if configurable)
 * @param localAddresses bind clients round-robin to 127.0.0.1 .. 127.0.0.N (1 = no explicit bind)
 * @param connectConcurrency connection attempts in flight at once
 * @param preEncrypted send random ciphertext (server cost only) rather than real client encryption
 * @param serverHeap {@code -Xmx} of a forked server
 * @param jfr path of a JFR recording of the server (fork or inproc), or null
 * @param idleConnections idle-scale mode: connect up to this many authenticated idle clients
 *     instead of running traffic (0 = traffic run)
 * @param ackEvery CipherTalk: 0, the default, acknowledges as the client SDK does (one cumulative
 *     ack per stream 50 ms after the first unacknowledged delivery, or at once after 64); N > 0
 *     acknowledges every Nth delivery of a stream instead (1 = each delivery)
 * @param failover CipherTalk, cluster runs: a client whose connection drops reconnects to the next
 *     node of the server's list, resends its unacknowledged messages with the same ids, keeps
 *     messages sent while disconnected until it is back (as the client SDK's outbox), and drops
 *     deliveries of a message id it already has (as the SDK does), counting them as redeliveries
 */
public record LoadConfig(
    String target,
    String placement,
    String url,
    String httpUrl,
    long pid,
    int clients,
    int roomSize,
    int messageSize,
    boolean closedLoop,
    double rate,
    int window,
    double warmupSeconds,
    double durationSeconds,
    double drainSeconds,
    int loops,
    int serverWorkers,
    int localAddresses,
    int connectConcurrency,
    boolean preEncrypted,
    String serverHeap,
    String jfr,
    int idleConnections,
    int ackEvery,
    boolean failover) {

  /** Hard cap on the duration so a run always stops by itself. */
  public static final double MAX_DURATION_SECONDS = 3600;

  public LoadConfig {
    if (!Targets.RELAY.equals(target) && !Targets.CIPHERTALK.equals(target)
        && !Targets.RELAY_COALESCED.equals(target)) {
      throw new IllegalArgumentException("target must be relay, ciphertalk or relay-coalesced: " + target);
    }
    if (!List.of("inproc", "fork", "url").contains(placement)) {
      throw new IllegalArgumentException("placement must be inproc, fork or url: " + placement);
    }
    if (placement.equals("url") && (url == null || url.isBlank())) {
      throw new IllegalArgumentException("placement url needs --url");
    }
    require(clients >= 1 && clients <= 100_000, "clients", clients);
    require(idleConnections > 0 || (roomSize >= 2 && roomSize <= clients && clients % roomSize == 0),
        "room-size (must divide --clients)", roomSize);
    require(messageSize >= Probe.HEX_CHARS && messageSize <= (1 << 20), "message-size", messageSize);
    require(closedLoop || rate > 0, "rate", rate);
    require(window >= 1 && window <= 1000, "window", window);
    require(warmupSeconds >= 0 && warmupSeconds <= MAX_DURATION_SECONDS, "warmup", warmupSeconds);
    require(durationSeconds > 0 && durationSeconds <= MAX_DURATION_SECONDS, "duration", durationSeconds);
    require(drainSeconds >= 0 && drainSeconds <= 600, "drain", drainSeconds);
    require(loops >= 1 && loops <= 64, "loops", loops);
    require(serverWorkers >= 1 && serverWorkers <= 256, "server-workers", serverWorkers);
    require(localAddresses >= 1 && localAddresses <= 250, "local-addresses", localAddresses);
    require(connectConcurrency >= 1 && connectConcurrency <= 10_000, "connect-concurrency", connectConcurrency);
    require(idleConnections >= 0 && idleConnections <= 100_000, "idle", idleConnections);
    require(ackEvery >= 0 && ackEvery <= 1_000_000, "ack-every", ackEvery);
  }

  private static void require(boolean ok, String name, Object value) {
    if (!ok) {
      throw new IllegalArgumentException("bad --" + name + ": " + value);
    }
  }

  /** Rooms the clients are split into (the last may be smaller). */
  public int rooms() {
    return (clients + roomSize - 1) / roomSize;
  }

  /** A builder with the defaults of the fan-out benchmark. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.target = target;
    b.placement = placement;
    b.url = url;
    b.httpUrl = httpUrl;
    b.pid = pid;
    b.clients = clients;
    b.roomSize = roomSize;
    b.messageSize = messageSize;
    b.closedLoop = closedLoop;
    b.rate = rate;
    b.window = window;
    b.warmupSeconds = warmupSeconds;
    b.durationSeconds = durationSeconds;
    b.drainSeconds = drainSeconds;
    b.loops = loops;
    b.serverWorkers = serverWorkers;
    b.localAddresses = localAddresses;
    b.connectConcurrency = connectConcurrency;
    b.preEncrypted = preEncrypted;
    b.serverHeap = serverHeap;
    b.jfr = jfr;
    b.idleConnections = idleConnections;
    b.ackEvery = ackEvery;
    b.failover = failover;
    return b;
  }

  /**
   * Parses {@code --name value} options over the defaults; returns the config and leaves unknown
   * options as an error.
   */
  public static LoadConfig parse(String... args) {
    return parseInto(builder(), List.of(args)).build();
  }

  static Builder parseInto(Builder b, List<String> args) {
    List<String> rest = new ArrayList<>(args);
    while (!rest.isEmpty()) {
      String opt = rest.remove(0);
      if (opt.equals("--closed-loop")) {
        b.closedLoop = true;
        continue;
      }
      if (opt.equals("--real-encryption")) {
        b.preEncrypted = false;
        continue;
      }
      if (opt.equals("--pre-encrypted")) {
        b.preEncrypted = true;
        continue;
      }
      if (rest.isEmpty() || !opt.startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got: " + opt);
      }
      String v = rest.remove(0);
      switch (opt.toLowerCase(Locale.ROOT)) {
        case "--target" -> b.target = v;
        case "--placement" -> b.placement = v;
        case "--url" -> {
          b.url = v;
          b.placement = "url";
        }
        case "--http-url" -> b.httpUrl = v;
        case "--pid" -> b.pid = Long.parseLong(v);
        case "--clients" -> b.clients = Integer.parseInt(v);
        case "--room-size" -> b.roomSize = Integer.parseInt(v);
        case "--message-size" -> b.messageSize = Integer.parseInt(v);
        case "--mode" -> {
          if (!v.equals("open") && !v.equals("closed")) {
            throw new IllegalArgumentException("--mode must be open or closed: " + v);
          }
          b.closedLoop = v.equals("closed");
        }
        case "--rate" -> b.rate = Double.parseDouble(v);
        case "--window" -> b.window = Integer.parseInt(v);
        case "--warmup" -> b.warmupSeconds = Double.parseDouble(v);
        case "--duration" -> b.durationSeconds = Double.parseDouble(v);
        case "--drain" -> b.drainSeconds = Double.parseDouble(v);
        case "--loops" -> b.loops = Integer.parseInt(v);
        case "--server-workers" -> b.serverWorkers = Integer.parseInt(v);
        case "--local-addresses" -> b.localAddresses = Integer.parseInt(v);
        case "--connect-concurrency" -> b.connectConcurrency = Integer.parseInt(v);
        case "--server-heap" -> b.serverHeap = v;
        case "--jfr" -> b.jfr = v;
        case "--idle" -> b.idleConnections = Integer.parseInt(v);
        case "--ack-every" -> b.ackEvery = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option: " + opt);
      }
    }
    return b;
  }

  /** Mutable builder; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    String target = Targets.RELAY;
    String placement = "fork";
    String url;
    String httpUrl;
    long pid;
    int clients = 100;
    int roomSize = 10;
    int messageSize = 256;
    boolean closedLoop;
    double rate = 1000;
    int window = 4;
    double warmupSeconds = 3;
    double durationSeconds = 10;
    double drainSeconds = 10;
    int loops = 2;
    int serverWorkers = Math.max(1, Runtime.getRuntime().availableProcessors());
    int localAddresses = 1;
    int connectConcurrency = 64;
    boolean preEncrypted = true;
    String serverHeap = "512m";
    String jfr;
    int idleConnections;
    int ackEvery;
    boolean failover;

    private Builder() {}

    public Builder target(String v) {
      target = v;
      return this;
    }

    public Builder placement(String v) {
      placement = v;
      return this;
    }

    public Builder clients(int v) {
      clients = v;
      return this;
    }

    public Builder roomSize(int v) {
      roomSize = v;
      return this;
    }

    public Builder messageSize(int v) {
      messageSize = v;
      return this;
    }

    public Builder closedLoop(boolean v) {
      closedLoop = v;
      return this;
    }

    public Builder rate(double v) {
      rate = v;
      return this;
    }

    public Builder durationSeconds(double v) {
      durationSeconds = v;
      return this;
    }

    public Builder warmupSeconds(double v) {
      warmupSeconds = v;
      return this;
    }

    public Builder idleConnections(int v) {
      idleConnections = v;
      return this;
    }

    public Builder preEncrypted(boolean v) {
      preEncrypted = v;
      return this;
    }

    public Builder jfr(String v) {
      jfr = v;
      return this;
    }

    public Builder failover(boolean v) {
      failover = v;
      return this;
    }

    public Builder drainSeconds(double v) {
      drainSeconds = v;
      return this;
    }

    public LoadConfig build() {
      return new LoadConfig(target, placement, url, httpUrl, pid, clients, roomSize, messageSize,
          closedLoop, rate, window, warmupSeconds, durationSeconds, drainSeconds, loops, serverWorkers,
          localAddresses, connectConcurrency, preEncrypted, serverHeap, jfr, idleConnections, ackEvery, failover);
    }
  }
}
