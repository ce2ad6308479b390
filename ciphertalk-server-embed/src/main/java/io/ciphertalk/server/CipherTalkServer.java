package io.ciphertalk.server;

import io.ciphertalk.core.transport.InMemoryEndpoint;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.server.internal.auth.AccountService;
import io.ciphertalk.server.internal.auth.PasswordHasher;
import io.ciphertalk.server.internal.http.HttpApi;
import io.ciphertalk.server.internal.metrics.Metrics;
import io.ciphertalk.server.internal.routing.ChatService;
import io.ciphertalk.server.internal.routing.Router;
import io.ciphertalk.server.internal.store.Database;
import io.ciphertalk.server.internal.store.GroupCommitter;
import io.ciphertalk.server.internal.store.Messages;
import io.ciphertalk.server.internal.ws.InMemoryChannels;
import io.ciphertalk.server.internal.ws.Protocol;
import io.ciphertalk.server.internal.ws.WebSocketFront;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embeddable CipherTalk server: accounts, prekey directory, rooms and contacts, durable
 * store-and-forward routing of ciphertext over WebSocket ({@code /ws}, {@code /ws/chat/{room}/}),
 * the REST API, health and metrics (Micrometer; Prometheus text on {@code /metrics}). It stores and
 * routes ciphertext only.
 *
 * <pre>{@code
 * try (CipherTalkServer server = CipherTalkServer.builder()
 *     .wsPort(0).httpPort(0)
 *     .dataDirectory(Path.of("data"))
 *     .build()
 *     .start()) {
 *   log.info("chat at ws://localhost:{}/ws", server.wsPort());   // the host app's own logger
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} stops the listeners, finishes queued
 * writes and closes the database (if the server opened it). Obtain with {@link #builder()}.
 * Methods other than {@code start}/{@code close} throw {@link IllegalStateException} unless the
 * server is running; null arguments throw {@link NullPointerException}.
 */
public final class CipherTalkServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CipherTalkServer.class);

  private final Builder cfg;
  private Metrics metrics;
  private Database db;
  private GroupCommitter writer;
  private ExecutorService readPool;
  private ExecutorService requestPool;
  private ExecutorService httpPool;
  private ScheduledExecutorService scheduler;
  private Router router;
  private AccountService accounts;
  private final io.ciphertalk.server.internal.auth.LiveSessions liveSessions =
      new io.ciphertalk.server.internal.auth.LiveSessions();
  private ChatService chat;
  private Protocol protocol;
  private HttpApi http;
  private io.ciphertalk.server.internal.blobs.BlobService blobs;
  private io.ciphertalk.server.internal.metrics.DailyActiveUsers activeUsers;
  private Path temporaryBlobs;
  private WebSocketFront ws;
  private InMemoryChannels inMemory;
  private io.ciphertalk.server.internal.cluster.RedisBus bus;
  private io.ciphertalk.server.internal.routing.ClusterRelay relay;
  private volatile boolean crashed;
  private volatile boolean started;
  private volatile boolean closed;

  private CipherTalkServer(Builder b) {
    this.cfg = b;
  }

  /** A builder with defaults: ports 8000 (WebSocket) and 8080 (HTTP) on 127.0.0.1, H2 in ./data. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens the database (applying migrations), binds the listeners and starts the background
   * sweeps. Returns this server.
   *
   * @throws IllegalStateException if already started, or if a port cannot be bound
   */
  public synchronized CipherTalkServer start() {
    if (started) {
      throw new IllegalStateException("server already started");
    }
    started = true;
    try {
      doStart();
    } catch (Exception e) {
      close();
      throw new IllegalStateException("server failed to start: " + e.getMessage(), e);
    }
    return this;
  }

  private void doStart() throws Exception {
    metrics = new Metrics(cfg.meterRegistry, cfg.clock);
    if (cfg.dataSource == null) {
      Database.checkH2File(cfg.jdbcUrl(), cfg.initDatabase);
    }
    db = cfg.dataSource != null ? Database.of(cfg.dataSource)
        : Database.open(cfg.jdbcUrl(), cfg.dbUser, cfg.dbPassword, cfg.dbPoolSize);
    db.migrate(cfg.clock);
    writer = new GroupCommitter(db, cfg.writeQueueCapacity, 256);
    readPool = boundedPool("ciphertalk-read", cfg.readThreads, 10_000);
    requestPool = boundedPool("ciphertalk-request", cfg.readThreads, 10_000);
    httpPool = boundedPool("ciphertalk-http", cfg.httpThreads, 1_000);
    scheduler = Executors.newSingleThreadScheduledExecutor(daemon("ciphertalk-scheduler"));
    router = new Router(db, writer, readPool, scheduler, cfg.clock, metrics, new Router.Limits(
        cfg.maxConnectionsPerUser, cfg.maxInflightPerConnection, cfg.typingTtl.toMillis(), cfg.prekeyLowThreshold,
        cfg.dedupeRetention.toMillis(), cfg.roomHistoryRetention.toMillis(), cfg.maxOutboundBytes / 2,
        cfg.slowConsumerTimeout.toMillis()));
    if (cfg.redisUri != null) {
      // Cluster mode: join before the listeners accept the first connection.
      bus = new io.ciphertalk.server.internal.cluster.RedisBus(cfg.redisUri, cfg.nodeId());
      relay = new io.ciphertalk.server.internal.routing.ClusterRelay(bus, cfg.clusterNodeTtl);
      relay.bind(router);
      bus.start(relay);
      // Before the first connection: a restarted node's leftovers go, its liveness key is set.
      relay.join();
      metrics.gauge("ciphertalk.cluster.redis.up", "1 while this node reaches Redis, else 0.",
          () -> bus.isUp() ? 1 : 0);
      metrics.gauge("ciphertalk.cluster.notices.published", "Cluster notices published to Redis.",
          bus::publishedCount);
      metrics.gauge("ciphertalk.cluster.notices.received", "Cluster notices received from Redis.",
          bus::receivedCount);
      metrics.gauge("ciphertalk.cluster.notices.dropped", "Cluster notices dropped (Redis away or queue full).",
          bus::droppedPublishes);
    }
    PasswordHasher hasher = new PasswordHasher(cfg.argonMemoryKib, cfg.argonIterations, cfg.random);
    accounts = new AccountService(db, cfg.clock, cfg.random, hasher, cfg.accountSettings(), liveSessions, metrics);
    if (bus != null) {
      accounts.shareLockout(new io.ciphertalk.server.internal.cluster.RedisLockout(bus));
      accounts.shareRateLimits(new io.ciphertalk.server.internal.cluster.RedisRateLimits(bus));
    }
    activeUsers = new io.ciphertalk.server.internal.metrics.DailyActiveUsers(db, cfg.clock);
    accounts.onActivity(activeUsers::seen);
    chat = new ChatService(db, writer, router, cfg.clock, cfg.random, cfg.maxRoomMembers, cfg.prekeyLowThreshold);
    protocol = new Protocol(accounts, liveSessions, new io.ciphertalk.server.internal.routing.BundleFetchGuard(cfg.clock,
        cfg.bundleFetchesPerMinute, cfg.strangerOneTimePrekeysPerHour), chat, router, requestPool, metrics, cfg.maxFrameBytes, cfg.clock);
    inMemory = new InMemoryChannels(protocol, cfg.maxOutboundBytes, cfg.messagesPerSecond, cfg.messageBurst, metrics);

    metrics.gauge("ciphertalk.connections", "Authenticated connections.", router::onlineConnections);
    metrics.gauge("ciphertalk.write.queue.depth", "Writes waiting for the writer.", writer::depth);
    metrics.gauge("ciphertalk.direct.queue.depth", "Undelivered 1:1 envelopes stored.",
        () -> db.withHandle(Messages::directQueueDepth));
    metrics.gauge("ciphertalk.room.timeline.messages", "Group messages stored.",
        () -> db.withHandle(Messages::roomTimelineSize));

    io.ciphertalk.server.internal.Health health = new io.ciphertalk.server.internal.Health(
        cfg.wsPort < 0 ? null : () -> ws != null && ws.listening(),
        cfg.httpPort < 0 ? null : () -> http != null && http.listening(),
        () -> writer.isAlive() && !closed, db,
        cfg.jdbcUrl == null && cfg.dataSource == null ? cfg.dataDirectory : null);
    io.ciphertalk.server.internal.OriginPolicy origins = new io.ciphertalk.server.internal.OriginPolicy(
        cfg.allowedOrigins, () -> http == null ? -1 : http.port());
    BlobStore blobStore = cfg.blobStore;
    if (blobStore == null) {
      // A server whose database vanishes on close keeps its blobs in a temporary directory that
      // vanishes with it, unless the host named a data directory.
      boolean ephemeral = !cfg.dataDirectorySet && cfg.dataSource == null && cfg.jdbcUrl != null
          && cfg.jdbcUrl.startsWith("jdbc:h2:mem:");
      temporaryBlobs = ephemeral ? java.nio.file.Files.createTempDirectory("ciphertalk-blobs-") : null;
      blobStore = BlobStore.fileSystem(ephemeral ? temporaryBlobs : cfg.dataDirectory.resolve("blobs"));
    }
    blobs = new io.ciphertalk.server.internal.blobs.BlobService(db, blobStore, cfg.clock,
        cfg.random, new io.ciphertalk.server.internal.blobs.BlobService.Limits(cfg.maxBlobBytes, cfg.blobQuotaBytes,
            cfg.maxBlobPartBytes, cfg.blobOrphanTimeout.toMillis(), cfg.roomHistoryRetention.toMillis()));
    if (cfg.httpPort >= 0) {
      http = new HttpApi(new InetSocketAddress(cfg.bindAddress, cfg.httpPort), httpPool, accounts, chat, router, db,
          metrics, cfg.maxHttpBodyBytes, cfg.maxCiphertextBytes, cfg.httpLimits(), health, origins, blobs,
          new io.ciphertalk.server.internal.metrics.AdminStats(metrics, router::onlineConnections, activeUsers, db,
              cfg.clock),
          cfg.webRoot, () -> ws == null ? -1 : ws.port());
      http.start();
    }
    if (cfg.wsPort >= 0) {
      ws = new WebSocketFront(new InetSocketAddress(cfg.bindAddress, cfg.wsPort), cfg.wsLimits(), protocol,
          origins, cfg.maxOutboundBytes, cfg.messagesPerSecond, cfg.messageBurst,
          (int) Math.max(1, cfg.pingInterval.toSeconds()), metrics);
      ws.start();
    }
    long sweepMs = cfg.sweepInterval.toMillis();
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        router.sweep();
        router.expireTyping();
        blobs.sweep();
        activeUsers.rollOver();
      } catch (RuntimeException e) {
        LOG.warn("sweep failed: {}", e.toString());
      }
    }, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    if (relay != null) {
      long beat = relay.heartbeatMillis();
      // A task that throws is never run again by the scheduler: contain every failure.
      scheduler.scheduleWithFixedDelay(() -> {
        try {
          readPool.execute(relay::heartbeat);
        } catch (RuntimeException e) {
          LOG.warn("cluster heartbeat skipped: {}", e.toString());
        }
      }, beat, beat, TimeUnit.MILLISECONDS);
      long poll = cfg.clusterCatchUp.toMillis();
      long full = cfg.clusterFullCatchUp.toNanos();
      java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean();
      long[] lastFull = {System.nanoTime()};
      // The bounded catch-up poll: what a lost notice left behind is delivered within one interval. Each
      // pass is one read per node for the connections with something new (Router.catchUpPoll); every
      // clusterFullCatchUp (5 min), every connection re-reads its queues instead (a safety net). On a
      // read thread, one pass at a time.
      scheduler.scheduleWithFixedDelay(() -> {
        if (!polling.compareAndSet(false, true)) {
          return;
        }
        try {
          readPool.execute(() -> {
            try {
              if (System.nanoTime() - lastFull[0] >= full) {
                lastFull[0] = System.nanoTime();
                router.catchUpAll();
              } else {
                router.catchUpPoll();
              }
            } catch (RuntimeException e) {
              LOG.warn("cluster catch-up pass failed: {}", e.toString());
            } finally {
              polling.set(false);
            }
          });
        } catch (RuntimeException e) {
          polling.set(false);
          LOG.warn("cluster catch-up pass skipped: {}", e.toString());
        }
      }, poll, poll, TimeUnit.MILLISECONDS);
      LOG.info("cluster mode: node {} on Redis {}", bus.nodeId(), cfg.redisUri);
    }
    long authNanos = cfg.authTimeout.toNanos();
    scheduler.scheduleWithFixedDelay(() -> protocol.closeUnauthenticated(authNanos), 250, 250, TimeUnit.MILLISECONDS);
    LOG.info("CipherTalk server started: websocket {}, http {}",
        ws == null ? "disabled" : "ws://" + hostForUrl() + ":" + ws.port() + "/ws",
        http == null ? "disabled" : "http://" + hostForUrl() + ":" + http.port() + "/");
  }

  private String hostForUrl() {
    String h = cfg.bindAddress.getHostAddress();
    return h.contains(":") ? "[" + h + "]" : h;
  }

  private static ThreadPoolExecutor boundedPool(String name, int threads, int queue) {
    return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
        daemon(name));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void requireStarted() {
    if (!started || closed) {
      throw new IllegalStateException("server is not running");
    }
  }

  /** The bound WebSocket port (useful with port 0). */
  public int wsPort() {
    requireStarted();
    if (ws == null) {
      throw new IllegalStateException("websocket listener disabled");
    }
    return ws.port();
  }

  /** The bound HTTP port (useful with port 0). */
  public int httpPort() {
    requireStarted();
    if (http == null) {
      throw new IllegalStateException("http listener disabled");
    }
    return http.port();
  }

  /**
   * An endpoint for {@link io.ciphertalk.core.transport.InMemoryTransport}: clients in this JVM
   * connect without sockets, with the same protocol and limits.
   */
  public InMemoryEndpoint inMemoryEndpoint() {
    requireStarted();
    return inMemory;
  }

  /** Creates an account (e.g. the administrator, for the {@code create-admin} command). */
  public void createAccount(String username, char[] password, boolean admin) {
    requireStarted();
    try {
      accounts.register(username, password, admin);
    } catch (io.ciphertalk.server.internal.ServiceException e) {
      throw new IllegalArgumentException(e.code() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Logs a user in without HTTP (for hosts whose clients use the in-memory transport): checks the
   * password (and TOTP code, if enabled; else pass null) and returns a new bearer token for
   * {@code hello}. Subject to the same login rate limits as {@code POST /api/login}.
   *
   * @throws IllegalArgumentException with the error code (e.g. {@code invalid_credentials}) if refused
   */
  public String login(String username, char[] password, String totpCode) {
    requireStarted();
    try {
      return accounts.login(username, password, totpCode, "in-process").token();
    } catch (io.ciphertalk.server.internal.ServiceException e) {
      throw new IllegalArgumentException(e.code() + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- account administration

  private <T> T admin(java.util.function.Supplier<T> action) {
    requireStarted();
    try {
      return action.get();
    } catch (io.ciphertalk.server.internal.ServiceException e) {
      throw new IllegalArgumentException(e.code() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Disables an account: it cannot log in, its tokens are revoked and its live connections closed.
   *
   * @throws IllegalArgumentException {@code not_found} for an unknown user
   */
  public void disableAccount(String username) {
    String user = AccountService.normalizeUsername(Objects.requireNonNull(username, "username"));
    admin(() -> {
      accounts.setDisabled(user, true);
      return null;
    });
  }

  /** Enables a disabled account again (its user logs in anew). */
  public void enableAccount(String username) {
    String user = AccountService.normalizeUsername(Objects.requireNonNull(username, "username"));
    admin(() -> {
      accounts.setDisabled(user, false);
      return null;
    });
  }

  /**
   * Deletes an account: disables it, leaves its rooms (ownership passes on), deletes its devices,
   * prekeys, contacts and queued envelopes, and retires the name so nobody can register it again.
   */
  public void deleteAccount(String username) {
    String user = AccountService.normalizeUsername(Objects.requireNonNull(username, "username"));
    admin(() -> {
      io.ciphertalk.server.internal.routing.AccountRemoval.delete(accounts, chat, user);
      return null;
    });
  }

  /** Creates a single-use registration invite (for {@link Builder#inviteOnly}); returns the code, shown once. */
  public String createInvite(Duration ttl) {
    positiveDuration(ttl, "ttl");
    return admin(() -> accounts.createInvite("admin", ttl));
  }

  private static void positiveDuration(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
  }

  /**
   * Runs the expiry sweep now and waits for it (normally scheduled; useful with a fake clock): purges
   * expired ciphertext, ends attachment references whose message expired, deletes blobs no message
   * refers to and uploads abandoned for {@link Builder#blobOrphanTimeout}.
   */
  public void sweepExpired() {
    requireStarted();
    router.sweep().join();
    router.expireTyping();
    blobs.sweep();
  }

  /**
   * Prometheus text of the current metrics, as served on {@code GET /metrics}: the scrape of the
   * server's own Prometheus registry, or of the host's registry if it is (or contains) a
   * Prometheus one.
   *
   * @throws IllegalStateException if the server reports to a host {@link MeterRegistry} without a
   *     Prometheus registry (read the meters there), or is not running
   */
  public String metricsText() {
    requireStarted();
    return metrics.prometheusText().orElseThrow(() -> new IllegalStateException(
        "metrics go to the host's MeterRegistry, which has no Prometheus registry"));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (inMemory != null) {
      inMemory.shutdown();
    }
    if (ws != null) {
      ws.close();
    }
    if (http != null) {
      http.close();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    for (ExecutorService p : new ExecutorService[] {requestPool, readPool, httpPool}) {
      if (p != null) {
        p.shutdown();
      }
    }
    try {
      for (ExecutorService p : new ExecutorService[] {requestPool, readPool, httpPool}) {
        if (p != null) {
          p.awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (relay != null && !crashed) {
      try {
        relay.leave();
      } catch (RuntimeException e) {
        LOG.warn("could not leave the cluster cleanly: {}", e.toString());
      }
    }
    if (bus != null) {
      bus.close();
    }
    if (router != null && writer != null && !crashed) {
      // Persist coalesced acknowledgements before the writer stops (losing them would only redeliver).
      try {
        router.flushAcks().get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warn("could not persist pending acknowledgements on close: {}", e.toString());
      }
    }
    if (writer != null) {
      writer.close();
    }
    if (router != null) {
      router.shutdown();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (db != null) {
      db.close();
    }
    if (temporaryBlobs != null) {
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(temporaryBlobs)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException | java.io.UncheckedIOException e) {
        LOG.warn("could not remove the temporary blob directory {}: {}", temporaryBlobs, e.toString());
      }
    }
    LOG.info("CipherTalk server stopped");
  }

  /**
   * Test hook: stops like a killed process as far as the cluster can tell: connections drop, and
   * nothing is tidied up (coalesced acknowledgements are not persisted, the node's presence entries
   * stay in Redis until its liveness key expires).
   */
  void crashForTest() {
    crashed = true;
    if (bus != null) {
      // Nothing more reaches Redis, not even what closing the sockets would announce.
      bus.severForTest();
    }
    close();
  }

  /** Test hook: the router (drain and poll counters). */
  Router routerForTest() {
    return router;
  }

  /** Test hook: the cluster bus, or null on a single node. */
  io.ciphertalk.server.internal.cluster.RedisBus clusterBusForTest() {
    return bus;
  }

  /**
   * Configures a {@link CipherTalkServer}. Each setter checks its value at once and throws
   * {@link IllegalArgumentException} naming it; null arguments throw {@link NullPointerException}.
   * Not thread-safe.
   */
  public static final class Builder {
    private int wsPort = 8000;
    private int httpPort = 8080;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private Clock clock = Clock.systemUTC();
    private RandomSource random = RandomSource.secure();
    private String jdbcUrl;
    private String dbUser = "";
    private String dbPassword = "";
    private int dbPoolSize = 16;
    private DataSource dataSource;
    private MeterRegistry meterRegistry;
    private Path dataDirectory = Path.of("data");
    private boolean dataDirectorySet;
    private Set<String> allowedOrigins = Set.of();
    private Path webRoot;
    private int maxFrameBytes = 256 * 1024;
    private int maxCiphertextBytes = io.ciphertalk.core.wire.Limits.MAX_CIPHERTEXT_BYTES;
    private int maxHttpBodyBytes = 256 * 1024;
    private long maxOutboundBytes = 4L * 1024 * 1024;
    private int maxConnections = 10_000;
    // Network limits (issue 13): see docs/server-guide.md, "Limits".
    private int maxConnectionsPerAddress = 256;
    private int preAuthMessageBytes = 8 * 1024;
    private long preAuthBufferBytes = 16L * 1024 * 1024;
    private long inboundBufferBytes = 64L * 1024 * 1024;
    private Duration handshakeTimeout = Duration.ofSeconds(5);
    private Duration httpIdleTimeout = Duration.ofSeconds(10);
    private Duration httpRequestTimeout = Duration.ofSeconds(15);
    private int maxHttpConnections = 1_000;
    private boolean initDatabase;
    private int maxConnectionsPerUser = 10;
    private int maxInflightPerConnection = 1000;
    private double messagesPerSecond = 50;
    private int messageBurst = 200;
    private Duration authTimeout = Duration.ofSeconds(10);
    private Duration pingInterval = Duration.ofSeconds(30);
    private Duration slowConsumerTimeout = Duration.ofSeconds(30);
    private Duration tokenTtl = Duration.ofDays(14);
    private Duration tokenIdle = Duration.ofDays(7);
    private int loginAttemptsPerAccount = 5;
    private int loginAttemptsPerAddress = 20;
    private Duration loginWindow = Duration.ofMinutes(5);
    private Duration firstLockout = Duration.ofMinutes(1);
    private Duration maxLockout = Duration.ofHours(1);
    private int registrationsPerAddress = 10;
    private Duration registrationWindow = Duration.ofHours(1);
    private boolean inviteOnly;
    private int bundleFetchesPerMinute = 60;
    private int strangerOneTimePrekeysPerHour = 20;
    private int argonMemoryKib = PasswordHasher.OWASP_MEMORY_KIB;
    private int argonIterations = PasswordHasher.OWASP_ITERATIONS;
    private int maxRoomMembers = 1000;
    private int prekeyLowThreshold = 10;
    private Duration typingTtl = Duration.ofSeconds(6);
    private Duration sweepInterval = Duration.ofSeconds(30);
    private Duration dedupeRetention = Duration.ofDays(7);
    private Duration roomHistoryRetention = Duration.ofDays(30);
    private int writeQueueCapacity = 20_000;
    private int readThreads = 4;
    private int httpThreads = 8;
    private BlobStore blobStore;
    private long maxBlobBytes = 2L * 1024 * 1024 * 1024;
    private long blobQuotaBytes = 5L * 1024 * 1024 * 1024;
    private long maxBlobPartBytes = 16L * 1024 * 1024;
    private Duration blobOrphanTimeout = Duration.ofHours(24);
    private io.ciphertalk.server.internal.cluster.RedisEndpoint redisUri;
    private String nodeId;
    private Duration clusterCatchUp = Duration.ofSeconds(2);
    private Duration clusterFullCatchUp = Duration.ofMinutes(5);
    private Duration clusterNodeTtl = io.ciphertalk.server.internal.routing.ClusterRelay.DEFAULT_NODE_TTL;

    private Builder() {}

    /**
     * Where attachment ciphertext is kept (default: files under {@code <data directory>/blobs}); an
     * operator's implementation can keep it in S3-compatible storage (see {@link BlobStore}).
     */
    public Builder blobStore(BlobStore store) {
      this.blobStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Attachment limits: the largest blob (default 2 GiB of ciphertext) and the bytes one user's
     * blobs may occupy in all (default 5 GiB; an unfinished upload counts at its declared size).
     * Beyond them, creating a blob is refused with {@code blob_too_large} (413) or
     * {@code quota_exceeded} (403).
     */
    public Builder blobLimits(long maxBlobBytes, long quotaBytes) {
      if (maxBlobBytes < 1024 || quotaBytes < maxBlobBytes) {
        throw new IllegalArgumentException("blobLimits: maxBlobBytes >= 1024 and quotaBytes >= maxBlobBytes required: "
            + maxBlobBytes + ", " + quotaBytes);
      }
      this.maxBlobBytes = maxBlobBytes;
      this.blobQuotaBytes = quotaBytes;
      return this;
    }

    /** Largest body of one upload part ({@code PUT /api/blobs/{id}}; default 16 MiB); larger parts get 413. */
    public Builder maxBlobPartBytes(long bytes) {
      if (bytes < 1024 || bytes > 1024L * 1024 * 1024) {
        throw new IllegalArgumentException("maxBlobPartBytes must be 1 KiB..1 GiB: " + bytes);
      }
      this.maxBlobPartBytes = bytes;
      return this;
    }

    /** An unfinished upload with no part received for this long is deleted by the sweep (default 24 h). */
    public Builder blobOrphanTimeout(Duration d) {
      this.blobOrphanTimeout = positive(d, "blobOrphanTimeout");
      return this;
    }

    private static int port(int p, String what) {
      if (p < -1 || p > 65535) {
        throw new IllegalArgumentException(what + " must be 0..65535 (0 = ephemeral, -1 = disabled): " + p);
      }
      return p;
    }

    private static int positive(int v, String what) {
      if (v < 1) {
        throw new IllegalArgumentException(what + " must be positive: " + v);
      }
      return v;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }

    /** WebSocket port (default 8000); 0 picks a free port, -1 disables the listener. */
    public Builder wsPort(int port) {
      this.wsPort = port(port, "wsPort");
      return this;
    }

    /** HTTP port (default 8080); 0 picks a free port, -1 disables the listener. */
    public Builder httpPort(int port) {
      this.httpPort = port(port, "httpPort");
      return this;
    }

    /** Address to bind both listeners to (default 127.0.0.1). */
    public Builder bindAddress(String host) {
      try {
        this.bindAddress = InetAddress.getByName(Objects.requireNonNull(host, "host"));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("unknown bind address: " + host, e);
      }
      return this;
    }

    /** Clock for expiry, tokens, TOTP, typing and presence (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Randomness for tokens, salts and ids (default: secure). */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * H2 file database in this directory (default {@code ./data}); ignored for the database if a JDBC
     * URL or DataSource is set. Attachment blobs go to its {@code blobs} subdirectory (unless a
     * {@link #blobStore} is set; with {@link #inMemoryDatabase()} and no data directory, to a
     * temporary directory removed on close).
     */
    public Builder dataDirectory(Path dir) {
      this.dataDirectory = Objects.requireNonNull(dir, "dir");
      this.dataDirectorySet = true;
      return this;
    }

    /** A JDBC URL (H2 or PostgreSQL), overriding the data directory. */
    public Builder jdbcUrl(String url) {
      Objects.requireNonNull(url, "url");
      if (!url.startsWith("jdbc:")) {
        throw new IllegalArgumentException("not a JDBC URL: " + url);
      }
      this.jdbcUrl = url;
      return this;
    }

    /** Database credentials for {@link #jdbcUrl}. */
    public Builder dbCredentials(String user, String password) {
      this.dbUser = Objects.requireNonNull(user, "user");
      this.dbPassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Whether an H2 database file that exists but is empty may be replaced by a new database
     * (default false: {@link #start()} refuses, because a truncated file would otherwise come up as a
     * new, empty server with every account and queued message gone). The standalone flag is {@code --init}.
     */
    public Builder initDatabase(boolean init) {
      this.initDatabase = init;
      return this;
    }

    /** A private in-memory H2 database (lost on close): for tests and demos. */
    public Builder inMemoryDatabase() {
      this.jdbcUrl = Database.h2MemoryUrl("ciphertalk-" + java.util.UUID.randomUUID());
      return this;
    }

    /** A host-owned DataSource (e.g. a PostgreSQL pool); the host closes it. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * A Micrometer registry of the host's (Spring Boot's, a Prometheus, OTLP or JMX registry ...) to
     * report the server's meters to (names in docs/server-guide.md, "Metrics"); they are removed from
     * it when the server closes. One server per registry: two would share their meters. {@code GET
     * /metrics} then serves the registry's Prometheus text if it is (or contains) a
     * {@code PrometheusMeterRegistry}, and answers 404 otherwise. Default: none, the server keeps
     * its own Prometheus registry for {@code GET /metrics}.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Serves the static files of this directory (a web app such as {@code ciphertalk-js/web}) on
     * the HTTP listener at every path outside the API ({@code /api/...}, {@code /health...},
     * {@code /metrics}): {@code GET}/{@code HEAD} only, no path traversal (no {@code ..}, no hidden
     * files, no symbolic link out of the directory), a strict Content-Security-Policy, revalidated
     * caching, and a generated {@code /config.json} naming the WebSocket port. Its pages are the
     * server's own origin, so they may use the REST API and open the WebSocket without
     * {@link #allowedOrigins}. Default: none (the HTTP listener serves only the API). The directory
     * must exist when the server starts ({@code start()} throws {@link IllegalStateException}
     * naming it otherwise); files changed while it runs are served as they are then.
     */
    public Builder webRoot(Path dir) {
      this.webRoot = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Browser origins, besides the server's own pages, allowed to use the server: they may open
     * WebSocket connections, and the REST API answers them with CORS headers (preflight included).
     * Each is {@code scheme://host[:port]} exactly as browsers send it (no path), or {@code "*"}
     * for any origin (development only). The server's own pages (same host as the request, the
     * REST port) are always allowed; requests without an {@code Origin} header (non-browser
     * clients) are not judged by origin. Default: none.
     *
     * @throws IllegalArgumentException naming the first value that is not an origin
     */
    public Builder allowedOrigins(List<String> origins) {
      Objects.requireNonNull(origins, "origins").forEach(io.ciphertalk.server.internal.OriginPolicy::check);
      this.allowedOrigins = Set.copyOf(new LinkedHashSet<>(origins));
      return this;
    }

    /**
     * Largest WebSocket message accepted after authentication, summed over all its fragments
     * (default 256 KiB); larger messages close the connection with 1009.
     */
    public Builder maxFrameBytes(int bytes) {
      if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException("maxFrameBytes must be 1 KiB..16 MiB: " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    /** Largest ciphertext per envelope or message on the REST API (default 64 KiB, the wire limit). */
    public Builder maxCiphertextBytes(int bytes) {
      this.maxCiphertextBytes = positive(bytes, "maxCiphertextBytes");
      return this;
    }

    /** Largest HTTP request body (default 256 KiB); larger bodies get 413. */
    public Builder maxHttpBodyBytes(int bytes) {
      this.maxHttpBodyBytes = positive(bytes, "maxHttpBodyBytes");
      return this;
    }

    /** Bytes that may wait to be sent to one connection (default 4 MiB); beyond it the client is closed with 4008. */
    public Builder maxOutboundBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxOutboundBytes must be >= 1024: " + bytes);
      }
      this.maxOutboundBytes = bytes;
      return this;
    }

    /** Total WebSocket sockets, counting ones still in the handshake (default 10,000); more get HTTP 503. */
    public Builder maxConnections(int n) {
      this.maxConnections = positive(n, "maxConnections");
      return this;
    }

    /**
     * Open sockets from one client address on each listener, counting WebSocket sockets still in the
     * handshake (default 256); more are refused (WebSocket: HTTP 503 and close; HTTP: closed at accept).
     */
    public Builder maxConnectionsPerAddress(int n) {
      this.maxConnectionsPerAddress = positive(n, "maxConnectionsPerAddress");
      return this;
    }

    /**
     * Limits before {@code hello} succeeded: the largest message (default 8 KiB, summed over
     * fragments; beyond it 1009) and the bytes all unauthenticated sockets together may hold in
     * unfinished upgrade requests and messages (default 16 MiB; beyond it 1013 or HTTP 503).
     */
    public Builder preAuthLimits(int maxMessageBytes, long bufferBytes) {
      if (maxMessageBytes < 256 || bufferBytes < maxMessageBytes) {
        throw new IllegalArgumentException("preAuthLimits: message >= 256 and buffer >= message required: "
            + maxMessageBytes + ", " + bufferBytes);
      }
      this.preAuthMessageBytes = maxMessageBytes;
      this.preAuthBufferBytes = bufferBytes;
      return this;
    }

    /**
     * Bytes all authenticated WebSocket connections together may hold in unfinished messages
     * (default 64 MiB); a frame that would exceed it closes its connection with 1013.
     */
    public Builder inboundBufferBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("inboundBufferBytes must be >= 1024: " + bytes);
      }
      this.inboundBufferBytes = bytes;
      return this;
    }

    /** Time from TCP accept to a complete WebSocket upgrade request (default 5 s); then HTTP 408 and close. */
    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = positive(d, "handshakeTimeout");
      return this;
    }

    /**
     * HTTP timeouts: a connection with no bytes moving for {@code idle} is closed (default 10 s), and a
     * request whose headers and body have not fully arrived within {@code request} gets 408
     * (default 15 s). Slow requests wait without holding a handler thread.
     */
    public Builder httpTimeouts(Duration idle, Duration request) {
      this.httpIdleTimeout = positive(idle, "idle");
      this.httpRequestTimeout = positive(request, "request");
      return this;
    }

    /** Open HTTP connections in total (default 1,000); beyond it the listener stops accepting until some close. */
    public Builder maxHttpConnections(int n) {
      this.maxHttpConnections = positive(n, "maxHttpConnections");
      return this;
    }

    io.ciphertalk.server.internal.http.HttpLimits httpLimits() {
      return new io.ciphertalk.server.internal.http.HttpLimits(maxHttpBodyBytes, 8 * 1024, httpIdleTimeout,
          httpRequestTimeout, maxHttpConnections, maxConnectionsPerAddress);
    }

    io.ciphertalk.server.internal.ws.WsLimits wsLimits() {
      return new io.ciphertalk.server.internal.ws.WsLimits(maxFrameBytes, Math.min(preAuthMessageBytes, maxFrameBytes),
          8 * 1024, inboundBufferBytes, preAuthBufferBytes, handshakeTimeout, maxConnections, maxConnectionsPerAddress);
    }

    /** Authenticated connections per user (default 10); more are closed with 4029. */
    public Builder maxConnectionsPerUser(int n) {
      this.maxConnectionsPerUser = positive(n, "maxConnectionsPerUser");
      return this;
    }

    /** Unacknowledged 1:1 envelopes pushed per connection before delivery pauses (default 1000). */
    public Builder maxInflightPerConnection(int n) {
      this.maxInflightPerConnection = positive(n, "maxInflightPerConnection");
      return this;
    }

    /** Per-connection token bucket: sustained frames per second and burst (default 50/s, burst 200). */
    public Builder rateLimit(double perSecond, int burst) {
      if (!(perSecond > 0)) {
        throw new IllegalArgumentException("rate must be positive: " + perSecond);
      }
      this.messagesPerSecond = perSecond;
      this.messageBurst = positive(burst, "burst");
      return this;
    }

    /** Time a new connection has to authenticate (default 10 s); then it is closed with 4002. */
    public Builder authTimeout(Duration d) {
      this.authTimeout = positive(d, "authTimeout");
      return this;
    }

    /** Ping interval; a connection that misses a pong for about 1.5 intervals is closed (default 30 s). */
    public Builder pingInterval(Duration d) {
      this.pingInterval = positive(d, "pingInterval");
      return this;
    }

    /**
     * How long deliveries may wait for a client whose outbound buffer is over half of
     * {@link #maxOutboundBytes} before it is closed with 4008 (default 30 s). Deliveries pause (are
     * not dropped) while the client catches up.
     */
    public Builder slowConsumerTimeout(Duration d) {
      this.slowConsumerTimeout = positive(d, "slowConsumerTimeout");
      return this;
    }

    /** Bearer token lifetime from login, however much it is used (default 14 days). */
    public Builder tokenTtl(Duration d) {
      this.tokenTtl = positive(d, "tokenTtl");
      return this;
    }

    /**
     * A token not presented (REST request or WebSocket {@code hello}) for this long stops working
     * (default 7 days). Connections already open are not cut.
     */
    public Builder tokenIdleTimeout(Duration d) {
      this.tokenIdle = positive(d, "tokenIdleTimeout");
      return this;
    }

    /**
     * Login limits: {@code perAccount} consecutive failed logins for one account <em>from one
     * address</em> before that address is locked out of that account (see {@link #loginLockout});
     * {@code perAddress} login attempts per client address within {@code window}, whatever the
     * account (default 5, 20, 5 min). The owner logging in from another address is never locked out
     * by someone else's failures.
     */
    public Builder loginRateLimit(int perAccount, int perAddress, Duration window) {
      this.loginAttemptsPerAccount = positive(perAccount, "perAccount");
      this.loginAttemptsPerAddress = positive(perAddress, "perAddress");
      this.loginWindow = positive(window, "window");
      return this;
    }

    /**
     * Lockout after the failed-login threshold of {@link #loginRateLimit}: {@code first} (default
     * 1 min), doubling with each further failure from that address up to {@code max} (default 1 h).
     */
    public Builder loginLockout(Duration first, Duration max) {
      this.firstLockout = positive(first, "first");
      this.maxLockout = positive(max, "max");
      if (max.compareTo(first) < 0) {
        throw new IllegalArgumentException("max lockout must be >= first: " + max + " < " + first);
      }
      return this;
    }

    /** Self-service registrations ({@code POST /api/register}) per client address within {@code window} (default 10 per hour). */
    public Builder registrationRateLimit(int perAddress, Duration window) {
      this.registrationsPerAddress = positive(perAddress, "perAddress");
      this.registrationWindow = positive(window, "window");
      return this;
    }

    /**
     * Invite-only registration (default off): {@code POST /api/register} then needs an unused
     * invite code made by an administrator ({@code create-invite}, {@code POST /api/invites}).
     */
    public Builder inviteOnly(boolean inviteOnly) {
      this.inviteOnly = inviteOnly;
      return this;
    }

    /**
     * {@code bundle_fetch} limits: fetches per requester per minute (default 60; beyond →
     * {@code RATE_LIMITED}), and one-time prekeys of one user handed per hour to requesters that
     * user has not added as a contact (default 20; beyond, bundles come without a one-time prekey).
     */
    public Builder bundleFetchLimits(int perRequesterPerMinute, int strangerOneTimePrekeysPerHour) {
      this.bundleFetchesPerMinute = positive(perRequesterPerMinute, "perRequesterPerMinute");
      this.strangerOneTimePrekeysPerHour = positive(strangerOneTimePrekeysPerHour, "strangerOneTimePrekeysPerHour");
      return this;
    }

    AccountService.Settings accountSettings() {
      return new AccountService.Settings(tokenTtl, tokenIdle, loginAttemptsPerAccount, firstLockout, maxLockout,
          loginAttemptsPerAddress, loginWindow, registrationsPerAddress, registrationWindow, inviteOnly);
    }

    /**
     * Argon2id cost for new password hashes (default OWASP: 19456 KiB, 2 iterations). Lower values
     * are for tests only.
     */
    public Builder passwordHashing(int memoryKib, int iterations) {
      if (memoryKib < 8 || iterations < 1) {
        throw new IllegalArgumentException("argon2 parameters too small: " + memoryKib + ", " + iterations);
      }
      this.argonMemoryKib = memoryKib;
      this.argonIterations = iterations;
      return this;
    }

    /** Largest room (default 1000 members). */
    public Builder maxRoomMembers(int n) {
      if (n < 2) {
        throw new IllegalArgumentException("maxRoomMembers must be >= 2: " + n);
      }
      this.maxRoomMembers = n;
      return this;
    }

    /** A device is told its one-time prekeys run low below this count (default 10). */
    public Builder prekeyLowThreshold(int n) {
      this.prekeyLowThreshold = positive(n, "prekeyLowThreshold");
      return this;
    }

    /** How long a typing indicator lasts without a refresh (default 6 s). */
    public Builder typingTimeout(Duration d) {
      this.typingTtl = positive(d, "typingTimeout");
      return this;
    }

    /** How often expired ciphertext is purged (default 30 s; times themselves come from the clock). */
    public Builder sweepInterval(Duration d) {
      this.sweepInterval = positive(d, "sweepInterval");
      return this;
    }

    /** How long accepted message ids are remembered for dedupe (default 7 days). */
    public Builder dedupeRetention(Duration d) {
      this.dedupeRetention = positive(d, "dedupeRetention");
      return this;
    }

    /** How long room timelines and undelivered 1:1 envelopes are kept (default 30 days). */
    public Builder roomHistoryRetention(Duration d) {
      this.roomHistoryRetention = positive(d, "roomHistoryRetention");
      return this;
    }

    /** Pending writes before sends are refused with {@code server_busy} (default 20,000). */
    public Builder writeQueueCapacity(int n) {
      this.writeQueueCapacity = positive(n, "writeQueueCapacity");
      return this;
    }

    /** Threads for database reads and deliveries (default 4) and for HTTP requests (default 8). */
    public Builder threads(int readThreads, int httpThreads) {
      this.readThreads = positive(readThreads, "readThreads");
      this.httpThreads = positive(httpThreads, "httpThreads");
      return this;
    }

    /**
     * Cluster mode: this node shares the database with other nodes (give a PostgreSQL URL or data
     * source) and exchanges notifications with them through the Redis at {@code uri}:
     * {@code redis://[[USER]:PASSWORD@]HOST[:PORT]}, or {@code rediss://...} for TLS (checked
     * against the JVM's trust store). Without it the server is a single node. See docs/scaling.md.
     *
     * @throws IllegalArgumentException for another form (the message never repeats the URI)
     */
    public Builder redis(String uri) {
      this.redisUri = io.ciphertalk.server.internal.cluster.RedisEndpoint.parse(uri);
      return this;
    }

    /**
     * The Redis password, instead of in the URI given to {@link #redis} (call after it). The
     * standalone server takes it from env {@code CIPHERTALK_REDIS_PASSWORD}.
     */
    public Builder redisPassword(String password) {
      if (redisUri == null) {
        throw new IllegalStateException("redisPassword needs redis(uri) first");
      }
      this.redisUri = redisUri.withPassword(password);
      return this;
    }

    /** This node's name in the cluster (default: host name and WebSocket port); 1-100 printable characters. */
    public Builder nodeId(String id) {
      Objects.requireNonNull(id, "nodeId");
      if (id.isEmpty() || id.length() > 100 || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("nodeId must be 1-100 printable ASCII characters without spaces: " + id);
      }
      this.nodeId = id;
      return this;
    }

    /**
     * How often a node polls the database for what its connections have queued in cluster mode
     * (default 2 s): the bound on how long a lost Redis notification can delay a message. One read
     * per node and interval; only connections with something new are drained.
     */
    public Builder clusterCatchUpInterval(Duration d) {
      this.clusterCatchUp = positive(d, "clusterCatchUpInterval");
      return this;
    }

    /**
     * How often, in cluster mode, every connection of a node re-reads its queues instead of the
     * poll's one read (default 5 min). The poll finds every lost notice by itself (a device's queue
     * holding more than is in flight or a new highest id; a room past what was pushed); this pass is
     * a safety net against the router's in-flight bookkeeping drifting from the database, and costs
     * a drain per connection, so it is rare.
     */
    public Builder clusterFullCatchUpInterval(Duration d) {
      this.clusterFullCatchUp = positive(d, "clusterFullCatchUpInterval");
      return this;
    }

    /**
     * How long a node counts as alive after its last heartbeat in cluster mode (default 15 s; the
     * heartbeat runs every third of it; at least 1 s). When a node dies, its connections stop
     * counting against the per-user limit and its users are announced offline within about this
     * time plus one heartbeat.
     */
    public Builder clusterNodeTtl(Duration d) {
      positive(d, "clusterNodeTtl");
      if (d.toMillis() < 1_000) {
        throw new IllegalArgumentException("clusterNodeTtl must be at least 1 s: " + d);
      }
      this.clusterNodeTtl = d;
      return this;
    }

    String nodeId() {
      if (nodeId != null) {
        return nodeId;
      }
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "localhost";
      }
      // Port 0 (tests) is not unique: add the process and a random tag.
      return wsPort > 0 ? host + ":" + wsPort
          : host + ":" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    String jdbcUrl() {
      return jdbcUrl != null ? jdbcUrl : Database.h2FileUrl(dataDirectory);
    }

    /** Builds an unstarted server. */
    public CipherTalkServer build() {
      if (wsPort > 0 && wsPort == httpPort) {
        throw new IllegalArgumentException("wsPort and httpPort must differ: " + wsPort);
      }
      if (redisUri != null && dataSource == null && (jdbcUrl == null || jdbcUrl.startsWith("jdbc:h2:mem:"))) {
        throw new IllegalArgumentException(
            "redis (cluster mode) needs a database shared by every node: set jdbcUrl (PostgreSQL) or dataSource");
      }
      return new CipherTalkServer(this);
    }
  }
}
