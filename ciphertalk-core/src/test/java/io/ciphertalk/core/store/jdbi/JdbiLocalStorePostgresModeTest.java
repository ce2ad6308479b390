package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.LocalStoreContractTest;
import io.ciphertalk.core.store.MutableClock;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;

/**
 * The store contract through {@link JdbiLocalStore.Builder#dataSource} on H2 in PostgreSQL
 * compatibility mode: exercises the data-source path and keeps the SQL away from H2-only syntax.
 * (A real PostgreSQL run is left to the deployment issue that brings one up.)
 */
class JdbiLocalStorePostgresModeTest extends LocalStoreContractTest {
  private static final AtomicInteger DB = new AtomicInteger();
  private JdbcConnectionPool pool;

  @Override
  protected LocalStore newStore(MutableClock clock) throws Exception {
    pool =
        JdbcConnectionPool.create(
            "jdbc:h2:mem:pgmode" + DB.incrementAndGet()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
            "sa",
            "");
    return JdbiLocalStore.builder()
        .dataSource(pool)
        .key(SecretBytes.random(32, RandomSource.secure()))
        .clock(clock)
        .open();
  }

  @AfterEach
  void dropDatabase() {
    try (var c = pool.getConnection(); var s = c.createStatement()) {
      s.execute("SHUTDOWN");
    } catch (java.sql.SQLException e) {
      // Already shut down by the test.
    }
    pool.dispose();
  }
}
