package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.LocalStoreContractTest;
import io.ciphertalk.core.store.MutableClock;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store contract on a real PostgreSQL, proving the schema and queries are portable. Runs only
 * when {@code -Dciphertalk.test.postgresUrl=jdbc:postgresql://host:port/db?user=...} names a
 * database (the build machine has no PostgreSQL service of its own); each test gets a fresh schema.
 */
@EnabledIfSystemProperty(
    named = "ciphertalk.test.postgresUrl",
    matches = "jdbc:postgresql:.*",
    disabledReason = "needs a PostgreSQL server: pass -Dciphertalk.test.postgresUrl=jdbc:postgresql://...")
class JdbiLocalStorePostgresTest extends LocalStoreContractTest {
  private static final AtomicInteger SCHEMA = new AtomicInteger();
  private final String url = System.getProperty("ciphertalk.test.postgresUrl");
  private String schema;

  @Override
  protected LocalStore newStore(MutableClock clock) throws Exception {
    schema = "ct_test_" + ProcessHandle.current().pid() + "_" + SCHEMA.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setCurrentSchema(schema);
    return JdbiLocalStore.builder()
        .dataSource(ds)
        .key(SecretBytes.random(32, RandomSource.secure()))
        .clock(clock)
        .open();
  }

  @AfterEach
  void dropSchema() throws Exception {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }
}
