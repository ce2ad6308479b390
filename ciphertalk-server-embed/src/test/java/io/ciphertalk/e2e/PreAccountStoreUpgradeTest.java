package io.ciphertalk.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.store.LocalIdentity;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.account.AccountKeyPair;
import io.ciphertalk.crypto.account.DeviceCertificate;
import io.ciphertalk.server.CipherTalkServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's migration claim, on real files written before accounts existed: the fixture
 * {@code pre-account-1f6f069/} (see its README.md) is a server database and the client stores of
 * alice (one device) and bob (two devices, the second logged in with the password as that version
 * allowed), written by the code of commit 1f6f069 (no account key, no device certificates, client
 * store schema V6, server schema V4, H2 2.3.232), with a private room and a group holding messages
 * both ways. Today's server and clients open those very files. alice.1 and bob.1 each become
 * device 1 of a new account, certify the identity key they already had, keep their history, and
 * talk to each other (over new, certificate-checked sessions: the old ones are deleted) and to a
 * contact who registered after the upgrade. bob.2 finds bob.1 certified and waits to be linked:
 * until then nobody encrypts anything to it, 1:1 or group (its old sessions and the old group
 * key do not help it); once linked from bob.1 it keeps its identity key and reads what is sent
 * from then on.
 */
class PreAccountStoreUpgradeTest {
  private static final String FIXTURE = "/pre-account-1f6f069/";
  /** When the fixture was written (its README); the test runs its clocks an hour later. */
  private static final Instant WRITTEN = Instant.parse("2026-12-02T18:01:00Z");
  private static final String PRIVATE_ROOM = "p-alice-bob";
  private static final String GROUP = "g-c4c016e999838a4dbb18ad04";
  private static final DeviceAddress BOB2 = DeviceAddress.of("bob", 2);

