package io.ciphertalk.core.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.core.model.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.MessageStatus;
import io.ciphertalk.core.model.SendState;
import io.ciphertalk.core.store.InvalidStoreKeyException;
import io.ciphertalk.core.store.LocalIdentity;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.store.LocalStoreContractTest;
import io.ciphertalk.core.store.MutableClock;
import io.ciphertalk.core.store.PreKeyType;
import io.ciphertalk.core.store.StoreCorruptedException;
import io.ciphertalk.core.store.StoreException;
import io.ciphertalk.core.store.StoreRollbackException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract against an H2 file database, plus persistence, keys and encryption at rest. */
class JdbiLocalStoreTest extends LocalStoreContractTest {
  private static final Argon2Settings FAST_ARGON2 = new Argon2Settings(256, 1, 1);

  @TempDir Path dir;
  private final SecretBytes key = SecretBytes.random(32, RandomSource.secure());

  private Path dbFile() {
    return dir.resolve("client");
  }

  private JdbiLocalStore open(MutableClock c) throws InvalidStoreKeyException {
    return JdbiLocalStore.builder().file(dbFile()).key(key).clock(c).open();
  }

  @Override
  protected LocalStore newStore(MutableClock clock) throws Exception {
    return open(clock);
  }

  /**
   * A received batch's INSERTs are held back and run as JDBC batches at the end of the unit
   * (WriteBehind). One that the database refuses in the middle of such a batch fails the whole
   * unit: nothing of it is committed, so nothing is acknowledged, and the redelivery stores all.
   */
  @Test
  void aRowRefusedInTheMiddleOfAJdbcBatch_rollsBackTheWholeUnit_andTheRetryStoresAll() {
    List<Message> batch = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batch.add(message("r1", "m" + i, T0.plusMillis(i)));
    }
    List<MessageId> ids = batch.stream().map(Message::id).toList();
    java.util.function.IntFunction<Runnable> unit = badAt -> () -> {
      store.seen().seenAmong(ids);
      store.messages().storedAmong(ids);
      for (int i = 0; i < batch.size(); i++) {
        Message m = batch.get(i);
        assertThat(store.seen().markSeen(m.id())).isTrue();
        store.messages().saveMessage(m);
        store.unread().addUnread(i == badAt ? "r".repeat(65) : "r1", m.id()); // column: 64
      }
    };

    assertThatThrownBy(() -> store.inTransaction(unit.apply(2)))
        .isInstanceOf(StoreException.class);
    for (Message m : batch) {
      assertThat(store.seen().isSeen(m.id())).isFalse();
      assertThat(store.messages().message(m.id())).isEmpty();
    }
    assertThat(store.unread().unread("r1")).isEmpty();

    store.inTransaction(unit.apply(-1));
    for (Message m : batch) {
      assertThat(store.seen().isSeen(m.id())).isTrue();
      assertThat(store.messages().message(m.id())).contains(m);
    }
    assertThat(store.unread().unread("r1")).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void everything_survivesCloseAndReopen() throws Exception {
    LocalIdentity id = LocalIdentity.of(ALICE1, new byte[] {1, 2}, SecretBytes.copyOf(new byte[] {3, 4}));
    store.identities().saveLocalIdentity(id);
    store.identities().savePeerIdentity(BOB1, new byte[] {5});
    store.sessions().storeSession(BOB1, new byte[] {6});
    store.preKeys().storePreKey(PreKeyType.SIGNED, 1, SecretBytes.copyOf(new byte[] {7}));
    store.senderKeys().storeSenderKey("r1", BOB2, new byte[] {8});
    Message m = message("r1", "persisted", T0);
    store.messages().saveMessage(m);
    MessageId queued = newId();
    store.outbox().enqueue(queued, "r1", new byte[] {9});
    MessageId held = newId();
    store.held().hold(held, "bob", new byte[] {10});
    store.account().saveAccount(new io.ciphertalk.core.store.Account("alice", 1, "tok"));
    store.seen().markSeen(m.id());
    store.unread().addUnread("r1", m.id());
    store.appData().put("view", new byte[] {11});
    store.close();

    store = open(clock);
    assertThat(store.identities().localIdentity().orElseThrow().privateKey().toByteArray()).containsExactly(3, 4);
    assertThat(store.identities().peerIdentity(BOB1).orElseThrow()).containsExactly(5);
    assertThat(store.sessions().loadSession(BOB1).orElseThrow()).containsExactly(6);
    assertThat(store.preKeys().loadPreKey(PreKeyType.SIGNED, 1).orElseThrow().toByteArray()).containsExactly(7);
    assertThat(store.senderKeys().loadSenderKey("r1", BOB2).orElseThrow()).containsExactly(8);
    assertThat(store.messages().message(m.id())).contains(m);
    assertThat(store.outbox().pending(5)).extracting(e -> e.messageId()).containsExactly(queued);
    assertThat(store.held().from("bob", 5)).singleElement()
        .satisfies(e -> assertThat(e.payload()).containsExactly(10));
    assertThat(store.account().account().orElseThrow().token()).isEqualTo("tok");
    assertThat(store.seen().isSeen(m.id())).isTrue();
    assertThat(store.unread().unread("r1")).containsExactly(m.id());
    assertThat(store.appData().get("view").orElseThrow()).containsExactly(11);
  }

