package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ciphertalk.server.internal.cli.MainAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /health tells the truth; a truncated database file is never taken for a new server (issue 13). */
class HealthAndDataSafetyTest {
  @TempDir
  Path dir;

  private static JsonNode health(CipherTalkServer s, String path, int expectedStatus) throws Exception {
    TestServers.Response r = TestServers.http(s, "GET", path, null, null);
    assertThat(r.status()).as(path + " " + r.body()).isEqualTo(expectedStatus);
    return r.body();
  }

  @Test
  void healthyServer_reportsEveryCheck_liveAndReady() throws Exception {
    try (CipherTalkServer s = TestServers.builder().build().start()) {
      JsonNode h = health(s, "/health", 200);
      assertThat(h.get("status").asText()).isEqualTo("ok");
      assertThat(h.get("checks").get("websocket").asText()).isEqualTo("ok");
      assertThat(h.get("checks").get("writer").asText()).isEqualTo("ok");
      assertThat(h.get("checks").get("database").asText()).isEqualTo("ok");
      assertThat(h.get("checks").get("disk").asText()).isEqualTo("disabled"); // in-memory database
      health(s, "/health/live", 200);
      health(s, "/health/ready", 200);
    }
  }

  @Test
  void unreachableDatabase_makesReadyAnd503_whileLiveStays200() throws Exception {
    JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:mem:health-" + System.nanoTime()
        + ";DB_CLOSE_DELAY=-1", "", "");
    try (CipherTalkServer s = TestServers.builder().dataSource(pool).build().start()) {
      health(s, "/health/ready", 200);
      pool.dispose(); // the host's database goes away
      JsonNode h = health(s, "/health", 503);
      assertThat(h.get("status").asText()).isEqualTo("unavailable");
      assertThat(h.get("checks").get("database").asText()).isEqualTo("failed");
      health(s, "/health/ready", 503);
      assertThat(health(s, "/health/live", 200).get("live").asBoolean()).isTrue();
    }
  }

  @Test
  void dataDirectoryRemoved_reportsDiskFailed_and503() throws Exception {
    Path data = dir.resolve("data");
    try (CipherTalkServer s = CipherTalkServer.builder().wsPort(0).httpPort(0).passwordHashing(64, 1)
        .dataDirectory(data).build().start()) {
      assertThat(health(s, "/health", 200).get("checks").get("disk").asText()).isEqualTo("ok");
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      // The disk probe runs at most once a second: within a few seconds it must see the loss.
      TestServers.await(() -> {
        try {
          return TestServers.http(s, "GET", "/health", null, null).status() == 503;
        } catch (Exception e) {
          return false;
        }
      }, java.time.Duration.ofSeconds(10), "health to notice the missing data directory");
      assertThat(health(s, "/health", 503).get("checks").get("disk").asText()).isEqualTo("failed");
    }
  }

  @Test
  void emptyDatabaseFile_refusesToStart_andInitReplacesIt() throws Exception {
    Path data = Files.createDirectories(dir.resolve("truncated"));
    Path file = Files.createFile(data.resolve("ciphertalk.mv.db")); // 0 bytes, as after a failed copy
    CipherTalkServer.Builder b = CipherTalkServer.builder().wsPort(0).httpPort(0).passwordHashing(64, 1)
        .dataDirectory(data);
    assertThatThrownBy(() -> b.build().start()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exists but is empty").hasMessageContaining("--init");
    assertThat(Files.size(file)).isZero(); // left as found

    // The standalone server says so and exits with status 1.
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = MainAccess.run(new String[] {"--data", data.toString(), "--ws-port", "0", "--http-port", "0"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists but is empty");

    try (CipherTalkServer s = b.initDatabase(true).build().start()) {
      TestServers.account(s, "alice");
    }
    assertThat(Files.size(file)).isPositive();
    try (CipherTalkServer s = CipherTalkServer.builder().wsPort(0).httpPort(0).dataDirectory(data).build().start()) {
      assertThat(s.login("alice", "password-alice".toCharArray(), null)).isNotBlank(); // kept, no --init needed
    }
  }
}
