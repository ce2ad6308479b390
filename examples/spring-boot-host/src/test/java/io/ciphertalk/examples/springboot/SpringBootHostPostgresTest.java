package io.ciphertalk.examples.springboot;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link SpringBootHostTest} with {@code spring.datasource.url} pointing at PostgreSQL: the same
 * application, configured as a deployment would be, in a schema of its own that is dropped
 * afterwards. Runs when the build is given {@code -Dciphertalk.test.postgresUrl} (scripts/test.sh,
 * and so CI, does); skipped otherwise, except under {@code CI=true}, where a missing URL fails it.
 */
@EnabledIf(value = "configuredOrCi",
    disabledReason = "needs a PostgreSQL server: run scripts/test.sh, or pass -Dciphertalk.test.postgresUrl=jdbc:postgresql://...")
class SpringBootHostPostgresTest extends SpringBootHostTest {
  static final String URL_PROPERTY = "ciphertalk.test.postgresUrl";
  private static final String SCHEMA = "ct_boot_" + ProcessHandle.current().pid();

  static boolean configuredOrCi() {
    return !System.getProperty(URL_PROPERTY, "").isBlank()
        || "true".equalsIgnoreCase(System.getenv("CI"));
  }

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) throws SQLException {
    String url = System.getProperty(URL_PROPERTY, "");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new AssertionError("CI=true but -D" + URL_PROPERTY + " is not a PostgreSQL URL: '" + url
          + "' (scripts/test.sh passes it)");
    }
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + SCHEMA);
    }
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.hikari.schema", () -> SCHEMA);
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    try (Connection c = DriverManager.getConnection(System.getProperty(URL_PROPERTY));
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }
}
