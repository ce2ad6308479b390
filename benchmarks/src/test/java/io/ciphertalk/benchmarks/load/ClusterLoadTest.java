package io.ciphertalk.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * {@code load.sh cluster}'s node kill, tiny: two CipherTalk nodes in child JVMs on the PostgreSQL and
 * Redis that {@code scripts/test.sh} starts ({@code -Dciphertalk.test.postgresUrl},
 * {@code -Dciphertalk.test.redisUrl}, in a fresh schema), 20 clients in two rooms of 10 spread over
 * both, an open-loop run with a SIGKILL of the second node half-way. Every acknowledged message must
 * arrive, none twice after dedupe by message id, and every dropped client must be sending and
 * receiving on the survivor before the run ends. Without the properties the class is skipped, or
 * fails when {@code CI=true} (as the server's cluster tests).
 */
@EnabledIf(value = "io.ciphertalk.benchmarks.load.ClusterLoadTest#configuredOrCi",
    disabledReason = ClusterLoadTest.SKIPPED)
class ClusterLoadTest {
  static final String PG_PROPERTY = "ciphertalk.test.postgresUrl";
  static final String REDIS_PROPERTY = "ciphertalk.test.redisUrl";
  static final String SKIPPED = "needs PostgreSQL and Redis: run scripts/test.sh, or pass -D" + PG_PROPERTY
      + "=jdbc:postgresql://... and -D" + REDIS_PROPERTY + "=redis://HOST:PORT";

  static boolean configuredOrCi() {
    return !System.getProperty(PG_PROPERTY, "").isBlank() || !System.getProperty(REDIS_PROPERTY, "").isBlank()
        || "true".equalsIgnoreCase(System.getenv("CI"));
  }

  private static String require(String property, String prefix) {
    String url = System.getProperty(property, "").trim();
    if (url.isEmpty()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true but -D" + property + " was not given; " + SKIPPED);
      }
      Assumptions.abort(SKIPPED);
    }
    if (!url.startsWith(prefix)) {
      throw new AssertionError(property + " does not start with " + prefix + "; " + SKIPPED);
    }
    return url;
  }

  @Test
  void nodeKilledMidRun_losesNoAcknowledgedMessage_deliversNoneTwice_andEveryClientRecovers() throws Exception {
    String pg = require(PG_PROPERTY, "jdbc:postgresql:");
    String redis = require(REDIS_PROPERTY, "redis://");
    String schema = "ct_load_" + ProcessHandle.current().pid();
    try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    try {
      String url = pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema;
      LoadConfig cfg = LoadConfig.builder().target(Targets.CIPHERTALK).clients(20).roomSize(10).build();
      ClusterBenchmark.Settings settings = new ClusterBenchmark.Settings(url, redis, 8, 100, 6, 0, false, true);
      ClusterBenchmark.Result r = ClusterBenchmark.run(cfg, settings);

      LoadReport k = r.kill();
      LoadRun.Failover f = r.failover();
      assertThat(f).as("the kill happened").isNotNull();
      assertThat(f.dropped()).as("clients of the killed node (every second client)").isEqualTo(10);
      assertThat(k.sent()).isPositive();
      assertThat(k.refused()).as("refused sends").isZero();
      assertThat(k.unacknowledged()).as("sends never acknowledged").isZero();
      assertThat(k.expected()).isEqualTo(k.sent() * 9);
      assertThat(k.lost()).as("acknowledged, never delivered").isZero();
      assertThat(k.duplicates()).as("delivered twice after dedupe by message id").isZero();
      assertThat(k.unexpected()).as("deliveries nobody sent to that client").isZero();
      assertThat(f.recovered()).as("dropped clients delivering again").isEqualTo(f.dropped());
      assertThat(f.deliveringAgainMaxSeconds()).as("kill to every client delivering again").isPositive();
      assertThat(k.errorSamples()).as("errors").isEmpty();
    } finally {
      try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }
}