  @TempDir Path dir;
  // The fixture's bearer tokens expire 14 days after it was written (idle after 7): run the
  // server and clients at the fixture's time so the test does not rot.
  private final Clock clock = Clock.offset(Clock.systemUTC(),
      Duration.between(Instant.now(), WRITTEN.plus(Duration.ofHours(1))));
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void storesFromBeforeAccounts_upgradeInPlace_firstDevicesCertifyThemselves_keepHistory_andTalk_whileAnOldSecondDeviceGetsNothingUntilLinked()
      throws Exception {
    copy("server/ciphertalk.mv.db", dir.resolve("server/ciphertalk.mv.db"));
    for (String store : List.of("alice", "bob", "bob2")) {
      copy(store + ".mv.db", dir.resolve(store + ".mv.db"));
      copy(store + ".mv.db", dir.resolve("peek/" + store + ".mv.db"));
    }
    // What the devices are before the upgrade (read from copies, so the clients open untouched
    // files): an identity key each, no account key, no certificate.
    byte[] aliceIdentity = identityBefore("alice", 0, DeviceAddress.of("alice", 1));
    byte[] bob2Identity = identityBefore("bob2", 64, BOB2);

    CipherTalkServer server = CipherTalkServer.builder().wsPort(0).httpPort(0)
        .bindAddress("127.0.0.1").dataDirectory(dir.resolve("server")).passwordHashing(64, 1)
        .clock(clock).build().start();
    open.add(server);
    URI ws = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
    URI http = URI.create("http://127.0.0.1:" + server.httpPort() + "/");

    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    Recorder rb2 = new Recorder("bob.2");
    CipherTalkClient alice = client(ws, http, store(dir.resolve("alice"), 0), ra);
    CipherTalkClient bob = client(ws, http, store(dir.resolve("bob"), 32), rb);
    alice.connect();
    bob.connect();
    // Each first device is its account's first device: nothing asks it to be linked.
    assertThat(alice.address()).contains(DeviceAddress.of("alice", 1));
    assertThat(bob.address()).contains(DeviceAddress.of("bob", 1));
    assertThat(ra.all(ChatEvent.LinkingRequired.class)).isEmpty();
    assertThat(rb.all(ChatEvent.LinkingRequired.class)).isEmpty();
    // bob's old second device finds a certified device in its account: it must be linked.
    CipherTalkClient bob2 = client(ws, http, store(dir.resolve("bob2"), 64), rb2, 2);
    bob2.connect();
    rb2.await(ChatEvent.LinkingRequired.class, e -> true);

    // The history written by the old code is still there.
    Room alicePrivate = alice.room(PRIVATE_ROOM).orElseThrow();
    assertThat(texts(alicePrivate)).contains("hello bob, from before accounts",
        "hello alice, from before accounts", "second message from alice");
    assertThat(texts(alice.room(GROUP).orElseThrow())).contains("group hello from alice",
        "group hello from bob", "group hello from bob's second device");
    assertThat(texts(bob.room(PRIVATE_ROOM).orElseThrow()))
        .contains("hello bob, from before accounts", "second message from alice");

    // alice and bob.1 talk, 1:1 and in the group, both ways; alice refuses the uncertified bob.2.
    // (alice, upgraded first, may also have refused bob.1 until it published its certificate:
    // its DEVICES_CHANGED notice makes her look again.)
    alicePrivate.send("after the upgrade, from alice");
    rb.awaitText("after the upgrade, from alice");
    ra.await(ChatEvent.DeviceRejected.class, e -> e.userId().equals("bob") && e.deviceId() == 2);
    bob.room(PRIVATE_ROOM).orElseThrow().send("after the upgrade, from bob");
    ra.awaitText("after the upgrade, from bob");
    alice.room(GROUP).orElseThrow().send("group, after the upgrade, from alice");
    rb.awaitText("group, after the upgrade, from alice");
    bob.room(GROUP).orElseThrow().send("group, after the upgrade, from bob");
    ra.awaitText("group, after the upgrade, from bob");
    // One safety number per pair of accounts, the same on both sides: each pinned the other's
    // account key from a certificate (which the old sessions never showed: they were replaced).
    assertThat(alice.safetyNumber("bob")).isEqualTo(bob.safetyNumber("alice"));

    // bob links his old second device from bob.1; from then on it reads what is sent.
    Recorder.link(bob2, rb2, bob);
    // bob.2 publishes its certified keys right after linking; alice uses them from her next send
    // that comes after they are there, and announces bob.2 as newly linked.
    String afterLinking = null;
    for (int i = 0; afterLinking == null; i++) {
      assertThat(i).as("bob.2 never received a message after linking").isLessThan(10);
      String text = "after linking, from alice #" + i;
      alicePrivate.send(text);
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (!rb2.sawText(text) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      afterLinking = rb2.sawText(text) ? text : null;
    }
    ra.await(ChatEvent.DeviceLinked.class, e -> e.userId().equals("bob") && e.deviceId() == 2);
    alice.room(GROUP).orElseThrow().send("group, after linking, from alice");
    rb2.awaitText("group, after linking, from alice");
    bob2.room(PRIVATE_ROOM).orElseThrow().send("from bob's linked second device");
    ra.awaitText("from bob's linked second device");
    // Delivery is in order, so what was sent while it was unlinked would have come first.
    assertThat(rb2.sawText("after the upgrade, from alice")).isFalse();
    assertThat(rb2.sawText("group, after the upgrade, from alice")).isFalse();
    assertThat(rb2.sawText("group, after the upgrade, from bob")).isFalse();

    // A contact who arrives after the upgrade talks to the upgraded device.
    Recorder rc = new Recorder("carol");
    CipherTalkClient carol = client(ws, http, null, rc);
    carol.register("carol", "carol-password-1");
    carol.connect();
    Room carolRoom = carol.privateRoom("alice");
    carolRoom.send("hi alice, I am new here");
    ra.awaitText("hi alice, I am new here");
    alice.room(carolRoom.id()).orElseThrow().send("welcome, carol");
    rc.awaitText("welcome, carol");
    assertThat(carol.safetyNumber("alice")).isEqualTo(alice.safetyNumber("carol"));
    assertThat(rc.all(ChatEvent.DeviceRejected.class)).isEmpty();

    // On disk: alice's store holds an account key and a certificate for alice.1 over the identity
    // key it had before; bob.2's certificate is under bob's account key, over its old identity key.
    alice.close();
    bob.close();
    bob2.close();
    try (JdbiLocalStore after = store(dir.resolve("alice"), 0);
        JdbiLocalStore bobAfter = store(dir.resolve("bob"), 32);
        JdbiLocalStore bob2After = store(dir.resolve("bob2"), 64)) {
      SecretBytes pair = after.accountKeys().accountKeyPair().orElseThrow();
      AccountKeyPair account = AccountKeyPair.deserialize(pair);
      pair.wipe();
      DeviceCertificate cert =
          DeviceCertificate.deserialize(after.accountKeys().ownCertificate().orElseThrow());
      assertThat(cert.address()).isEqualTo(DeviceAddress.of("alice", 1));
      assertThat(cert.identityKey().serialize()).isEqualTo(aliceIdentity);
      assertThat(cert.accountKey()).isEqualTo(account.publicKey());
      assertThat(bobAfter.accountKeys().pinnedAccountKey("alice")).hasValueSatisfying(k ->
          assertThat(k).isEqualTo(account.publicKey().serialize()));
      account.wipe();

      SecretBytes bobPair = bobAfter.accountKeys().accountKeyPair().orElseThrow();
      AccountKeyPair bobAccount = AccountKeyPair.deserialize(bobPair);
      bobPair.wipe();
      DeviceCertificate bob2Cert =
          DeviceCertificate.deserialize(bob2After.accountKeys().ownCertificate().orElseThrow());
      assertThat(bob2Cert.address()).isEqualTo(BOB2);
      assertThat(bob2Cert.identityKey().serialize()).isEqualTo(bob2Identity);
      assertThat(bob2Cert.accountKey()).isEqualTo(bobAccount.publicKey());
      bobAccount.wipe();
    }
  }

  private byte[] identityBefore(String store, int keyStart, DeviceAddress expected)
      throws Exception {
    try (JdbiLocalStore peek = store(dir.resolve("peek/" + store), keyStart)) {
      LocalIdentity id = peek.identities().localIdentity().orElseThrow();
      assertThat(id.address()).isEqualTo(expected);
      assertThat(peek.accountKeys().accountKeyPair()).isEmpty();
      assertThat(peek.accountKeys().ownCertificate()).isEmpty();
      assertThat(peek.sessions().allSessionDevices()).as("sessions from before accounts").isNotEmpty();
      return id.publicKey();
    }
  }

  private CipherTalkClient client(URI ws, URI http, JdbiLocalStore store, Recorder r) {
    return client(ws, http, store, r, 1);
  }

  /** As the app did before (the device id is the builder's, as then). */
  private CipherTalkClient client(URI ws, URI http, JdbiLocalStore store, Recorder r,
      int deviceId) {
    CipherTalkClient.Builder b = CipherTalkClient.builder().serverUri(ws, http).clock(clock)
        .deviceId(deviceId).listener(r);
    if (store != null) {
      b.store(store);
    }
    CipherTalkClient c = b.build();
    open.add(c);
    return c;
  }

  /** The fixture's stores are keyed with the bytes first, first + 1, ..., first + 31. */
  private JdbiLocalStore store(Path file, int first) throws Exception {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (first + i);
    }
    return JdbiLocalStore.builder().file(file).key(SecretBytes.wrap(key)).clock(clock).open();
  }

  private static List<String> texts(Room room) {
    return room.history(50).stream().map(Message::text).toList();
  }

  private void copy(String resource, Path target) throws Exception {
    Files.createDirectories(target.getParent());
    try (InputStream in = getClass().getResourceAsStream(FIXTURE + resource)) {
      assertThat(in).as("fixture " + resource).isNotNull();
      Files.copy(in, target);
    }
  }
}
