package io.ciphertalk.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * A fresh schema on the PostgreSQL the build hands to the tests ({@code scripts/test.sh} starts one
 * and passes {@code -Dciphertalk.test.postgresUrl}), dropped on {@link #close()}. A test class
 * annotated {@code @EnabledIf(value = PostgresTestSchema.CONFIGURED_OR_CI, disabledReason =
 * PostgresTestSchema.SKIPPED)} that calls {@link #requireUrl()} in {@code @BeforeAll} is skipped
 * with that reason without the property, except when {@code CI=true}: there it fails, so a broken
 * CI setup cannot silently skip the PostgreSQL suites. (The same helper lives in
 * ciphertalk-core's tests; the modules share no test code.)
 */
final class PostgresTestSchema implements AutoCloseable {
  static final String URL_PROPERTY = "ciphertalk.test.postgresUrl";
  static final String CONFIGURED_OR_CI = "io.ciphertalk.server.PostgresTestSchema#configuredOrCi";
  static final String SKIPPED = "needs a PostgreSQL server: run scripts/test.sh, or pass -D"
      + URL_PROPERTY + "=jdbc:postgresql://HOST:PORT/DB?user=...";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final String url;
  private final String name;
  private final JdbcConnectionPool pool;
  private final java.util.List<JdbcConnectionPool> extraPools = new java.util.concurrent.CopyOnWriteArrayList<>();

  private PostgresTestSchema(String url, String name) {
    this.url = url;
    this.name = name;
    PGConnectionPoolDataSource pg = new PGConnectionPoolDataSource();
    pg.setURL(url);
    pg.setCurrentSchema(name);
    this.pool = JdbcConnectionPool.create(pg);
  }

  /** Whether a PostgreSQL suite runs: a URL was given, or this is CI (where it must not skip). */
  static boolean configuredOrCi() {
    return !System.getProperty(URL_PROPERTY, "").isBlank() || isCi();
  }

  private static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The JDBC URL; skips the calling test (fails it when {@code CI=true}) if none was given. */
  static String requireUrl() {
    String url = System.getProperty(URL_PROPERTY, "").trim();
    if (url.isEmpty()) {
      if (isCi()) {
        throw new AssertionError("CI=true but no PostgreSQL was given; " + SKIPPED);
      }
      Assumptions.abort(SKIPPED);
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new AssertionError(URL_PROPERTY + " is not a PostgreSQL JDBC URL; " + SKIPPED);
    }
    return url;
  }

  /** Creates a new, empty schema named after this JVM and a counter. */
  static PostgresTestSchema create() throws SQLException {
    String url = requireUrl();
    String name = "ct_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    }
    return new PostgresTestSchema(url, name);
  }

  /**
   * A connection pool whose connections work in this schema only (their search path), as a host
   * would pass one: opening a PostgreSQL connection per statement makes the suites several times
   * slower. (H2's small pool takes any {@code ConnectionPoolDataSource}; no new dependency.)
   */
  DataSource dataSource() {
    return pool;
  }

  /**
   * Another pool on the same schema, as a second server node sharing the database would open
   * (closed by {@link #close()}).
   */
  DataSource newDataSource() {
    PGConnectionPoolDataSource pg = new PGConnectionPoolDataSource();
    pg.setURL(url);
    pg.setCurrentSchema(name);
    JdbcConnectionPool p = JdbcConnectionPool.create(pg);
    p.setMaxConnections(32);
    extraPools.add(p);
    return p;
  }

  /** The database server's address (from the URL). */
  java.net.InetSocketAddress serverAddress() {
    PGConnectionPoolDataSource pg = new PGConnectionPoolDataSource();
    pg.setURL(url);
    return new java.net.InetSocketAddress(pg.getServerNames()[0], pg.getPortNumbers()[0]);
  }

  /**
   * A JDBC URL for this schema that reaches the database through {@code port} on the loopback
   * interface (a test's {@link TcpProxy}), as the standalone server's {@code --db} takes it.
   */
  String jdbcUrlThrough(int port) {
    String u = url.replaceFirst("^jdbc:postgresql://[^/]*/", "jdbc:postgresql://127.0.0.1:" + port + "/");
    return u + (u.contains("?") ? "&" : "?") + "currentSchema=" + name;
  }

  /** Closes the pools' connections and drops the schema. */
  @Override
  public void close() throws SQLException {
    pool.dispose();
    extraPools.forEach(JdbcConnectionPool::dispose);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + name + " CASCADE");
    }
  }
}
