package io.ciphertalk.e2e;

import static io.ciphertalk.e2e.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.DeliveryKind;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.OneTimePreKey;
import io.ciphertalk.core.wire.PreKeyBundle;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.core.wire.WireException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.account.AccountKeyPair;
import io.ciphertalk.crypto.account.DeviceCertificate;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.SignedPreKey;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as the attacker (docs/threat-model.md): the real embedded server over real WebSockets,
 * with each client's connection passing through a {@link TamperingTransport} that rewrites what the
 * server sends, plus a raw device that holds a user's password. Two users with two linked devices
 * each: alice.1, alice.2, bob.1, bob.2.
 */
class HostileServerTest {
  private static final WireCodec CODEC = WireCodec.create();
  private final TestClock clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  private final TestScheduler scheduler = new TestScheduler(clock);
  private final List<CipherTalkClient> clients = new ArrayList<>();
  private final Map<String, TamperingTransport> transports = new ConcurrentHashMap<>();
  private final Map<String, List<String>> sentFrames = new ConcurrentHashMap<>();
  private final RandomSource random = RandomSource.secure();
  private CipherTalkServer server;
  private CipherTalkClient alice1;
  private CipherTalkClient alice2;
  private CipherTalkClient bob1;
  private CipherTalkClient bob2;
  private final Recorder ra1 = new Recorder("alice.1");
  private final Recorder ra2 = new Recorder("alice.2");
  private final Recorder rb1 = new Recorder("bob.1");
  private final Recorder rb2 = new Recorder("bob.2");

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    server = CipherTalkServer.builder().wsPort(0).httpPort(0).dataDirectory(dir).clock(clock)
        .passwordHashing(64, 1).rateLimit(10_000, 10_000).authTimeout(Duration.ofMinutes(10))
        .build().start();
    alice1 = client("alice.1", ra1, 1);
    alice1.register("alice", "password-alice");
    alice1.connect();
    bob1 = client("bob.1", rb1, 1);
    bob1.register("bob", "password-bob");
    bob1.connect();
    alice2 = client("alice.2", ra2, 2);
    alice2.login("alice", "password-alice");
    alice2.connect();
    Recorder.link(alice2, ra2, alice1);
    bob2 = client("bob.2", rb2, 2);
    bob2.login("bob", "password-bob");
    bob2.connect();
    Recorder.link(bob2, rb2, bob1);
  }

  @AfterEach
  void stop() {
    clients.forEach(CipherTalkClient::close);
    server.close();
  }

  private CipherTalkClient client(String name, Recorder r, int device) {
    URI ws = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
    List<String> sent = sentFrames.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>());
    CipherTalkClient c = CipherTalkClient.builder()
        .transport(() -> {
          TamperingTransport t = new TamperingTransport(WebSocketTransport.builder(ws)
              .backoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build(), sent);
          TamperingTransport old = transports.put(name, t);
          if (old != null) {
            t.tamper = old.tamper;
          }
          return t;
        }, URI.create("http://127.0.0.1:" + server.httpPort() + "/"))
        .clock(clock).scheduler(scheduler).deviceId(device).listener(r).prekeyBatch(20)
        .requestTimeout(Duration.ofSeconds(20)).build();
    clients.add(c);
    return c;
  }

  private void tamper(String name, UnaryOperator<Frame> f) {
    transports.get(name).tamper = json -> {
      try {
        Frame out = f.apply(CODEC.decode(json));
        return out == null ? null : CODEC.encodeToString(out);
      } catch (WireException e) {
        return json;
      }
    };
  }

  /** Every device address any honest client addressed a pairwise ciphertext to. */
  private List<String> addressed() throws WireException {
    List<String> out = new ArrayList<>();
    for (List<String> frames : sentFrames.values()) {
      for (String f : frames) {
        if (CODEC.decode(f) instanceof Frame.Send s) {
          s.recipients().forEach(r -> out.add(r.to().toString()));
        }
      }
    }
    return out;
  }

  /** A device's keys as an attacker (the server) would make them: real, but its own. */
  private record Forged(IdentityKeyPair identity, SignedPreKey spk) {
    PreKeyBundle bundle(DeviceAddress a, byte[] certificate) {
      return new PreKeyBundle(a, Bytes.of(identity.publicKey().serialize()),
          new io.ciphertalk.core.wire.SignedPreKey(spk.id(), Bytes.of(spk.publicKey().toByteArray()),
              Bytes.of(spk.signature())),
          new OneTimePreKey(77, Bytes.of(X25519.generate(RandomSource.secure()).publicKey().toByteArray())),
          null, null, certificate == null ? null : Bytes.of(certificate));
    }
  }

  private Forged forge() {
    IdentityKeyPair id = IdentityKeyPair.generate(random);
    return new Forged(id, SignedPreKey.generate(id, 5, random));
  }

  private String token(String user, String password) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + "/api/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("token").asText();
  }

  /** A device run by the attacker directly on the socket. */
  private static final class RawDevice extends WebSocketClient {
    final LinkedBlockingQueue<Frame> in = new LinkedBlockingQueue<>();
    final List<Frame> delivered = new CopyOnWriteArrayList<>();
    private int ids;

    RawDevice(URI uri) {
      super(uri);
    }

    @Override
    public void onOpen(ServerHandshake h) {}

    @Override
    public void onMessage(String message) {
      try {
        Frame f = CODEC.decode(message);
        if (f instanceof Frame.Deliver || f instanceof Frame.LinkDeliver) {
          delivered.add(f);
        }
        in.add(f);
      } catch (WireException e) {
        // ignored
      }
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {}

    @Override
    public void onError(Exception ex) {}

    Frame call(java.util.function.Function<String, Frame> build) throws InterruptedException {
      String id = "raw" + (++ids);
      send(CODEC.encodeToString(build.apply(id)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        Frame f = in.poll(100, TimeUnit.MILLISECONDS);
        if (f != null && id.equals(f.id())) {
          return f;
        }
      }
      throw new AssertionError("no answer to " + id);
    }
  }

  private RawDevice rawDevice(String token, int device) throws Exception {
    RawDevice d = new RawDevice(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"));
    assertThat(d.connectBlocking(5, TimeUnit.SECONDS)).isTrue();
    assertThat(d.call(id -> new Frame.Hello(id, token, device, "attacker"))).isInstanceOf(Frame.Welcome.class);
    return d;
  }

  private static Frame.PreKeysPublish publish(String id, Forged f, byte[] certificate) {
    return new Frame.PreKeysPublish(id, Bytes.of(f.identity().publicKey().serialize()),
        new io.ciphertalk.core.wire.SignedPreKey(f.spk().id(), Bytes.of(f.spk().publicKey().toByteArray()),
            Bytes.of(f.spk().signature())),
        List.of(new OneTimePreKey(9, Bytes.of(X25519.generate(RandomSource.secure()).publicKey().toByteArray()))),
        null, null, certificate == null ? null : Bytes.of(certificate));
  }

  @Test
  void serverAddsADeviceToAlicesAccount_nobodyEncryptsToIt_andEveryoneIsTold() throws Exception {
    // The server (or anyone with alice's password or token) brings up alice.7 and publishes keys.
    RawDevice intruder = rawDevice(token("alice", "password-alice"), 7);
    Forged keys = forge();
    AccountKeyPair serversOwn = AccountKeyPair.generate(random);
    byte[] forgedCert = DeviceCertificate.issue(serversOwn, DeviceAddress.of("alice", 7),
        keys.identity().publicKey(), clock.instant()).serialize();
    // An honest server refuses a certificate from another account key than alice's devices have...
    Frame refused = intruder.call(id -> publish(id, keys, forgedCert));
    assertThat(refused).isInstanceOfSatisfying(Frame.ErrorReply.class,
        e -> assertThat(e.message()).contains("another account key"));
    // ...but cannot refuse a device without one. (Serving the forged certificate instead is an
    // account-key change, which holds messages: serverSwapsAlicesAccountKeyAfterFirstContact.)
    assertThat(intruder.call(id -> publish(id, keys, null))).isInstanceOf(Frame.Ok.class);

    Room room = bob1.privateRoom("alice");
    room.send("for alice's real devices");
    ra1.awaitText("for alice's real devices");
    ra2.awaitText("for alice's real devices");
    alice1.room(room.id()).orElseThrow().send("a reply");
    rb1.awaitText("a reply");
    rb2.awaitText("a reply");
    alice2.room(room.id()).orElseThrow().send("from alice's phone");
    rb1.awaitText("from alice's phone");

    assertThat(addressed()).contains("alice.1", "alice.2", "bob.1", "bob.2").doesNotContain("alice.7");
    assertThat(intruder.delivered).isEmpty();
    rb1.await(ChatEvent.DeviceRejected.class, e -> e.userId().equals("alice") && e.deviceId() == 7);
    ra1.await(ChatEvent.DeviceRejected.class, e -> e.userId().equals("alice") && e.deviceId() == 7);
    ra2.await(ChatEvent.DeviceRejected.class, e -> e.userId().equals("alice") && e.deviceId() == 7);
    assertThat(alice1.ownDevices()).containsExactly(1, 2);
    intruder.close();
  }

  @Test
  void serverRelabelsAnInitialMessagesSender_itIsRejected_andNothingIsShownAsFromAnyone()
      throws Exception {
    Recorder rc = new Recorder("carol.1");
    CipherTalkClient carol = client("carol.1", rc, 1);
    carol.register("carol", "password-carol");
    carol.connect();
    carol.privateRoom("bob").send("carol says hi");
    rb1.awaitText("carol says hi");
    // The server delivers alice.1's first (initial) message to bob.1 as if carol.1 had sent it.
    AtomicBoolean relabelled = new AtomicBoolean();
    tamper("bob.1", f -> {
      if (f instanceof Frame.Deliver d && d.delivery().kind() == DeliveryKind.DIRECT
          && d.delivery().sender().equals(DeviceAddress.of("alice", 1))
          && relabelled.compareAndSet(false, true)) {
        Delivery x = d.delivery();
        return new Frame.Deliver(d.id(), new Delivery(x.stream(), x.seq(), x.kind(), x.messageId(),
            x.room(), DeviceAddress.of("carol", 1), x.sentAt(), x.expiresAt(), x.ciphertext()));
      }
      return f;
    });
    Room room = alice1.privateRoom("bob");
    room.send("relabel me");
    awaitTrue(relabelled::get, "the server relabelled the initial message");
    room.send("second message, honestly labelled");
    rb1.awaitText("second message, honestly labelled");
    rb2.awaitText("relabel me"); // bob's other device got the honest copy
    assertThat(rb1.sawText("relabel me")).isFalse();
    assertThat(rb1.all(ChatEvent.MessageReceived.class,
        e -> e.message().senderUserId().equals("carol") && !e.message().text().equals("carol says hi")))
        .isEmpty();
    // carol's own device stays usable: the relabelling did not get it rejected.
    assertThat(rb1.all(ChatEvent.DeviceRejected.class, e -> e.userId().equals("carol"))).isEmpty();
  }

  @Test
  void serverSwapsAlicesAccountKeyAfterFirstContact_messagesAreHeld_andTheUserIsTold()
      throws Exception {
    Room room = bob1.privateRoom("alice");
    room.send("first contact");
    ra1.awaitText("first contact");
    String realNumber = bob1.safetyNumber("alice");

    // Later the server presents a new alice device under an account key of its own making, and
    // tells bob his send missed it (the server decides what STALE_DEVICES says).
    Forged keys = forge();
    AccountKeyPair swapped = AccountKeyPair.generate(random);
    DeviceAddress fake = DeviceAddress.of("alice", 9);
    byte[] cert = DeviceCertificate.issue(swapped, fake, keys.identity().publicKey(), clock.instant())
        .serialize();
    AtomicBoolean staled = new AtomicBoolean();
    tamper("bob.1", f -> {
      if (f instanceof Frame.Sent s && staled.compareAndSet(false, true)) {
        return Frame.ErrorReply.staleDevices(s.id(), List.of(fake), List.of());
      }
      if (f instanceof Frame.BundlesReply b && b.user().equals("alice")) {
        List<PreKeyBundle> out = new ArrayList<>(b.bundles());
        out.removeIf(x -> x.device().equals(fake));
        out.add(keys.bundle(fake, cert));
        return new Frame.BundlesReply(b.id(), b.user(), out);
      }
      return f;
    });
    room.send("after the swap");
    ChatEvent.IdentityKeyChanged changed = rb1.await(ChatEvent.IdentityKeyChanged.class,
        e -> e.userId().equals("alice"));
    assertThat(changed.newSafetyNumber()).hasSize(60).isNotEqualTo(realNumber);
    room.send("held while bob decides");
    // bob's safety number with alice is still the real one, and the swapped key is not trusted
    // by the number bob had verified before (trust takes exactly the number shown).
    assertThat(bob1.safetyNumber("alice")).isEqualTo(realNumber);
    assertThat(bob1.trustIdentity("alice", realNumber)).isFalse();
    // Nothing bob wrote after the swap reaches anyone, and nothing went to the fake device.
    bob2.room(room.id()).orElseThrow().send("bob.2 is unaffected");
    ra1.awaitText("bob.2 is unaffected");
    assertThat(ra1.sawText("held while bob decides")).isFalse();
    assertThat(addressed()).doesNotContain("alice.9");
  }

  @Test
  void twoUsersWithTwoDevicesEach_seeTheSameSafetyNumber_onAllFourDevices() throws Exception {
    Room room = alice1.privateRoom("bob");
    room.send("hello bob");
    rb1.awaitText("hello bob");
    rb2.awaitText("hello bob");
    bob1.room(room.id()).orElseThrow().send("hello alice");
    ra1.awaitText("hello alice");
    ra2.awaitText("hello alice");
    String n = alice1.safetyNumber("bob");
    assertThat(n).hasSize(60).containsOnlyDigits();
    assertThat(List.of(alice2.safetyNumber("bob"), bob1.safetyNumber("alice"),
        bob2.safetyNumber("alice"))).containsOnly(n);
    assertThat(List.of(alice2.safetyNumberPayload("bob"), bob1.safetyNumberPayload("alice"),
        bob2.safetyNumberPayload("alice"))).containsOnly(alice1.safetyNumberPayload("bob"));
  }

  @Test
  void linking_worksOnlyWithTheCodeShown_once_andWaitsForTheOldDeviceToComeBack() throws Exception {
    Recorder ra3 = new Recorder("alice.3");
    CipherTalkClient alice3 = client("alice.3", ra3, 3);
    alice3.login("alice", "password-alice");
    alice3.connect();
    ra3.await(ChatEvent.LinkingRequired.class, e -> true);
    // The old device is offline while the new one shows its code; it approves when it is back.
    alice1.disconnect();
    String shown = alice3.startLinking().text();
    alice1.connect();
    // A mistyped code fails before anything is sent.
    String typo = shown.substring(0, 5) + (shown.charAt(5) == 'A' ? 'B' : 'A') + shown.substring(6);
    assertThatThrownBy(() -> alice1.approveLink(typo)).isInstanceOf(RequestFailedException.class)
        .hasMessageContaining("mistyped");
    // A code from another linking attempt (not the one on the screen) does not link this device.
    String other = io.ciphertalk.crypto.account.LinkingRequest.create(3, random).code().text();
    alice1.approveLink(other);
    String confirm = alice1.approveLink(shown);
    ChatEvent.LinkCompleted done = ra3.await(ChatEvent.LinkCompleted.class, e -> true);
    assertThat(done.confirmationCode()).isEqualTo(confirm);
    assertThat(ra3.all(ChatEvent.LinkCompleted.class, e -> true)).hasSize(1);
    // Replaying the code: the device is now certified, so it is refused with a clear error.
    assertThatThrownBy(() -> alice1.approveLink(shown)).isInstanceOf(RequestFailedException.class)
        .hasMessageContaining("already has a certificate");
    // Every own device and every contact learns of it; the safety number does not change.
    Room room = alice1.privateRoom("bob");
    room.send("from alice.1");
    ra3.awaitText("from alice.1");
    ra1.await(ChatEvent.DeviceLinked.class, e -> e.userId().equals("alice") && e.deviceId() == 3);
    bob1.room(room.id()).orElseThrow().send("to all three");
    ra3.awaitText("to all three");
    rb1.await(ChatEvent.DeviceLinked.class, e -> e.userId().equals("alice") && e.deviceId() == 3);
    assertThat(alice3.safetyNumber("bob")).isEqualTo(alice1.safetyNumber("bob"))
        .isEqualTo(bob1.safetyNumber("alice"));
  }

  @Test
  void revokedDevice_keepingAllItsState_getsNothingNew_oneToOneOrGroup() throws Exception {
    Room group = alice1.createGroup("team", java.util.Set.of("bob"));
    awaitTrue(() -> bob1.room(group.id()).isPresent() && alice2.room(group.id()).isPresent(),
        "group known everywhere");
    bob1.room(group.id()).orElseThrow().send("group before");
    ra2.awaitText("group before");
    Room pair = bob1.privateRoom("alice");
    pair.send("pairwise before");
    ra2.awaitText("pairwise before");

    // alice's phone is lost (the thief keeps every byte of its state); her first device revokes it.
    List<String> groupDeliveries = new CopyOnWriteArrayList<>();
    transports.get("alice.1").tamper = json -> {
      if (json.contains("\"deliver\"") && json.contains("\"GROUP\"")) {
        groupDeliveries.add(json);
      }
      return json;
    };
    int sentBefore = sentFrames.get("bob.1").size();
    alice1.revokeDevice(2);
    assertThat(alice1.ownDevices()).containsExactly(1);
    // The server refuses the revoked device from now on.
    String stolenToken = token("alice", "password-alice");
    RawDevice thief = new RawDevice(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"));
    assertThat(thief.connectBlocking(5, TimeUnit.SECONDS)).isTrue();
    assertThat(thief.call(id -> new Frame.Hello(id, stolenToken, 2, "thief")))
        .isInstanceOf(Frame.ErrorReply.class);

    bob1.room(group.id()).orElseThrow().send("group after");
    ra1.awaitText("group after");
    pair.send("pairwise after");
    ra1.awaitText("pairwise after");
    alice1.room(pair.id()).orElseThrow().send("alice after");
    rb1.awaitText("alice after");

    // Nobody encrypted anything to alice.2 after the revocation...
    List<String> bobSent = List.copyOf(sentFrames.get("bob.1")); // one snapshot: the list is still growing
    List<String> after = new ArrayList<>(bobSent.subList(sentBefore, bobSent.size()));
    for (String f : after) {
      if (CODEC.decode(f) instanceof Frame.Send x) {
        assertThat(x.recipients()).noneMatch(r -> r.to().equals(DeviceAddress.of("alice", 2)));
      }
    }
    // ...and bob's group moved to a new sender key: handed the new ciphertext directly, the
    // revoked device, with all its old keys, reads nothing.
    String afterFrame = groupDeliveries.get(groupDeliveries.size() - 1);
    transports.get("alice.2").inject(afterFrame);
    ra1.awaitText("group after");
    assertThat(ra2.sawText("group after")).isFalse();
    assertThat(ra2.sawText("pairwise after")).isFalse();
    assertThat(ra2.sawText("alice after")).isFalse();
    thief.close();
  }

  /**
   * The revoked device itself is told: the server closes it (4011) and refuses its hello with
   * FORBIDDEN from then on; the client ends the session once (`SessionEnded`) and stops
   * reconnecting, instead of retrying for ever while showing "disconnected".
   */
  @Test
  void revokedDevice_isToldItsSessionEnded_once_andStopsReconnecting() throws Exception {
    alice1.revokeDevice(2);
    awaitTrue(() -> {
      scheduler.advance(Duration.ofSeconds(5));
      return !ra2.all(ChatEvent.SessionEnded.class).isEmpty();
    }, "alice.2 is told its session ended");
    assertThat(ra2.all(ChatEvent.SessionEnded.class)).singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("revoked"));
    for (int i = 0; i < 12; i++) {
      scheduler.advance(Duration.ofSeconds(30)); // well past any reconnect backoff
    }
    assertThat(alice2.connectionState()).isEqualTo(io.ciphertalk.client.ConnectionState.DISCONNECTED);
    assertThat(ra2.all(ChatEvent.SessionEnded.class)).as("told once").hasSize(1);
  }

  @Test
  void loggedOutDevice_revokesItself_andIsSentNothingNew() throws Exception {
    Room pair = bob1.privateRoom("alice");
    pair.send("before logout");
    ra2.awaitText("before logout");
    int sentBefore = sentFrames.get("bob.1").size();

    alice2.logout();

    // The self-revocation is signed with the account key: alice's other device and bob accept it.
    awaitTrue(() -> ownDevices(alice1).equals(List.of(1)), "alice.1 sees alice.2 gone");
    pair.send("after logout");
    ra1.awaitText("after logout");
    alice1.room(pair.id()).orElseThrow().send("alice after logout");
    rb1.awaitText("alice after logout");
    List<String> bobSent = List.copyOf(sentFrames.get("bob.1")); // one snapshot: the list is still growing
    List<String> after = new ArrayList<>(bobSent.subList(sentBefore, bobSent.size()));
    int sends = 0;
    for (String f : after) {
      if (CODEC.decode(f) instanceof Frame.Send x) {
        sends++;
        assertThat(x.recipients()).noneMatch(r -> r.to().equals(DeviceAddress.of("alice", 2)));
      }
    }
    assertThat(sends).isPositive();
    // The server refuses the logged-out device id from now on, even with a valid token.
    String token = token("alice", "password-alice");
    RawDevice again = new RawDevice(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"));
    assertThat(again.connectBlocking(5, TimeUnit.SECONDS)).isTrue();
    assertThat(again.call(id -> new Frame.Hello(id, token, 2, "again"))).isInstanceOf(Frame.ErrorReply.class);
    again.close();
  }

  private static List<Integer> ownDevices(CipherTalkClient c) {
    try {
      return c.ownDevices();
    } catch (CipherTalkException e) {
      return List.of();
    }
  }
}
