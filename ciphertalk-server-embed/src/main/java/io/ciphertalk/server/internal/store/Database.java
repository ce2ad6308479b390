package io.ciphertalk.server.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's database: a Jdbi instance over a pooled {@link DataSource}, with versioned
 * migrations applied on open. Thread-safe.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Migration scripts in order; the version is the index + 1. Never edit a released script. */
  private static final List<String> MIGRATIONS =
      List.of("V1__initial_schema.sql", "V2__message_ids_by_message.sql", "V3__retention_indexes.sql",
          "V4__account_security.sql", "V5__device_certificates.sql", "V6__device_revocations.sql",
          "V7__blobs.sql", "V8__one_time_kem_prekeys.sql", "V9__active_user_days.sql");

  private final Jdbi jdbi;
  /** The pool this object created and must close, or null for a host-owned DataSource. */
  private final AutoCloseable ownedPool;
  private final Dialect dialect;

  /** The SQL dialect differences the migration scripts need. */
  public enum Dialect {
    H2("VARBINARY"),
    POSTGRESQL("BYTEA");

    final String bytesType;

    Dialect(String bytesType) {
      this.bytesType = bytesType;
    }
  }

  private Database(DataSource dataSource, AutoCloseable ownedPool) {
    this.jdbi = Jdbi.create(dataSource);
    this.ownedPool = ownedPool;
    this.dialect = jdbi.withHandle(Database::detect);
  }

  /** Opens a database from a JDBC URL (H2 or PostgreSQL), owning its connection pool. */
  public static Database open(String jdbcUrl, String user, String password, int maxConnections) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (jdbcUrl.startsWith("jdbc:h2:")) {
      if (!jdbcUrl.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
        // H2's own JVM shutdown hook would close the database before the server's shutdown has
        // flushed the writer (acknowledgements lost, "Database is already closed"); the server closes it.
        jdbcUrl = jdbcUrl + ";DB_CLOSE_ON_EXIT=FALSE";
      }
      JdbcConnectionPool pool =
          JdbcConnectionPool.create(jdbcUrl, user == null ? "" : user, password == null ? "" : password);
      pool.setMaxConnections(maxConnections);
      return new Database(pool, pool::dispose);
    }
    if (HikariPool.available()) {
      javax.sql.DataSource pool = HikariPool.create(jdbcUrl, user, password, maxConnections);
      return new Database(pool, (AutoCloseable) pool);
    }
    LOG.warn("HikariCP is not on the classpath: {} gets one new connection per unit of work (slow);"
        + " add com.zaxxer:HikariCP or pass a pooled DataSource", jdbcUrl.replaceAll("[?;].*", ""));
    return new Database(new DriverManagerDataSource(jdbcUrl, user, password), () -> {});
  }

  /**
   * HikariCP, referenced only from here so that the class loads without it (it is an optional
   * dependency: the standalone jar ships it, a host that passes its own DataSource need not).
   */
  private static final class HikariPool {
    static boolean available() {
      try {
        Class.forName("com.zaxxer.hikari.HikariDataSource", false, Database.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }

    static javax.sql.DataSource create(String jdbcUrl, String user, String password, int maxConnections) {
      com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
      c.setJdbcUrl(jdbcUrl);
      if (user != null) {
        c.setUsername(user);
      }
      if (password != null) {
        c.setPassword(password);
      }
      c.setPoolName("ciphertalk-db");
      c.setMaximumPoolSize(maxConnections);
      c.setMinimumIdle(Math.min(2, maxConnections));
      // Bounded waits while the database is away: a request is refused ("database unavailable")
      // after 2 s instead of Hikari's default 30 s; a connection broken by a restart is noticed by
      // the validation on borrow (1 s) and replaced.
      c.setConnectionTimeout(2_000);
      c.setValidationTimeout(1_000);
      // Start even if the database is briefly away (the health checks say so); the first use fails.
      c.setInitializationFailTimeout(-1);
      return new com.zaxxer.hikari.HikariDataSource(c);
    }
  }

  /** Uses a host-supplied {@link DataSource}; the host owns and closes it. */
  public static Database of(DataSource dataSource) {
    return new Database(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  /**
   * The H2 file URL for a data directory; commits are written through (WRITE_DELAY=0), and each
   * session caches more parsed statements than H2's default 8 (the server cycles through ~30).
   */
  public static String h2FileUrl(java.nio.file.Path dataDir) {
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("ciphertalk") + ";WRITE_DELAY=0;QUERY_CACHE_SIZE=128";
  }

  /**
   * Refuses an H2 file URL whose database file exists but is empty or unreadable (a truncated or
   * half-restored file would otherwise start silently as a new, empty server), unless
   * {@code init}, which deletes the empty file so a new database is created in its place. Other URLs
   * pass unchecked.
   *
   * @throws IllegalStateException naming the file and the way out
   */
  public static void checkH2File(String jdbcUrl, boolean init) {
    if (!jdbcUrl.startsWith("jdbc:h2:file:") && !(jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:h2:mem:")
        && !jdbcUrl.startsWith("jdbc:h2:tcp:") && !jdbcUrl.startsWith("jdbc:h2:ssl:"))) {
      return;
    }
    String rest = jdbcUrl.substring(jdbcUrl.startsWith("jdbc:h2:file:") ? "jdbc:h2:file:".length() : "jdbc:h2:".length());
    int semi = rest.indexOf(';');
    java.nio.file.Path file = java.nio.file.Path.of((semi < 0 ? rest : rest.substring(0, semi)) + ".mv.db");
    if (!java.nio.file.Files.exists(file)) {
      return; // first start: a new database
    }
    boolean readable = java.nio.file.Files.isReadable(file) && java.nio.file.Files.isRegularFile(file);
    long size;
    try {
      size = java.nio.file.Files.size(file);
    } catch (IOException e) {
      size = 0;
      readable = false;
    }
    if (readable && size > 0) {
      return;
    }
    if (!init || !readable) {
      throw new IllegalStateException("database file " + file + " exists but is " + (readable ? "empty" : "unreadable")
          + "; refusing to start a new, empty server in its place. Restore it from a backup"
          + (readable ? ", or start with --init (builder: initDatabase(true)) to create a new database there" : ""));
    }
    try {
      java.nio.file.Files.delete(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot replace empty database file " + file + ": " + e.getMessage(), e);
    }
    LOG.warn("replaced empty database file {} with a new database (--init)", file);
  }

  /** A private in-memory H2 database, for tests and throwaway servers. */
  public static String h2MemoryUrl(String name) {
    return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;QUERY_CACHE_SIZE=128";
  }

  public Dialect dialect() {
    return dialect;
  }

  private static Dialect detect(Handle h) {
    String product;
    try {
      product = h.getConnection().getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read database metadata", e);
    }
    if (product.contains("postgres")) {
      return Dialect.POSTGRESQL;
    }
    if (product.contains("h2")) {
      return Dialect.H2;
    }
    throw new IllegalStateException("unsupported database: " + product);
  }

  /** Applies every migration newer than the recorded schema version, each in its own transaction. */
  public int migrate(Clock clock) {
    return jdbi.withHandle(
        h -> {
          h.execute(
              "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                  + " script VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
          int current =
              h.createQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                  .mapTo(Integer.class)
                  .one();
          if (current > MIGRATIONS.size()) {
            throw new IllegalStateException(
                "database schema version " + current + " is newer than this server supports ("
                    + MIGRATIONS.size() + ")");
          }
          for (int v = current + 1; v <= MIGRATIONS.size(); v++) {
            String script = MIGRATIONS.get(v - 1);
            List<String> statements = statements(load(script));
            int version = v;
            h.useTransaction(
                tx -> {
                  for (String s : statements) {
                    tx.execute(s);
                  }
                  tx.execute(
                      "INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)",
                      version,
                      script,
                      clock.millis());
                });
            LOG.info("applied schema migration {}", script);
          }
          return MIGRATIONS.size();
        });
  }

  private String load(String script) {
    try (InputStream in = Database.class.getResourceAsStream("migrations/" + script)) {
      if (in == null) {
        throw new IllegalStateException("missing migration script " + script);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${bytes}", dialect.bytesType);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration script " + script, e);
    }
  }

  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String s = current.toString().strip();
        out.add(s.substring(0, s.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  public <R, X extends Exception> R inTransaction(HandleCallback<R, X> callback) throws X {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, callback);
  }

  public <X extends Exception> void useTransaction(HandleConsumer<X> callback) throws X {
    jdbi.useTransaction(TransactionIsolationLevel.READ_COMMITTED, callback);
  }

  public <X extends Exception> void useHandle(HandleConsumer<X> callback) throws X {
    jdbi.useHandle(callback);
  }

  public <R, X extends Exception> R withHandle(HandleCallback<R, X> callback) throws X {
    return jdbi.withHandle(callback);
  }

  @Override
  public void close() {
    if (ownedPool == null) {
      return; // host-owned DataSource: the host closes it
    }
    if (dialect == Dialect.H2) {
      try {
        // Compacts and closes the H2 file cleanly so the next open does not need recovery.
        jdbi.useHandle(h -> h.execute("SHUTDOWN"));
      } catch (RuntimeException e) {
        LOG.debug("H2 shutdown: {}", e.toString());
      }
    }
    try {
      ownedPool.close();
    } catch (Exception e) {
      LOG.warn("closing connection pool failed: {}", e.toString());
    }
  }

  /** Minimal non-pooling DataSource for JDBC URLs other than H2 (hosts should pass a pool). */
  private static final class DriverManagerDataSource implements DataSource {
    private final String url;
    private final String user;
    private final String password;

    DriverManagerDataSource(String url, String user, String password) {
      this.url = url;
      this.user = user;
      this.password = password;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return java.sql.DriverManager.getConnection(url, user, password);
    }

    @Override
    public Connection getConnection(String u, String p) throws SQLException {
      return java.sql.DriverManager.getConnection(url, u, p);
    }

    @Override
    public java.io.PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public java.util.logging.Logger getParentLogger() {
      return java.util.logging.Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
