package io.ciphertalk.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private Database memory(String name) {
    Database db = Database.open(Database.h2MemoryUrl(name + System.nanoTime()), "", "", 8);
    db.migrate(clock);
    return db;
  }

  @Test
  void migrate_isIdempotent_andRecordsSchemaVersion(@TempDir Path dir) {
    try (Database db = Database.open(Database.h2FileUrl(dir), "", "", 4)) {
      assertThat(db.migrate(clock)).isEqualTo(9);
      assertThat(db.migrate(clock)).isEqualTo(9);
      int v = db.withHandle(h -> h.createQuery("SELECT MAX(version) FROM schema_version").mapTo(Integer.class).one());
      assertThat(v).isEqualTo(9);
    }
    try (Database db = Database.open(Database.h2FileUrl(dir), "", "", 4)) {
      assertThat(db.migrate(clock)).isEqualTo(9);
    }
  }

  @Test
  void v4_keepsExistingTokensAlive_andExistingMembershipsAccepted(@TempDir Path dir) throws Exception {
    String url = Database.h2FileUrl(dir);
    // A database as version 3 left it, with an account, a token and a room membership.
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "", "");
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
          + " script VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
      int v = 1;
      for (String script : List.of("V1__initial_schema.sql", "V2__message_ids_by_message.sql",
          "V3__retention_indexes.sql")) {
        String sql;
        try (java.io.InputStream in = Database.class.getResourceAsStream("migrations/" + script)) {
          sql = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("${bytes}", "VARBINARY");
        }
        for (String one : Database.statements(sql)) {
          st.execute(one);
        }
        st.execute("INSERT INTO schema_version VALUES (" + v++ + ", '" + script + "', 0)");
      }
      st.execute("INSERT INTO accounts (user_id, password_hash, is_admin, created_at) VALUES ('alice', 'x', FALSE, 0)");
      st.execute("INSERT INTO accounts (user_id, password_hash, is_admin, created_at) VALUES ('bob', 'x', FALSE, 0)");
      st.execute("INSERT INTO tokens (token_hash, user_id, created_at, expires_at, revoked) VALUES ('h1', 'alice', 500, 10000, FALSE)");
      st.execute("INSERT INTO rooms VALUES ('r1', 'group', 'R', '', 10, 'alice', 0, 0)");
      st.execute("INSERT INTO room_members VALUES ('r1', 'alice', 'owner', 0, 0)");
      st.execute("INSERT INTO room_members VALUES ('r1', 'bob', 'member', 0, 0)");
    }
    try (Database db = Database.open(url, "", "", 4)) {
      assertThat(db.migrate(clock)).isEqualTo(9);
      Optional<Accounts.TokenRow> live = db.withHandle(h -> Accounts.liveToken(h, "h1", 600, 400));
      assertThat(live.map(Accounts.TokenRow::lastUsedAt)).contains(500L);
      Optional<Accounts.TokenRow> idle = db.withHandle(h -> Accounts.liveToken(h, "h1", 600, 500));
      assertThat(idle).as("idle since its creation").isEmpty();
      List<String> co = db.withHandle(h -> Rooms.coMembers(h, "bob"));
      assertThat(co).containsExactly("alice");
      Optional<Accounts.Account> alice = db.withHandle(h -> Accounts.find(h, "alice"));
      assertThat(alice.orElseThrow().disabled()).isFalse();
    }
  }

  @Test
  void v2_rekeysTheDedupeRecords_andKeepsThem(@TempDir Path dir) throws Exception {
    String url = Database.h2FileUrl(dir);
    // A database as version 1 left it, with dedupe records in it.
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "", "");
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
          + " script VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
      String v1;
      try (java.io.InputStream in = Database.class.getResourceAsStream("migrations/V1__initial_schema.sql")) {
        v1 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("${bytes}", "VARBINARY");
      }
      for (String sql : Database.statements(v1)) {
        st.execute(sql);
      }
      st.execute("INSERT INTO schema_version VALUES (1, 'V1__initial_schema.sql', 0)");
      st.execute("INSERT INTO message_ids (sender_user, message_id, room_id, seq, accepted_at)"
          + " VALUES ('alice', '01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5', 'r1', 7, 1000)");
      st.execute("INSERT INTO message_ids (sender_user, message_id, room_id, seq, accepted_at)"
          + " VALUES ('bob', '01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5', NULL, NULL, 2000)");
    }
    try (Database db = Database.open(url, "", "", 4)) {
      assertThat(db.migrate(clock)).isEqualTo(9);
      String id = "01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5";
      Optional<Messages.Accepted> accepted = db.withHandle(h -> Messages.accepted(h, "alice", id));
      assertThat(accepted).contains(new Messages.Accepted("r1", 7L, 1000));
      List<String> senders = db.withHandle(h -> Messages.sendersOf(h, id));
      assertThat(senders).containsExactlyInAnyOrder("alice", "bob");
      // The new primary key still refuses a repeated (message id, sender).
      Throwable dup = org.assertj.core.api.Assertions.catchThrowable(() -> db.useHandle(h ->
          Messages.recordAccepted(h, "alice", id, "r1", 8L, 3000)));
      assertThat(Messages.isUniqueViolation(dup)).isTrue();
      int byTime = db.withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_NAME = 'MESSAGE_IDS' AND INDEX_NAME = 'MESSAGE_IDS_BY_TIME'")
          .mapTo(Integer.class).one());
      assertThat(byTime).isEqualTo(1);
    }
  }

  @Test
  void theSweepsDeletes_readThroughAnIndex_notTheWholeTable() {
    try (Database db = memory("plans")) {
      Map<String, String> expected = Map.of(
          Messages.PURGE_EXPIRED_DIRECT, "DIRECT_QUEUE_BY_EXPIRY",
          Messages.PURGE_EXPIRED_ROOM, "ROOM_MESSAGES_BY_EXPIRY",
          Messages.PURGE_IDS, "MESSAGE_IDS_BY_TIME",
          Messages.PURGE_ROOM_HISTORY, "ROOM_MESSAGES_BY_TIME",
          Messages.PURGE_DIRECT_QUEUE, "DIRECT_QUEUE_BY_TIME");
      expected.forEach((sql, index) -> {
        String plan = db.withHandle(h -> h.createQuery("EXPLAIN " + sql.replace("?", "1000"))
            .mapTo(String.class).one());
        assertThat(plan).as(sql).contains(index);
        if (sql.contains("expires_at")) {
          assertThat(plan).as("the index range of " + sql + " starts at 0").contains("_BY_EXPIRY: EXPIRES_AT >= ");
        }
      });
    }
  }

  @Test
  void statements_splitsScriptsAndDropsComments() {
    assertThat(Database.statements("-- c\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (\n y INT\n);\n"))
        .containsExactly("CREATE TABLE a (x INT)", "CREATE TABLE b (\n y INT\n)");
  }

  @Test
  void oneTimePrekeys_areHandedOutExactlyOnce_underConcurrentFetches() throws Exception {
    try (Database db = memory("prekeys")) {
      db.useTransaction(h -> {
        Accounts.insert(h, "bob", "x", false, 0);
        Devices.ensure(h, "bob", 1, 0);
        List<Devices.OneTimePrekey> keys = new java.util.ArrayList<>();
        for (int i = 1; i <= 40; i++) {
          keys.add(new Devices.OneTimePrekey(i, new byte[] {(byte) i}));
        }
        assertThat(Devices.addOneTimePrekeys(h, "bob", 1, keys)).isEqualTo(40);
        assertThat(Devices.addOneTimePrekeys(h, "bob", 1, keys.subList(0, 3))).isZero();
      });
      Set<Long> handed = ConcurrentHashMap.newKeySet();
      List<Long> all = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(6);
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < 6; t++) {
        pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10; i++) {
            Optional<Devices.OneTimePrekey> k = db.inTransaction(h -> Devices.takeOneTimePrekey(h, "bob", 1));
            k.ifPresent(p -> {
              handed.add(p.keyId());
              all.add(p.keyId());
            });
          }
          return null;
        });
      }
      start.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      assertThat(all).hasSize(40);
      assertThat(handed).hasSize(40);
      var v1 = db.withHandle(h -> Devices.countOneTimePrekeys(h, "bob", 1));
      assertThat(v1).isZero();
    }
  }

  @Test
  void roomTimeline_storesOnce_andCursorsOnlyMoveForward() {
    try (Database db = memory("rooms")) {
      db.useTransaction(h -> {
        Accounts.insert(h, "alice", "x", false, 0);
        Accounts.insert(h, "bob", "x", false, 0);
        assertThat(Rooms.create(h, "r1", "group", "R", "", 10, "alice", 0)).isTrue();
        Rooms.addMember(h, "r1", "bob", "member", 0);
        for (int i = 0; i < 5; i++) {
          long seq = Rooms.nextSeq(h, "r1").orElseThrow();
          Messages.insertRoomMessage(h, "r1", seq, "m" + i, "alice", 1, new byte[] {1}, 0, i == 4 ? 10L : null);
        }
      });
      var v2 = db.withHandle(h -> Messages.roomTimelineSize(h));
      assertThat(v2).isEqualTo(5);
      List<Messages.RoomRow> rows = db.withHandle(h -> Messages.roomAfter(h, "r1", 0, 5, 100));
      assertThat(rows).extracting(Messages.RoomRow::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
      var v3 = db.withHandle(h -> Messages.roomAfter(h, "r1", 2, 11, 100));
      assertThat(v3)
          .extracting(Messages.RoomRow::seq).containsExactly(3L, 4L);
      db.useTransaction(h -> {
        Messages.advanceCursor(h, "r1", "bob", 1, 3);
        Messages.advanceCursor(h, "r1", "bob", 1, 2);
      });
      var v4 = db.withHandle(h -> Messages.cursor(h, "r1", "bob", 1));
      assertThat(v4).contains(3L);
      Messages.Purged p = db.inTransaction(h -> Messages.purgeExpired(h, 10, 0));
      assertThat(p.room()).isEqualTo(1);
      var v5 = db.withHandle(h -> Rooms.coMembers(h, "bob"));
      assertThat(v5).containsExactly("alice");
    }
  }

  @Test
  void directQueue_cumulativeAck_removesOnlyThatDevicesCopiesUpToTheSeq() {
    try (Database db = memory("direct")) {
      long[] ids = new long[3];
      db.useTransaction(h -> {
        ids[0] = Messages.insertDirect(h, "bob", 1, "m1", "alice", 1, null, "direct", new byte[] {9}, 0, null);
        ids[1] = Messages.insertDirect(h, "bob", 2, "m1", "alice", 1, null, "direct", new byte[] {8}, 0, null);
        ids[2] = Messages.insertDirect(h, "bob", 1, "m2", "alice", 1, null, "direct", new byte[] {7}, 0, null);
      });
      assertThat(ids[2]).isGreaterThan(ids[0]);
      var v6 = db.inTransaction(h -> Messages.ackDirect(h, "bob", 1, ids[0]));
      assertThat(v6).isEqualTo(1);
      var v7 = db.inTransaction(h -> Messages.ackDirect(h, "bob", 1, ids[0]));
      assertThat(v7).isZero();
      var v8 = db.withHandle(h -> Messages.pendingDirect(h, "bob", 2, 0, Set.of(), 10));
      assertThat(v8).hasSize(1);
      var v9 = db.withHandle(h -> Messages.pendingDirect(h, "bob", 1, 0, Set.of(), 10));
      assertThat(v9).extracting(Messages.DirectRow::messageId).containsExactly("m2");
    }
  }

  @Test
  void tokens_expireAndRevoke() {
    try (Database db = memory("tokens")) {
      db.useTransaction(h -> {
        Accounts.insert(h, "alice", "x", false, 0);
        Accounts.insertToken(h, "h1", "alice", 0, 100);
      });
      var v10 = db.withHandle(h -> Accounts.tokenUser(h, "h1", 50));
      assertThat(v10).contains("alice");
      var v11 = db.withHandle(h -> Accounts.tokenUser(h, "h1", 100));
      assertThat(v11).isEmpty();
      db.useTransaction(h -> Accounts.revokeToken(h, "h1"));
      var v12 = db.withHandle(h -> Accounts.tokenUser(h, "h1", 50));
      assertThat(v12).isEmpty();
    }
  }
}
