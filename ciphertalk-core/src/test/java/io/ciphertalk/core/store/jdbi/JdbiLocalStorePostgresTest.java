package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.LocalStoreContractTest;
import io.ciphertalk.core.store.MutableClock;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The store contract on a real PostgreSQL, proving the schema and queries are portable. The
 * database comes from {@code -Dciphertalk.test.postgresUrl} ({@code scripts/test.sh}, the README's
 * test command, starts a throwaway one); without it the class is skipped with the reason, or fails
 * when {@code CI=true}. Each test gets a fresh schema.
 */
@EnabledIf(value = PostgresTestSchema.CONFIGURED_OR_CI, disabledReason = PostgresTestSchema.SKIPPED)
class JdbiLocalStorePostgresTest extends LocalStoreContractTest {
  private PostgresTestSchema schema;

  @BeforeAll
  static void requirePostgres() {
    PostgresTestSchema.requireUrl();
  }

  @Override
  protected LocalStore newStore(MutableClock clock) throws Exception {
    schema = PostgresTestSchema.create();
    return JdbiLocalStore.builder()
        .dataSource(schema.dataSource())
        .key(SecretBytes.random(32, RandomSource.secure()))
        .clock(clock)
        .open();
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (schema != null) {
      store.close(); // before its pool goes (the contract's own close, after this one, is then a no-op)
      schema.close();
    }
  }
}
