package io.ciphertalk.client;

import static io.ciphertalk.client.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.internal.ManualClock;
import io.ciphertalk.client.internal.ManualScheduler;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client on the encrypted file store survives a restart with its keys, history and outbox. */
class ClientPersistenceTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeHub hub = new FakeHub(clock);
  private final List<CipherTalkClient> clients = new ArrayList<>();
  private final SecretBytes key = SecretBytes.random(32, RandomSource.secure());

  @AfterEach
  void close() {
    clients.forEach(CipherTalkClient::close);
  }

  private CipherTalkClient bobOnFile(Path file, Recorder r) throws Exception {
    return onFile(file, r, 1);
  }

  @Test
  void restartedClient_onTheEncryptedFileStore_keepsSessionsSenderKeysHistoryAndOutbox(
      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("bob");
    Recorder ra = new Recorder("alice");
    CipherTalkClient alice = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(ra).prekeyBatch(5).build();
    clients.add(alice);
    alice.register("alice", "pw-alice");
    alice.connect();
    Recorder rb = new Recorder("bob");
    CipherTalkClient bob = bobOnFile(file, rb);
    bob.register("bob", "pw-bob");
    bob.connect();

    Room room = alice.privateRoom("bob");
    room.send("before restart SECRET-TEXT");
    rb.awaitText("before restart SECRET-TEXT");
    bob.room(room.id()).orElseThrow().send("reply from bob");
    ra.awaitText("reply from bob");
    Room group = alice.createGroup("g", Set.of("bob"));
    group.send("group before restart");
    rb.awaitText("group before restart");

    bob.disconnect();
    room.send("while bob is away");
    bob.room(room.id()).orElseThrow().send("queued by bob while offline");
    bob.close();
    clients.remove(bob);

    Recorder rb2 = new Recorder("bob-restarted");
    CipherTalkClient bob2 = bobOnFile(file, rb2);
    bob2.connect(); // no login: the account, keys and sessions come from the store
    rb2.awaitText("while bob is away");
    ra.awaitText("queued by bob while offline");
    group.send("group after restart");
    rb2.awaitText("group after restart");
    assertThat(rb2.all(ChatEvent.IdentityKeyChanged.class)).isEmpty();
    assertThat(ra.all(ChatEvent.IdentityKeyChanged.class)).isEmpty();
    Room bobRoom = bob2.room(room.id()).orElseThrow();
    assertThat(bobRoom.history(50)).extracting(Message::text)
        .contains("before restart SECRET-TEXT", "reply from bob", "while bob is away");
    assertThat(bob2.search("SECRET-TEXT", 10)).hasSize(1);
    bob2.close();
    clients.remove(bob2);

    byte[] marker = "SECRET-TEXT".getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        assertThat(content).as(p.toString()).doesNotContain(new String(marker,
            StandardCharsets.ISO_8859_1));
      }
    }
  }

  @Test
  void anEnvelopeHeldForAnIdentityDecision_isAcknowledged_andSurvivesARestart(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("alice");
    Recorder ra = new Recorder("alice");
    CipherTalkClient alice = onFile(file, ra, 1);
    alice.register("alice", "pw-alice");
    alice.connect();
    Recorder rb = new Recorder("bob");
    CipherTalkClient bob = inMemory(rb);
    bob.register("bob", "pw-bob");
    bob.connect();
    Room room = alice.privateRoom("bob");
    room.send("hello bob");
    rb.awaitText("hello bob");

    // Bob reinstalls: a new identity key on the same device.
    bob.close();
    clients.remove(bob);
    Recorder rb2 = new Recorder("bob-reinstalled");
    CipherTalkClient bobNew = inMemory(rb2);
    bobNew.login("bob", "pw-bob");
    bobNew.connect();
    bobNew.room(room.id()).orElseThrow().send("new phone HELD-1");
    ra.await(ChatEvent.IdentityKeyChanged.class, e -> e.userId().equals("bob") && !e.newDevice());
    // Held in Alice's store, so the server's copy is acknowledged: her queue does not back up.
    awaitTrue(() -> hub.queued(DeviceAddress.of("alice", 1)) == 0, "alice acknowledged the held envelope");
    assertThat(ra.sawText("new phone HELD-1")).isFalse();

    // Alice restarts before deciding: the envelope comes back from her store, not from the server.
    alice.close();
    clients.remove(alice);
    Recorder ra2 = new Recorder("alice-restarted");
    CipherTalkClient alice2 = onFile(file, ra2, 1);
    alice2.connect();
    ChatEvent.IdentityKeyChanged changed = ra2.await(ChatEvent.IdentityKeyChanged.class,
        e -> e.userId().equals("bob") && !e.newDevice());
    assertThat(ra2.sawText("new phone HELD-1")).isFalse();
    assertThat(alice2.trustIdentity("bob", changed.newSafetyNumber())).isTrue();
    ra2.awaitText("new phone HELD-1");
    alice2.close();
    clients.remove(alice2);

    // Processed once: a second restart neither shows it again nor asks again.
    Recorder ra3 = new Recorder("alice-again");
    CipherTalkClient alice3 = onFile(file, ra3, 1);
    alice3.connect();
    bobNew.room(room.id()).orElseThrow().send("after trust");
    ra3.awaitText("after trust");
    assertThat(ra3.sawText("new phone HELD-1")).isFalse();
    assertThat(ra3.all(ChatEvent.IdentityKeyChanged.class)).isEmpty();
  }

  @Test
  void aGroupMessageThatArrivesBeforeItsSenderKey_isAcknowledged_andSurvivesARestart(
      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("bob");
    Recorder ra = new Recorder("alice");
    CipherTalkClient alice = inMemory(ra);
    alice.register("alice", "pw-alice");
    alice.connect();
    Recorder rb = new Recorder("bob");
    CipherTalkClient bob = bobOnFile(file, rb);
    bob.register("bob", "pw-bob");
    bob.connect();
    Room group = alice.createGroup("g", Set.of("bob"));
    awaitTrue(() -> bob.room(group.id()).isPresent(), "bob sees the group");

    // Alice's sender key (pairwise) is late; her first group message is not.
    hub.deferPairwise = true;
    group.send("before the key KEYLESS-1");
    awaitTrue(() -> bob.engine().stats().pendingGroup() == 1, "bob holds the group message");
    // Held in Bob's store, the group message is acknowledged; only the late key is queued.
    awaitTrue(() -> hub.queued(DeviceAddress.of("bob", 1)) == 1, "bob acknowledged the group message");
    assertThat(rb.sawText("before the key KEYLESS-1")).isFalse();

    // Bob restarts before the key comes: the message comes back from his store.
    bob.close();
    clients.remove(bob);
    hub.deferPairwise = false;
    Recorder rb2 = new Recorder("bob-restarted");
    CipherTalkClient bob2 = bobOnFile(file, rb2);
    bob2.connect();
    rb2.awaitText("before the key KEYLESS-1");
    awaitTrue(() -> bob2.engine().stats().pendingGroup() == 0, "nothing left held");
    group.send("after the key");
    rb2.awaitText("after the key");
  }

  private CipherTalkClient onFile(Path file, Recorder r, int device) throws Exception {
    JdbiLocalStore store = JdbiLocalStore.builder().file(file).key(key).clock(clock).open();
    CipherTalkClient c = CipherTalkClient.builder().link(hub.link()).store(store).clock(clock)
        .scheduler(scheduler).deviceId(device).listener(r).prekeyBatch(5).build();
    clients.add(c);
    return c;
  }

  private CipherTalkClient inMemory(Recorder r) {
    CipherTalkClient c = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(r).prekeyBatch(5).build();
    clients.add(c);
    return c;
  }
}