  @Test
  void reopeningWithAnotherKey_isRefused_andDoesNoHarm() throws Exception {
    store.sessions().storeSession(BOB1, new byte[] {6});
    store.close();
    SecretBytes wrong = SecretBytes.random(32, RandomSource.secure());
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(dbFile()).key(wrong).clock(clock).open())
        .isInstanceOf(InvalidStoreKeyException.class);
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(dbFile()).passphrase("pw".toCharArray()).open())
        .isInstanceOf(InvalidStoreKeyException.class);
    store = open(clock);
    assertThat(store.sessions().loadSession(BOB1).orElseThrow()).containsExactly(6);
  }

  @Test
  void open_wipesItsCopyOfTheKeyOrPassphrase_andTheStoreKey_orArgon2Output_alsoWhenRefused()
      throws Exception {
    Path file = dir.resolve("wiped");
    List<Object> seen = new ArrayList<>();
    JdbiLocalStore.builder().file(file).passphrase("correct horse".toCharArray()).argon2(FAST_ARGON2)
        .secretsProbe(seen::add).open().close();
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(file).passphrase("wrong horse".toCharArray())
        .secretsProbe(seen::add).open()).isInstanceOf(InvalidStoreKeyException.class);
    Path keyed = dir.resolve("wiped-keyed");
    JdbiLocalStore.builder().file(keyed).key(key).secretsProbe(seen::add).open().close();
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(keyed)
        .key(SecretBytes.random(32, RandomSource.secure())).secretsProbe(seen::add).open())
        .isInstanceOf(InvalidStoreKeyException.class);

    // Each open saw its copy of the passphrase or key, then the store key it derived.
    assertThat(seen).hasSize(8);
    for (int i = 0; i < seen.size(); i++) {
      Object secret = seen.get(i);
      if (secret instanceof char[] chars) {
        assertThat(chars).as("passphrase copy %d", i).containsOnly('\0');
      } else {
        assertThat(((SecretBytes) secret).isWiped()).as("secret %d", i).isTrue();
      }
    }
    assertThat(seen.get(0)).isInstanceOf(char[].class);
    assertThat(seen.get(1)).isInstanceOf(SecretBytes.class);
    assertThat(key.isWiped()).as("the caller's key is the caller's to wipe (the builder copies it)").isFalse();
  }

  @Test
  void passphraseStore_reopensWithThePassphrase_andRefusesAnother() throws Exception {
    Path file = dir.resolve("pw");
    try (JdbiLocalStore s =
        JdbiLocalStore.builder().file(file).passphrase("correct horse".toCharArray()).argon2(FAST_ARGON2).open()) {
      s.sessions().storeSession(BOB1, new byte[] {1});
    }
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(file).passphrase("correct horse".toCharArray()).open()) {
      assertThat(s.sessions().loadSession(BOB1).orElseThrow()).containsExactly(1);
    }
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(file).passphrase("wrong horse".toCharArray()).open())
        .isInstanceOf(InvalidStoreKeyException.class);
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(file).key(key).open())
        .isInstanceOf(InvalidStoreKeyException.class);
  }

  @Test
  void storeCreatedWithTheOldOwaspDefault_stillOpens_andNewStoresUse64MiBAnd3Passes() throws Exception {
    assertThat(Argon2Settings.recommended()).isEqualTo(new Argon2Settings(64 * 1024, 3, 1));
    Path old = dir.resolve("old-default");
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(old).passphrase("pw".toCharArray())
        .argon2(Argon2Settings.owasp()).open()) {
      s.sessions().storeSession(BOB1, new byte[] {7});
    }
    // Opened by today's builder, whose default cost is higher: the store's own parameters apply.
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(old).passphrase("pw".toCharArray()).open()) {
      assertThat(s.sessions().loadSession(BOB1).orElseThrow()).containsExactly(7);
    }
    Path fresh = dir.resolve("new-default");
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(fresh).passphrase("pw".toCharArray()).open()) {
      s.sessions().storeSession(BOB1, new byte[] {8});
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(
            "jdbc:h2:file:" + fresh.toAbsolutePath(), "ciphertalk", "");
        java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT * FROM store_meta")) {
      java.util.Map<String, String> meta = new java.util.HashMap<>();
      while (rs.next()) {
        meta.put(rs.getString(1), rs.getString(2));
      }
      assertThat(meta).containsEntry("kdf_memory_kib", "65536").containsEntry("kdf_iterations", "3");
    }
  }

  private static java.sql.Connection raw(Path file) throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection("jdbc:h2:file:" + file.toAbsolutePath(), "ciphertalk", "");
  }

  @Test
  void pinnedIdentity_swappedOrWrittenInClearInTheFile_isDetected_notTrusted() throws Exception {
    Path file = dir.resolve("trust");
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open()) {
      s.identities().savePeerIdentity(BOB1, new byte[] {1, 1});
      s.identities().savePeerIdentity(BOB2, new byte[] {2, 2});
    }
    // A file writer moves Bob2's pinned key onto Bob1's row (a key it controls, say).
    try (java.sql.Connection c = raw(file)) {
      c.createStatement().execute("UPDATE peer_identities SET identity_key = (SELECT identity_key"
          + " FROM peer_identities WHERE device_id = " + BOB2.deviceId() + " AND user_id = '"
          + BOB2.userId() + "') WHERE user_id = '" + BOB1.userId() + "' AND device_id = " + BOB1.deviceId());
    }
    // The store's digest of its protected rows no longer matches: it refuses to open.
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open())
        .isInstanceOf(StoreRollbackException.class);
    // And the moved value, read on its own, fails authentication for the row it was moved to.
    try (java.sql.Connection c = raw(file)) {
      c.createStatement().execute("DELETE FROM store_meta WHERE name = 'rowset'"); // digest gone too
    }
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open()) {
      assertThatThrownBy(() -> s.identities().peerIdentity(BOB1)).isInstanceOf(StoreCorruptedException.class);
      assertThat(s.identities().peerIdentity(BOB2).orElseThrow()).containsExactly(2, 2);
    }
    // Or writes a key of its own in clear.
    try (java.sql.Connection c = raw(file)) {
      c.createStatement().execute("UPDATE peer_identities SET identity_key = 'AwM'");
    }
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open())
        .isInstanceOf(StoreRollbackException.class);
  }

  private String cell(Path file, String sql) throws java.sql.SQLException {
    try (java.sql.Connection c = raw(file); java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private void exec(Path file, String sql, String... args) throws java.sql.SQLException {
    try (java.sql.Connection c = raw(file); var st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setString(i + 1, args[i]);
      }
      st.execute();
    }
  }

  private JdbiLocalStore openFile(Path file) throws InvalidStoreKeyException {
    return JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open();
  }

  @Test
  void trustTableRow_rolledBackToAnOlderCopyOfItself_isRefusedAtOpen() throws Exception {
    Path file = dir.resolve("trust-rollback");
    try (JdbiLocalStore s = openFile(file)) {
      s.identities().savePeerIdentity(BOB1, new byte[] {1, 1}); // the key first pinned
    }
    String old = cell(file, "SELECT identity_key FROM peer_identities WHERE user_id = 'bob'");
    try (JdbiLocalStore s = openFile(file)) {
      s.identities().savePeerIdentity(BOB1, new byte[] {2, 2}); // re-pinned after verification
    }
    // The attacker copies the old row back: sealed for this very row, so it still authenticates.
    exec(file, "UPDATE peer_identities SET identity_key = ? WHERE user_id = 'bob'", old);
    assertThat(JdbiLocalStore.sealerFor(key, RandomSource.secure())
        .open(old, "peer_identities", "identity_key", BOB1.toString())).containsExactly(1, 1);
    assertThatThrownBy(() -> openFile(file)).isInstanceOf(StoreRollbackException.class);
  }

  @Test
  void groupStateRow_rolledBackToAnOlderCopyOfItself_isRefusedAtOpen() throws Exception {
    Path file = dir.resolve("group-rollback");
    try (JdbiLocalStore s = openFile(file)) {
      s.senderKeys().storeSenderKey("room1", ALICE1, new byte[] {1}); // epoch 1, say
      s.senderKeys().storeSenderKey("room1", BOB1, new byte[] {7});
    }
    String old = cell(file, "SELECT state_sealed FROM sender_keys WHERE sender_user = 'alice'");
    try (JdbiLocalStore s = openFile(file)) {
      s.senderKeys().storeSenderKey("room1", ALICE1, new byte[] {2}); // rotated after a removal
    }
    exec(file, "UPDATE sender_keys SET state_sealed = ? WHERE sender_user = 'alice'", old);
    assertThatThrownBy(() -> openFile(file)).isInstanceOf(StoreRollbackException.class);
  }

  @Test
  void protectedRow_deletedOrSwappedBetweenRooms_isRefusedAtOpen_andHonestWritesKeepOpening()
      throws Exception {
    Path file = dir.resolve("group-delete");
    try (JdbiLocalStore s = openFile(file)) {
      s.senderKeys().storeSenderKey("room1", ALICE1, new byte[] {1});
      s.senderKeys().storeSenderKey("room2", ALICE1, new byte[] {2});
      s.senderKeys().storeSenderKey("room3", ALICE1, new byte[] {3});
      s.senderKeys().deleteSenderKey("room3", ALICE1);
      s.accountKeys().pinAccountKey("bob", new byte[] {4});
      s.identities().savePeerIdentity(BOB2, new byte[] {5});
      s.identities().removePeerIdentity(BOB2);
    }
    try (JdbiLocalStore s = openFile(file)) { // every honest write and delete kept the digest
      assertThat(s.senderKeys().loadSenderKey("room2", ALICE1).orElseThrow()).containsExactly(2);
      s.senderKeys().deleteSenderKeys("room2");
    }
    try (JdbiLocalStore s = openFile(file)) {
      assertThat(s.senderKeys().loadSenderKey("room2", ALICE1)).isEmpty();
    }
    Path copy = dir.resolve("group-delete-copy.mv.db");
    Files.copy(dir.resolve("group-delete.mv.db"), copy);
    exec(file, "DELETE FROM sender_keys WHERE room_id = 'room1'");
    assertThatThrownBy(() -> openFile(file)).isInstanceOf(StoreRollbackException.class);
    Files.copy(copy, dir.resolve("group-delete.mv.db"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    exec(file, "UPDATE account_keys SET name = 'pin/carol' WHERE name = 'pin/bob'");
    assertThatThrownBy(() -> openFile(file)).isInstanceOf(StoreRollbackException.class);
  }

  @Test
  void protectedWrites_inAUnitOfWork_committedOrRolledBack_keepTheDigestConsistent() throws Exception {
    Path file = dir.resolve("unit");
    try (JdbiLocalStore s = openFile(file)) {
      s.inTransaction(() -> { // a catch-up batch: the digest is read once and written once
        for (int i = 0; i < 20; i++) {
          s.senderKeys().storeSenderKey("room1", ALICE1, new byte[] {(byte) i});
        }
        s.identities().savePeerIdentity(BOB1, new byte[] {1});
        s.senderKeys().deleteSenderKeys("room1");
        s.senderKeys().storeSenderKey("room2", ALICE1, new byte[] {2});
      });
      assertThatThrownBy(() -> s.inTransaction(() -> {
        s.senderKeys().storeSenderKey("room3", ALICE1, new byte[] {3});
        throw new IllegalStateException("the batch fails");
      })).isInstanceOf(IllegalStateException.class);
      s.senderKeys().storeSenderKey("room2", BOB1, new byte[] {4}); // outside a unit again
    }
    try (JdbiLocalStore s = openFile(file)) {
      assertThat(s.senderKeys().loadSenderKey("room3", ALICE1)).isEmpty();
      assertThat(s.senderKeys().loadSenderKey("room2", ALICE1).orElseThrow()).containsExactly(2);
      assertThat(s.identities().peerIdentity(BOB1).orElseThrow()).containsExactly(1);
    }
  }

  @Test
  void close_whileAnotherThreadIsInsideAUnitOfWork_closesTheDatabaseFile_beforeReturning()
      throws Exception {
    // A client closing while its engine thread still works on the store: once close() returns,
    // the file must be released (a backup copied then is whole, a reopen reads the file).
    Path file = dir.resolve("busy");
    JdbiLocalStore s = openFile(file);
    s.appData().put("committed", new byte[] {1});
    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> afterClose =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread worker = new Thread(() -> {
      try {
        s.inTransaction(() -> {
          s.appData().put("uncommitted", new byte[] {2});
          inside.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          s.appData().put("after-close", new byte[] {3});
        });
      } catch (Throwable t) {
        afterClose.set(t);
      }
    });
    worker.start();
    assertThat(inside.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    s.close();

    Path mv = dir.resolve("busy.mv.db");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(mv,
        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
      // Throws OverlappingFileLockException while this JVM's H2 still holds the file.
      java.nio.channels.FileLock lock = ch.tryLock();
      assertThat(lock).as("the database file is released when close() returns").isNotNull();
      lock.release();
    }
    release.countDown();
    worker.join(10_000);
    assertThat(afterClose.get()).as("the unit of work cannot write after close").isNotNull();
    try (JdbiLocalStore reopened = openFile(file)) {
      assertThat(reopened.appData().get("committed").orElseThrow()).containsExactly(1);
      assertThat(reopened.appData().get("uncommitted")).isEmpty();
      assertThat(reopened.appData().get("after-close")).isEmpty();
    }
    s.close(); // a second close does nothing
  }

  @Test
  void wholeStoreFileRolledBack_isNotDetectable_fromInsideTheFile() throws Exception {
    // The documented limit (docs/threat-model.md): a copy of the whole file is a consistent older
    // store; only state kept outside it (a counter in the OS keystore, a server) could tell.
    Path file = dir.resolve("whole");
    try (JdbiLocalStore s = openFile(file)) {
      s.senderKeys().storeSenderKey("room1", ALICE1, new byte[] {1});
    }
    Path copy = dir.resolve("whole-copy.mv.db");
    Files.copy(dir.resolve("whole.mv.db"), copy);
    try (JdbiLocalStore s = openFile(file)) {
      s.senderKeys().storeSenderKey("room1", ALICE1, new byte[] {2});
    }
    Files.copy(copy, dir.resolve("whole.mv.db"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (JdbiLocalStore s = openFile(file)) {
      assertThat(s.senderKeys().loadSenderKey("room1", ALICE1).orElseThrow()).containsExactly(1);
    }
  }

  @Test
  void seenIds_areKeyedTags_soAFileWriterCannotMarkAChosenMessageSeen() throws Exception {
    Path file = dir.resolve("seen");
    MessageId seen = newId();
    MessageId target = newId();
    try (JdbiLocalStore s = openFile(file)) {
      assertThat(s.seen().markSeen(seen)).isTrue();
    }
    String stored = cell(file, "SELECT message_id FROM seen_messages");
    assertThat(stored).startsWith("m:").doesNotContain(seen.toString());
    // To suppress a message, the attacker marks its id seen, in clear or under a guessed tag.
    exec(file, "INSERT INTO seen_messages (message_id, seen_at) VALUES (?, 0)", target.toString());
    try (JdbiLocalStore s = openFile(file)) {
      assertThat(s.seen().isSeen(seen)).isTrue();
      assertThat(s.seen().isSeen(target)).isFalse();
      assertThat(s.seen().markSeen(target)).isTrue();
    }
  }

  @Test
  void storeMeta_argon2CostLoweredInTheFile_failsTheKeyCheck() throws Exception {
    Path file = dir.resolve("meta");
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(file).passphrase("pw".toCharArray())
        .argon2(FAST_ARGON2).open()) {
      s.sessions().storeSession(BOB1, new byte[] {1});
    }
    exec(file, "UPDATE store_meta SET val = '128' WHERE name = 'kdf_memory_kib'");
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(file).passphrase("pw".toCharArray()).open())
        .isInstanceOf(InvalidStoreKeyException.class);
  }

  @Test
  void storeFromBeforeTheSealedTrustTable_opens_andSealsItsPinnedIdentities() throws Exception {
    Path file = dir.resolve("legacy");
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open()) {
      s.sessions().storeSession(BOB1, new byte[] {9});
    }
    // Rewrite it as a 1.0 store wrote it: the v1 key check, identities in clear base64.
    Sealer sealer = JdbiLocalStore.sealerFor(key, RandomSource.secure());
    try (java.sql.Connection c = raw(file)) {
      var st = c.prepareStatement("UPDATE store_meta SET val = ? WHERE name = 'key_check'");
      st.setString(1, sealer.seal("ciphertalk-store-key-check-v1".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          "store_meta", "val", "key_check"));
      st.execute();
      c.createStatement().execute("INSERT INTO peer_identities (user_id, device_id, identity_key) VALUES ('"
          + BOB1.userId() + "', " + BOB1.deviceId() + ", 'BQY')"); // bytes 5, 6
      c.createStatement().execute("DELETE FROM store_meta WHERE name = 'rowset'"); // no digest in 1.0
    }
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open()) {
      assertThat(s.identities().peerIdentity(BOB1).orElseThrow()).containsExactly(5, 6);
      assertThat(s.sessions().loadSession(BOB1).orElseThrow()).containsExactly(9);
    }
    try (java.sql.Connection c = raw(file);
        java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT identity_key FROM peer_identities")) {
      rs.next();
      assertThat(rs.getString(1)).isNotEqualTo("BQY"); // sealed now
    }
    // Reopened: the v2 check is in place, the sealed value still reads.
    try (JdbiLocalStore s = JdbiLocalStore.builder().file(file).key(SecretBytes.copyOf(key.toByteArray())).open()) {
      assertThat(s.identities().peerIdentity(BOB1).orElseThrow()).containsExactly(5, 6);
    }
  }

  @Test
  void databaseFile_containsNoPlaintextBodyOrPrivateKeyBytes() throws Exception {
    String marker = "PLAINTEXT-MARKER-7f3a9c";
    byte[] identityPrivate = RandomSource.secure().bytes(32);
    byte[] preKeyPrivate = RandomSource.secure().bytes(32);
    byte[] sessionState = ("SESSION-MARKER-" + marker).getBytes(StandardCharsets.UTF_8);
    byte[] senderKey = ("SENDERKEY-MARKER-" + marker).getBytes(StandardCharsets.UTF_8);
    byte[] outboxPayload = ("OUTBOX-MARKER-" + marker).getBytes(StandardCharsets.UTF_8);
    store.identities().saveLocalIdentity(LocalIdentity.of(ALICE1, new byte[32], SecretBytes.copyOf(identityPrivate)));
    store.preKeys().storePreKey(PreKeyType.ONE_TIME, 1, SecretBytes.copyOf(preKeyPrivate));
    store.sessions().storeSession(BOB1, sessionState);
    store.senderKeys().storeSenderKey("r1", BOB1, senderKey);
    store.outbox().enqueue(newId(), "r1", outboxPayload);
    store.appData().put("console/room/r1", ("APPDATA-" + marker).getBytes(StandardCharsets.UTF_8));
    store.account().saveAccount(new io.ciphertalk.core.store.Account("alice", 1, "TOKEN-" + marker));
    store.messages().saveMessage(message("r1", "reacted", T0).withReaction("REACTION-" + marker, "bob", false));
    for (int i = 0; i < 50; i++) {
      store.messages().saveMessage(message("r1", "BODY-" + marker + "-" + i, T0.plusSeconds(i)));
    }
    // Also an edited body: the old and new versions must both be absent.
    Message edited = message("r1", "EDIT-OLD-" + marker, T0);
    store.messages().saveMessage(edited);
    store.messages().saveMessage(edited.withEdit("EDIT-NEW-" + marker));
    store.close();

    Path mv = dir.resolve("client.mv.db");
    assertThat(mv).exists();
    byte[] raw = Files.readAllBytes(mv);
    assertThat(raw.length).isGreaterThan(1000);
    List<byte[]> secrets =
        List.of(
            marker.getBytes(StandardCharsets.UTF_8),
            marker.getBytes(StandardCharsets.UTF_16BE),
            marker.getBytes(StandardCharsets.UTF_16LE),
            identityPrivate,
            preKeyPrivate,
            Base64.getEncoder().withoutPadding().encode(identityPrivate),
            Base64.getEncoder().withoutPadding().encode(preKeyPrivate),
            HexFormat.of().formatHex(identityPrivate).getBytes(StandardCharsets.US_ASCII));
    for (byte[] s : secrets) {
      assertThat(indexOf(raw, s)).as("secret found in the database file").isEqualTo(-1);
    }
    // The check itself can fail: routing metadata that is meant to be in clear is found.
    assertThat(indexOf(raw, "alice".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(-1);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void sealedValueMovedToAnotherRow_failsAuthentication() throws Exception {
    store.sessions().storeSession(BOB1, new byte[] {1});
    store.sessions().storeSession(BOB2, new byte[] {2});
    Message first = message("r1", "first", T0);
    Message second = message("r1", "second", T0.plusSeconds(1));
    store.messages().saveMessage(first);
    store.messages().saveMessage(second);
    store.close();
    JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + dbFile().toAbsolutePath(), "ciphertalk", "");
    try {
      Jdbi.create(pool).useHandle(h -> {
        h.execute(
            "UPDATE sessions SET state_sealed = (SELECT state_sealed FROM sessions WHERE device_id = 2) WHERE device_id = 1");
        h.createUpdate(
                "UPDATE messages SET body_sealed = (SELECT body_sealed FROM messages WHERE message_id = :b) WHERE message_id = :a")
            .bind("a", first.id().toString())
            .bind("b", second.id().toString())
            .execute();
      });
    } finally {
      pool.dispose();
    }
    store = open(clock);
    assertThatThrownBy(() -> store.sessions().loadSession(BOB1)).isInstanceOf(StoreCorruptedException.class);
    assertThat(store.sessions().loadSession(BOB2).orElseThrow()).containsExactly(2);
    assertThatThrownBy(() -> store.messages().message(first.id())).isInstanceOf(StoreCorruptedException.class);
    assertThatThrownBy(() -> store.messages().history("r1", null, 10)).isInstanceOf(StoreCorruptedException.class);
    assertThat(store.messages().message(second.id())).contains(second);
  }

  @Test
  void version4Store_opensMigratedToSendStates_keepingItsMessages() throws Exception {
    Message old = message("r1", "from before send states", T0);
    store.messages().saveMessage(old);
    store.close();
    // Turn the store back into a version 4 one, as an older release left it.
    JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("client").toAbsolutePath(), "ciphertalk", "");
    try {
      Jdbi jdbi = Jdbi.create(pool);
      jdbi.useHandle(h -> {
        h.execute("DROP TABLE message_send_state");
        h.execute("DROP TABLE app_data");
        h.execute("DROP TABLE account_keys");
        h.execute("DROP TABLE device_revocations");
        h.execute("DELETE FROM schema_version WHERE version >= 5");
      });
      assertThat(jdbi.withHandle(Migrations::currentVersion)).isEqualTo(4);
    } finally {
      pool.dispose();
    }
    store = open(clock);
    assertThat(store.messages().message(old.id())).contains(old);
    assertThat(store.messages().sendState(old.id())).isEmpty();
    assertThat(store.messages().updateSendState(old.id(), SendState.of(MessageStatus.SENT))).isTrue();
    store.close();
    store = open(clock);
    assertThat(store.messages().sendState(old.id())).contains(SendState.of(MessageStatus.SENT));
  }

  @Test
  void olderSchema_isMigrated_andSchemaVersionIsRecorded() throws Exception {
    store.close();
    Path file = dir.resolve("old");
    JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + file.toAbsolutePath(), "ciphertalk", "");
    try {
      Jdbi jdbi = Jdbi.create(pool);
      assertThat(Migrations.migrate(jdbi, 1, clock)).isZero();
      int version = jdbi.withHandle(Migrations::currentVersion);
      assertThat(version).isEqualTo(1);
    } finally {
      pool.dispose();
    }
    store = JdbiLocalStore.builder().file(file).key(key).clock(clock).open();
    store.messages().saveMessage(message("r1", "after migration", T0));
    assertThat(store.messages().history("r1", null, 1)).hasSize(1);
    store.close();
    pool = JdbcConnectionPool.create("jdbc:h2:file:" + file.toAbsolutePath(), "ciphertalk", "");
    try {
      Jdbi jdbi = Jdbi.create(pool);
      List<Integer> versions =
          jdbi.withHandle(h -> h.createQuery("SELECT version FROM schema_version ORDER BY version").mapTo(Integer.class).list());
      assertThat(versions).containsExactly(1, 2, 3, 4, 5, 6, 7);
      // A database from a newer version of this code is refused rather than misread.
      jdbi.useHandle(h -> h.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)"));
    } finally {
      pool.dispose();
    }
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(file).key(key).clock(clock).open())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("newer");
    store = open(clock);
  }

  @Test
  void argon2id_isDeterministicForSaltAndSettings_andSensitiveToEach() {
    byte[] salt = new byte[16];
    SecretBytes a = JdbiLocalStore.argon2id("pw".toCharArray(), salt, FAST_ARGON2);
    SecretBytes b = JdbiLocalStore.argon2id("pw".toCharArray(), salt, FAST_ARGON2);
    SecretBytes otherSalt = JdbiLocalStore.argon2id("pw".toCharArray(), new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, FAST_ARGON2);
    SecretBytes otherCost = JdbiLocalStore.argon2id("pw".toCharArray(), salt, new Argon2Settings(256, 2, 1));
    assertThat(a.equalsConstantTime(b)).isTrue();
    assertThat(a.equalsConstantTime(otherSalt)).isFalse();
    assertThat(a.equalsConstantTime(otherCost)).isFalse();
    assertThat(a.length()).isEqualTo(32);
  }

  @Test
  void builder_requiresExactlyOneLocationAndOneKey() {
    assertThatThrownBy(() -> JdbiLocalStore.builder().key(key).open()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> JdbiLocalStore.builder().file(dbFile()).open()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> JdbiLocalStore.builder().key(SecretBytes.copyOf(new byte[16])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(DeviceAddress.of("x", 1)).isNotNull();
  }
}
