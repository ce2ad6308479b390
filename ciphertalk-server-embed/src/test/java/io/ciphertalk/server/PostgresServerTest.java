package io.ciphertalk.server;

import static io.ciphertalk.server.Fixtures.createRoom;
import static io.ciphertalk.server.Fixtures.publish;
import static io.ciphertalk.server.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.crypto.DeviceAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The server's SQL on a real PostgreSQL: migrations, accounts, prekey hand-out under concurrency,
 * rooms, 1:1 and group routing, acks and restart. The database comes from
 * {@code -Dciphertalk.test.postgresUrl} ({@code scripts/test.sh}, the README's test command, starts
 * a throwaway one); without it the class is skipped with the reason, or fails when {@code CI=true}.
 * Each test runs in a fresh schema.
 */
@EnabledIf(value = PostgresTestSchema.CONFIGURED_OR_CI, disabledReason = PostgresTestSchema.SKIPPED)
class PostgresServerTest {

  @BeforeAll
  static void requirePostgres() {
    PostgresTestSchema.requireUrl();
  }

  private static CipherTalkServer server(DataSource ds) {
    // The stranger prekey limit would stop the 40 concurrent fetches at 20; this test is about
    // handing each prekey out exactly once on PostgreSQL (PrivacyTest covers the limit).
    return CipherTalkServer.builder().wsPort(0).httpPort(0).dataSource(ds).passwordHashing(64, 1)
        .rateLimit(10_000, 10_000).bundleFetchLimits(10_000, 10_000).build().start();
  }

  @Test
  void serverRoutesAndPersists_onPostgresql() throws Exception {
    try (PostgresTestSchema schema = PostgresTestSchema.create()) {
      routesAndPersists(schema.dataSource());
    }
  }

  private static void routesAndPersists(DataSource ds) throws Exception {
    String alice;
    String bob;
    MessageId direct = RawClient.newMessageId();
    MessageId group = RawClient.newMessageId();
    try (CipherTalkServer s = server(ds)) {
      alice = TestServers.account(s, "alice");
      bob = TestServers.account(s, "bob");
      try (RawClient b = RawClient.login(s, bob, 1)) {
        publish(b, 40, 1);
      }
      try (RawClient a = RawClient.login(s, alice, 1)) {
        publish(a, 1, 1);
        // Concurrent bundle fetches hand out each one-time prekey exactly once.
        Set<Integer> handed = ConcurrentHashMap.newKeySet();
        List<RawClient> fetchers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
          fetchers.add(RawClient.login(s, alice, 10 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (RawClient f : fetchers) {
          pool.submit(() -> {
            for (int k = 0; k < 10; k++) {
              Frame.BundlesReply r = (Frame.BundlesReply) f.call(id -> new Frame.BundleFetch(id, "bob", 1));
              assertThat(handed.add(r.bundles().get(0).oneTimePreKey().keyId())).isTrue();
            }
            return null;
          });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        fetchers.forEach(RawClient::close);
        assertThat(handed).hasSize(40);

        String privateRoom = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
        String groupRoom = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
        Frame sent = a.call(id -> new Frame.Send(id, direct, privateRoom, null,
            List.of(new Recipient(new DeviceAddress("bob", 1), text("d")))));
        assertThat(sent).isInstanceOf(Frame.Sent.class);
        Frame retry = a.call(id -> new Frame.Send(id, direct, privateRoom, null,
            List.of(new Recipient(new DeviceAddress("bob", 1), text("d")))));
        assertThat(((Frame.Sent) retry).duplicate()).isTrue();
        assertThat(a.call(id -> new Frame.SendGroup(id, group, groupRoom, null, text("g"))))
            .isInstanceOf(Frame.Sent.class);
      }
    }
    try (CipherTalkServer s = server(ds); RawClient b = RawClient.login(s, bob, 1)) {
      Frame.Deliver d1 = b.awaitType(Frame.Deliver.class);
      Frame.Deliver d2 = b.awaitType(Frame.Deliver.class);
      assertThat(List.of(d1.delivery().messageId(), d2.delivery().messageId()))
          .containsExactlyInAnyOrder(direct, group);
      for (Frame.Deliver d : List.of(d1, d2)) {
        assertThat(b.call(id -> new Frame.Ack(id, d.delivery().stream(), d.delivery().seq())))
            .isInstanceOf(Frame.Ok.class);
      }
      Frame.HistoryReply h = (Frame.HistoryReply) b.call(id -> new Frame.HistoryFetch(id, "device", 0, 10));
      assertThat(h.deliveries()).isEmpty();
      s.sweepExpired();
      assertThat(s.metricsText()).contains("ciphertalk_direct_queue_depth 0");
    }
  }

  @Test
  void adminStats_onPostgresql_countDailyActiveUsers_rollDaysOver_andReportTheDatabaseSize() throws Exception {
    MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-03T10:00:05Z"));
    try (PostgresTestSchema schema = PostgresTestSchema.create();
        CipherTalkServer s = CipherTalkServer.builder().wsPort(0).httpPort(0).dataSource(schema.dataSource())
            .passwordHashing(64, 1).clock(clock).build().start()) {
      s.createAccount("root", "password-root".toCharArray(), true);
      String alice = TestServers.account(s, "alice");
      String bob = TestServers.account(s, "bob");
      String root = TestServers.http(s, "POST", "/api/login", null,
          TestServers.json("username", "root", "password", "password-root")).body().get("token").asText();
      try (RawClient a = RawClient.login(s, alice, 1); RawClient b = RawClient.login(s, bob, 1)) {
        publish(b, 1, 1);
        String room = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
        a.call(id -> new Frame.Send(id, RawClient.newMessageId(), room, null,
            List.of(new Recipient(new DeviceAddress("bob", 1), text("hi")))));
        b.awaitType(Frame.Deliver.class);
        var stats = TestServers.http(s, "GET", "/api/admin/stats", root, null).body();
        assertThat(stats.at("/storage/databaseBytes").asLong()).as("pg_database_size").isPositive();
        assertThat(stats.at("/deliveryLatency/deliveries").asLong()).isEqualTo(1);
        var counts = stats.at("/activeUsersPerDay/counts");
        assertThat(counts.get(29).asLong()).isEqualTo(3);
      }
      clock.advance(java.time.Duration.ofDays(1));
      var counts = TestServers.http(s, "GET", "/api/admin/stats", root, null).body().at("/activeUsersPerDay/counts");
      assertThat(counts.get(28).asLong()).as("yesterday as a count").isEqualTo(3);
      assertThat(counts.get(29).asLong()).as("root today").isEqualTo(1);
    }
  }
}
