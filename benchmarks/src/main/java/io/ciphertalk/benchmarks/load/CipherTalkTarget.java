package io.ciphertalk.benchmarks.load;

import io.ciphertalk.server.CipherTalkServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * CipherTalk's embedded server as a load target: H2 file database in a fresh temporary directory
 * (durable, as a real deployment), WebSocket and HTTP on ephemeral loopback ports.
 *
 * <p>Benchmark settings that differ from the server's defaults, and why: the per-connection frame
 * rate limit (default 50/s) and the login rate limits are raised, because a few hundred simulated
 * clients on one address send far faster than a person; the connection cap is raised just above
 * the 10,000 of the idle-scale run. Password hashing (Argon2id, OWASP parameters) is unchanged.
 */
final class CipherTalkTarget {

  static final boolean AVAILABLE = true;

  /** Connection cap of the benchmark server: the idle-scale target plus a margin for set-up connections. */
  static final int MAX_CONNECTIONS = 10_500;

  /**
   * Environment variable: the server's read threads (deliveries, catch-up), instead of its default
   * of 4; for experiments such as whether a cluster node's cross-node reads wait on them.
   */
  static final String READ_THREADS_ENV = "CIPHERTALK_LOAD_READ_THREADS";

  private CipherTalkTarget() {}

  /**
   * How a node of a cluster reaches the shared engines.
   *
   * @param jdbcUrl the shared PostgreSQL (with {@code user} and {@code password} parameters)
   * @param redisUrl the shared Redis ({@code redis://HOST:PORT})
   * @param nodeId this node's name, different on every node
   * @param poolSize 0: the server opens its database from the URL, as the standalone server's
   *     {@code --db} does; N > 0: the host hands it a pool of N connections ({@code dataSource}),
   *     as an embedding application would
   */
  record ClusterNode(String jdbcUrl, String redisUrl, String nodeId, int poolSize) {}

  static Targets.Embedded start(int workers) throws IOException {
    return start(workers, null);
  }

  /** A single server on H2 ({@code node} null), or one node of a cluster on PostgreSQL and Redis. */
  static Targets.Embedded start(int workers, ClusterNode node) throws IOException {
    Path dir = Files.createTempDirectory("ciphertalk-load-");
    CipherTalkServer server;
    org.h2.jdbcx.JdbcConnectionPool pool = null;
    try {
      CipherTalkServer.Builder builder = CipherTalkServer.builder();
      if (node != null) {
        if (node.poolSize() > 0) {
          org.postgresql.ds.PGConnectionPoolDataSource pg = new org.postgresql.ds.PGConnectionPoolDataSource();
          pg.setURL(node.jdbcUrl());
          pool = org.h2.jdbcx.JdbcConnectionPool.create(pg);
          pool.setMaxConnections(node.poolSize());
          builder.dataSource(pool);
        } else {
          builder.jdbcUrl(node.jdbcUrl());
        }
        builder.redis(node.redisUrl()).nodeId(node.nodeId());
      }
      String readThreads = System.getenv(READ_THREADS_ENV);
      if (readThreads != null && !readThreads.isBlank()) {
        builder.threads(Integer.parseInt(readThreads.trim()), 8); // 8: the server's default HTTP threads
      }
      server = builder
          .wsPort(0)
          .httpPort(0)
          .bindAddress("127.0.0.1")
          .dataDirectory(dir)
          .rateLimit(1_000_000, 1_000_000)
          .loginRateLimit(1_000_000, 1_000_000, Duration.ofMinutes(1))
          // every simulated user registers and fetches bundles from 127.0.0.1
          .registrationRateLimit(1_000_000, Duration.ofMinutes(1))
          .bundleFetchLimits(1_000_000, 1_000_000)
          .maxConnections(MAX_CONNECTIONS)
          .maxConnectionsPerAddress(MAX_CONNECTIONS) // every load client connects from 127.0.0.1
          .build()
          .start();
    } catch (RuntimeException e) {
      if (pool != null) {
        pool.dispose();
      }
      deleteTree(dir);
      throw e;
    }
    org.h2.jdbcx.JdbcConnectionPool ownedPool = pool;
    return new Targets.Embedded() {
      @Override
      public String wsUrl() {
        return "ws://127.0.0.1:" + server.wsPort() + "/ws";
      }

      @Override
      public String httpUrl() {
        return "http://127.0.0.1:" + server.httpPort();
      }

      @Override
      public String control(String command) {
        if (command.equals("metrics")) {
          return server.metricsText();
        }
        return null;
      }

      @Override
      public void close() {
        try {
          server.close();
        } finally {
          if (ownedPool != null) {
            ownedPool.dispose();
          }
          deleteTree(dir);
        }
      }
    };
  }

  static ClientProtocol protocol(LoadConfig config) {
    return config.preEncrypted() ? new CipherTalkProtocol(config) : new SdkProtocol(config);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
