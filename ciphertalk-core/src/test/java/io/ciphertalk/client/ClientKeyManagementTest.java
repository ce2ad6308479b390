package io.ciphertalk.client;

import static io.ciphertalk.client.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.internal.ManualClock;
import io.ciphertalk.client.internal.ManualScheduler;
import io.ciphertalk.client.internal.ServerLink;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Key management, dedupe and misuse handling of the client against the fake server. */
class ClientKeyManagementTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-02-01T08:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeHub hub = new FakeHub(clock);
  private final List<CipherTalkClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(CipherTalkClient::close);
  }

  private CipherTalkClient connected(String user, Recorder r) throws Exception {
    CipherTalkClient c = CipherTalkClient.builder().link(hub.link())
        .clock(clock).scheduler(scheduler).listener(r).prekeyBatch(5).build();
    clients.add(c);
    c.register(user, "pw-" + user);
    c.connect();
    return c;
  }

  private static final class NoInbound implements ServerLink.Inbound {
    @Override
    public void onEnvelope(DeviceAddress from, MessageId id, byte[] c, Instant e, Runnable a) {}

    @Override
    public void onGroupMessage(String r, DeviceAddress f, MessageId id, byte[] c, Instant e,
        Runnable a) {}

    @Override
    public void onPresence(Presence p) {}

    @Override
    public void onMembership(String r, String u, ChatEvent.MembershipChange c,
        Optional<io.ciphertalk.core.model.Role> role, Optional<ServerLink.RoomInfo> room) {}

    @Override
    public void onPrekeysLow(int remaining) {}

    @Override
    public void onDisconnected(String reason) {}
  }

  @Test
  void prekeysLowNotice_makesTheDevicePublishMoreOneTimePrekeys() throws Exception {
    connected("bob", new Recorder("bob"));
    ServerLink mallory = hub.link();
    String token = mallory.register("mallory", "pw");
    mallory.connect(DeviceAddress.of("mallory", 1), token, new NoInbound());
    DeviceAddress bob = DeviceAddress.of("bob", 1);
    assertThat(hub.oneTimePrekeysLeft(bob)).isEqualTo(5);
    for (int i = 0; i < 3; i++) {
      assertThat(mallory.fetchBundle(bob).oneTimePrekey()).isNotNull();
    }
    awaitTrue(() -> hub.oneTimePrekeysLeft(bob) == 7, "refilled to 2 + 5");
  }

  @Test
  void signedPrekey_isRotatedOnSchedule() throws Exception {
    connected("bob", new Recorder("bob"));
    DeviceAddress bob = DeviceAddress.of("bob", 1);
    byte[] before = hub.bundleOf(bob);
    scheduler.advance(Duration.ofDays(6));
    assertThat(hub.bundleOf(bob)).isEqualTo(before);
    scheduler.advance(Duration.ofDays(1).plusSeconds(1));
    awaitTrue(() -> !Arrays.equals(hub.bundleOf(bob), before), "signed prekey rotated");
  }

  @Test
  void replacedSignedAndKemPrekeys_areKeptForTheGracePeriod_thenDeleted() throws Exception {
    io.ciphertalk.core.store.memory.InMemoryLocalStore store =
        io.ciphertalk.core.store.memory.InMemoryLocalStore.create(clock);
    CipherTalkClient bob = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).store(store).listener(new Recorder("bob")).prekeyBatch(2).build();
    clients.add(bob);
    bob.register("bob", "pw");
    bob.connect();
    var keys = store.preKeys();
    List<Integer> first = keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.SIGNED);
    List<Integer> firstKem = keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.KEM);
    assertThat(first).hasSize(1);
    assertThat(firstKem).hasSize(1);

    // Rotations every 7 days: the first keys are replaced on day 7 and still held on day 35
    // (28 days later), deleted by the rotation on day 42 (35 days after replacement).
    for (int day = 7; day <= 35; day += 7) {
      scheduler.advance(Duration.ofDays(7).plusSeconds(1));
      int expected = Math.min(day / 7 + 1, 6);
      awaitTrue(() -> keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.SIGNED).size() == expected,
          "rotation on day " + day);
      bob.engine().awaitEngine(); // the rotation task has finished and armed the next one
    }
    assertThat(keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.SIGNED)).containsAll(first);
    assertThat(keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.KEM)).containsAll(firstKem);
    scheduler.advance(Duration.ofDays(7).plusSeconds(1));
    awaitTrue(() -> !keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.SIGNED).contains(first.get(0)),
        "the first signed prekey deleted after its grace");
    // the same rotation task deletes the KEM prekey right after the signed one
    awaitTrue(() -> !keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.KEM).contains(firstKem.get(0)),
        "the first KEM prekey deleted after its grace");
    bob.engine().awaitEngine();
    // The keys of days 7 to 35 (the one of day 7 replaced on day 14, 28 days ago) and the current.
    assertThat(keys.preKeyIds(io.ciphertalk.core.store.PreKeyType.SIGNED)).hasSize(6);
    assertThatThrownBy(() -> CipherTalkClient.builder().prekeyGracePeriod(Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void redeliveredMessages_areShownOnce() throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = connected("alice", ra);
    connected("bob", rb);
    hub.duplicateDeliveries = true;
    Room room = alice.privateRoom("bob");
    for (int i = 0; i < 5; i++) {
      room.send("m" + i);
    }
    rb.awaitText("m4");
    Room group = alice.createGroup("g", Set.of("bob"));
    group.send("g0");
    rb.awaitText("g0");
    assertThat(rb.all(ChatEvent.MessageReceived.class)).hasSize(6);
    ra.await(ChatEvent.ReceiptReceived.class, e -> e.kind() == ReceiptKind.DELIVERED);
  }

  @ParameterizedTest
  @EnumSource(KeyExchange.class)
  void everyKeyExchangeSuite_establishesSessionsBothWays(KeyExchange suite) throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(ra).prekeyBatch(2).keyExchange(suite).build();
    CipherTalkClient bob = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(rb).prekeyBatch(2).keyExchange(suite).build();
    clients.add(alice);
    clients.add(bob);
    alice.register("alice", "pw");
    bob.register("bob", "pw");
    alice.connect();
    bob.connect();
    Room room = alice.privateRoom("bob");
    room.send("hello over " + suite);
    rb.awaitText("hello over " + suite);
    bob.room(room.id()).orElseThrow().send("and back");
    ra.awaitText("and back");
    assertThat(alice.safetyNumber("bob")).isEqualTo(bob.safetyNumber("alice"));
  }

  @Test
  void pqRequiringClient_refusesAnX3dhSession_butTalksPqxdh_whichIsTheDefault() throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    Recorder rc = new Recorder("carol");
    CipherTalkClient alice = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(ra).prekeyBatch(2).keyExchange(KeyExchange.X3DH).build();
    CipherTalkClient bob = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(rb).prekeyBatch(2).requirePostQuantum(true).build();
    CipherTalkClient carol = CipherTalkClient.builder().link(hub.link()).clock(clock)
        .scheduler(scheduler).listener(rc).prekeyBatch(2).build(); // default suite
    clients.addAll(List.of(alice, bob, carol));
    for (CipherTalkClient c : List.of(alice, bob, carol)) {
      c.register(c == alice ? "alice" : c == bob ? "bob" : "carol", "pw");
      c.connect();
    }
    alice.privateRoom("bob").send("classical hello");
    awaitTrue(() -> bob.engine().stats().undecryptable() == 1, "bob refused the X3DH handshake");
    assertThat(rb.sawText("classical hello")).isFalse();
    carol.privateRoom("bob").send("hybrid hello");
    rb.awaitText("hybrid hello");
    assertThatThrownBy(() -> CipherTalkClient.builder().link(hub.link())
        .keyExchange(KeyExchange.X3DH).requirePostQuantum(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("PQXDH");
  }

  @Test
  void misuse_isRefusedWithClearErrors() throws Exception {
    CipherTalkClient alice = connected("alice", new Recorder("alice"));
    connected("bob", new Recorder("bob"));
    Room room = alice.privateRoom("bob");
    assertThatThrownBy(() -> room.send(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> room.send("x".repeat(20_000)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> room.history(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SendOptions.builder().expiresAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> alice.privateRoom("alice"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> alice.privateRoom("no spaces allowed"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CipherTalkClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
    alice.close();
    assertThatThrownBy(() -> room.send("after close")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void lostConnection_isRetriedWithExponentialBackoff_untilTheServerIsBack() throws Exception {
    CipherTalkClient bob = connected("bob", new Recorder("bob"));
    hub.refuseConnections = true;
    hub.connectAttempts.set(0);
    hub.dropConnection(DeviceAddress.of("bob", 1));
    awaitTrue(() -> bob.connectionState() == ConnectionState.DISCONNECTED, "dropped");
    // Delays: 1 s, 2 s, 4 s, ... each plus up to 25% jitter.
    int[] expected = {1, 1, 2, 2, 3};
    double[] at = {1.3, 2.9, 3.8, 6.9, 8.8};
    double now = 0;
    for (int i = 0; i < at.length; i++) {
      scheduler.advance(Duration.ofMillis(Math.round((at[i] - now) * 1000)));
      now = at[i];
      bob.engine().awaitEngine();
      int want = expected[i];
      awaitTrue(() -> hub.connectAttempts.get() >= want, "attempt " + want);
      bob.engine().awaitEngine();
      assertThat(hub.connectAttempts.get()).as("attempts at %s s", at[i]).isEqualTo(want);
    }
    assertThat(bob.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    hub.refuseConnections = false;
    scheduler.advance(Duration.ofSeconds(10));
    awaitTrue(() -> bob.connectionState() == ConnectionState.CONNECTED, "reconnected");
  }

  @Test
  void listenerThatThrows_doesNotStopDeliveryToTheApp() throws Exception {
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = connected("alice", new Recorder("alice"));
    CipherTalkClient bob = connected("bob", rb);
    bob.addListener(ChatListener.forEvery(e -> {
      throw new IllegalStateException("buggy app listener");
    }));
    Room room = alice.privateRoom("bob");
    room.send("one");
    room.send("two");
    rb.awaitText("two");
    assertThat(rb.sawText("one")).isTrue();
  }

  @Test
  void wrongPassword_isAnAuthenticationError() throws Exception {
    connected("bob", new Recorder("bob"));
    CipherTalkClient other = CipherTalkClient.builder().link(hub.link()).clock(clock).scheduler(scheduler).build();
    clients.add(other);
    assertThatThrownBy(() -> other.login("bob", "wrong")).isInstanceOf(
        AuthenticationException.class);
    assertThatThrownBy(other::connect).isInstanceOf(IllegalStateException.class);
  }
}
