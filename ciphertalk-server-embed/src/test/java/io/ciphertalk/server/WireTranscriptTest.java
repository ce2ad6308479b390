package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.PrivateRoomId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.DeliveryKind;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.NoticeKind;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.core.wire.RoomChange;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.account.AccountKeyPair;
import io.ciphertalk.crypto.account.DeviceCertificate;
import io.ciphertalk.crypto.group.DecryptedGroupMessage;
import io.ciphertalk.crypto.group.DistributionResult;
import io.ciphertalk.crypto.group.GroupMessage;
import io.ciphertalk.crypto.group.GroupSession;
import io.ciphertalk.crypto.group.SenderKeyDistributionMessage;
import io.ciphertalk.crypto.session.DecryptedMessage;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKey;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.InMemoryIdentityTrust;
import io.ciphertalk.crypto.session.InMemoryPreKeySource;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.KemPreKey;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Generates docs/wire-transcript.md: a complete session of two minimal clients, written with the
 * crypto library and the wire codec only (no SDK), against a real server over real sockets:
 * register, log in, connect, publish keys with a device certificate, fetch a bundle, the first 1:1
 * message (PQXDH), a reply, a group with its sender key, and a group message. Every request and
 * every frame is recorded byte for byte as it went over the wire. Clients and server draw their
 * randomness from fixed seeds and read one fixed clock, so the transcript is the same on every run
 * and the test fails when the committed file differs: the doc cannot drift from the server.
 *
 * <p>Each receiving step also decrypts what it received with the keys of the recipient, so the
 * transcript is known to be a working exchange, not just well-formed frames. Regenerate after an
 * intentional change: {@code ./mvnw -B -q -pl ciphertalk-server-embed -am test
 * -Dtest=WireTranscriptTest -Dsurefire.failIfNoSpecifiedTests=false -Dciphertalk.regenerateDocs=true}.
 */
class WireTranscriptTest {
  static final Path FILE = Path.of("..", "docs", "wire-transcript.md");
  private static final WireCodec CODEC = WireCodec.create();
  private static final Instant NOW = Instant.parse("2025-12-02T10:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private CipherTalkServer server;
  private final List<TapClient> clients = new ArrayList<>();
  private final StringBuilder out = new StringBuilder();

  @AfterEach
  void stop() {
    clients.forEach(TapClient::close);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void wireTranscript_isGeneratedFromARealSession_andMatchesTheDocs() throws Exception {
    String generated = generate();
    if (Boolean.getBoolean("ciphertalk.regenerateDocs")) {
      Files.writeString(FILE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(FILE)).as(FILE + " exists (regenerate: see this test's Javadoc)").isTrue();
    assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
        .as("docs/wire-transcript.md is what the server and the clients say today (regenerate with "
            + "-Dciphertalk.regenerateDocs=true after an intentional change)")
        .isEqualTo(generated);
  }

  // ------------------------------------------------------------------ the session

  private String generate() throws Exception {
    server = TestServers.builder().clock(new MutableClock(NOW))
        .random(RandomSource.deterministicForTesting("transcript-server".getBytes(StandardCharsets.UTF_8)))
        .build().start();
    header();

    section("1. Register and log in (REST)", """
        Both users register, then log in. The token is what `hello` presents; it is sent as
        `Authorization: Bearer TOKEN` on the other REST calls. Passwords travel only to the server's
        REST listener (use HTTPS in production) and are stored as Argon2id hashes.""");
    rest("POST", "/api/register", "{\"username\":\"alice\",\"password\":\"correct horse battery\"}", 201);
    String aliceToken = CODEC_JSON.readTree(rest("POST", "/api/login",
        "{\"username\":\"alice\",\"password\":\"correct horse battery\"}", 200)).get("token").asText();
    rest("POST", "/api/register", "{\"username\":\"bob\",\"password\":\"battery staple horse\"}", 201);
    String bobToken = CODEC_JSON.readTree(rest("POST", "/api/login",
        "{\"username\":\"bob\",\"password\":\"battery staple horse\"}", 200)).get("token").asText();

    Device alice = new Device("alice", 1);
    Device bob = new Device("bob", 1);

    section("2. Connect and authenticate (WebSocket)", """
        Each device opens `ws://HOST:WSPORT/ws` and sends `hello` with its token and its device
        id. The device id is chosen by the client: 1 for an account's first device; a new device
        picks an id no device of the account has had. The server answers `welcome`, then tells a
        device with fewer than 10 one-time prekeys (here: none yet) with a `PREKEYS_LOW` notice.""");
    alice.connect(aliceToken);
    bob.connect(bobToken);

    section("3. Publish keys", """
        Each device publishes its identity key, a signed X25519 prekey, a signed ML-KEM-768 prekey,
        one-time prekeys and the device certificate its account key signed (the account's first
        device creates the account key). Every binary field is unpadded base64url of the byte
        encoding defined in protocol.md (see "JSON and binary encodings" under Wire). Two one-time
        prekeys keep this transcript short; a client publishes 100 and refills on `PREKEYS_LOW`.""");
    alice.publish();
    bob.publish();

    section("4. Open the private room", """
        The private room of two users has one canonical id (`p-alice-bob`, protocol.md "Private
        room ids"); the server makes it and tells bob with a `room_event`.""");
    String privateRoom = PrivateRoomId.of("alice", "bob");
    Frame.RoomReply created = (Frame.RoomReply) alice.call(
        id -> new Frame.RoomCreate(id, RoomKind.PRIVATE, null, null, List.of("bob"), null));
    assertThat(created.room().roomId()).isEqualTo(privateRoom);
    alice.awaitPush(f -> f instanceof Frame.RoomEvent e && e.change() == RoomChange.CREATED);
    bob.awaitPush(f -> f instanceof Frame.RoomEvent e && e.change() == RoomChange.CREATED);

    section("5. Fetch bob's bundle and send the first 1:1 message (PQXDH)", """
        alice fetches the bundles of all of bob's devices (each takes one of that device's one-time
        prekeys; bob is told he is running low), checks each device certificate against bob's
        account key (pinned on first use), builds the crypto bundle from the JSON fields, runs
        PQXDH and encrypts the content below. The `send` addresses every device of bob (and would
        address alice's other devices, if she had any). The ciphertext is an initial message
        (type 1: identity key, base key, prekey ids, ML-KEM ciphertext, then the ratchet header
        and the AES-GCM ciphertext).""");
    Frame.BundlesReply bundles = (Frame.BundlesReply) alice.call(id -> new Frame.BundleFetch(id, "bob", null));
    bob.awaitPush(f -> f instanceof Frame.Notice n && n.kind() == NoticeKind.PREKEYS_LOW);
    assertThat(bundles.bundles()).hasSize(1);
    io.ciphertalk.core.wire.PreKeyBundle bobBundle = bundles.bundles().get(0);
    alice.startSession(bobBundle);
    MessageId hello = messageId(1);
    alice.sendPairwise(bob.address, privateRoom, hello,
        content("TEXT", privateRoom, hello).put("b", "Hello Bob!"));

    section("6. bob receives it, checks the sender and acknowledges", """
        bob gets a `deliver` on his `device` stream. Before accepting an initial message he reads
        the sender's certificate: `bundle_fetch` with `withOneTimePreKey: false` lists alice's
        devices and certificates without using up any of her one-time prekeys. The certificate
        must be signed by alice's account key (pinned on first use) and name the identity key the
        initial message carries. bob then completes PQXDH, decrypts, and acknowledges the stream
        up to that `seq` once he has stored the message.""");
    Frame.Deliver first = bob.awaitDeliver(DeliveryKind.DIRECT);
    Frame.BundlesReply aliceDevices = (Frame.BundlesReply) bob.call(
        id -> new Frame.BundleFetch(id, "alice", null, false));
    JsonNode got = bob.receivePairwise(first.delivery(), aliceDevices);
    assertThat(got.get("b").asText()).isEqualTo("Hello Bob!");
    assertThat(bob.call(id -> new Frame.Ack(id, Delivery.DEVICE_STREAM, first.delivery().seq())))
        .isInstanceOf(Frame.Ok.class);

    section("7. bob replies", """
        A ratchet message (type 2) on the session bob just accepted. alice decrypts it, which ends
        her pending handshake: from now on she sends ratchet messages too.""");
    MessageId reply = messageId(2);
    bob.sendPairwise(alice.address, privateRoom, reply,
        content("TEXT", privateRoom, reply).put("b", "Hi Alice!").put("re", hello.toString()));
    Frame.Deliver second = alice.awaitDeliver(DeliveryKind.DIRECT);
    assertThat(alice.receivePairwise(second.delivery(), null).get("b").asText()).isEqualTo("Hi Alice!");
    alice.call(id -> new Frame.Ack(id, Delivery.DEVICE_STREAM, second.delivery().seq()));

    section("8. A group and its sender key", """
        alice creates a group room (the server picks its id). Before her first group message she
        starts a Sender Keys epoch and sends her sender-key distribution message to every member
        device, inside the pairwise session, as a `SENDER_KEY` content in an ordinary `send`
        (this is what the Java SDK does; the `sender_key` frame, delivered with kind `SENDER_KEY`,
        carries the same pairwise ciphertext and clients treat both alike).""");
    Frame.RoomReply group = (Frame.RoomReply) alice.call(
        id -> new Frame.RoomCreate(id, RoomKind.GROUP, "Team", null, List.of("bob"), null));
    String groupRoom = group.room().roomId();
    alice.awaitPush(f -> f instanceof Frame.RoomEvent e && e.change() == RoomChange.CREATED);
    bob.awaitPush(f -> f instanceof Frame.RoomEvent e && e.change() == RoomChange.CREATED);
    Set<DeviceAddress> members = Set.of(alice.address, bob.address);
    SenderKeyDistributionMessage skdm = alice.groups.startEpoch(groupRoom, 0, members);
    bob.groups.startEpoch(groupRoom, 0, members);
    MessageId keyMessage = messageId(3);
    alice.sendPairwise(bob.address, groupRoom, keyMessage,
        content("SENDER_KEY", groupRoom, keyMessage).put("km", Bytes.of(skdm.toByteArray()).toBase64Url()));
    Frame.Deliver third = bob.awaitDeliver(DeliveryKind.DIRECT);
    JsonNode key = bob.receivePairwise(third.delivery(), null);
    assertThat(key.get("k").asText()).isEqualTo("SENDER_KEY");
    assertThat(bob.groups.processDistribution(alice.address,
        Bytes.fromBase64Url(key.get("km").asText()).toByteArray()))
        .isEqualTo(DistributionResult.ACCEPTED);
    bob.call(id -> new Frame.Ack(id, Delivery.DEVICE_STREAM, third.delivery().seq()));

    section("9. A group message", """
        One Sender Keys ciphertext (type 0x11, signed) for the whole room, sent with `send_group`
        and stored once in the room's timeline; each member device reads it on its
        `room:<id>` stream and acknowledges that stream.""");
    MessageId groupHello = messageId(4);
    byte[] plaintext = padded(content("TEXT", groupRoom, groupHello).put("b", "Hello team!"));
    plaintextNote(alice, plaintext);
    byte[] groupCiphertext = alice.groups.encrypt(groupRoom, plaintext, uuidBytes(groupHello), 0).toByteArray();
    assertThat(alice.call(id -> new Frame.SendGroup(id, groupHello, groupRoom, null, Bytes.of(groupCiphertext))))
        .isInstanceOf(Frame.Sent.class);
    Frame.Deliver fourth = bob.awaitDeliver(DeliveryKind.GROUP);
    DecryptedGroupMessage opened = bob.groups.decrypt(GroupMessage.parse(fourth.delivery().ciphertext().toByteArray()));
    assertThat(opened.sender()).isEqualTo(alice.address);
    assertThat(CODEC_JSON.readTree(opened.plaintext()).get("b").asText()).isEqualTo("Hello team!");
    bob.call(id -> new Frame.Ack(id, Delivery.roomStream(groupRoom), fourth.delivery().seq()));

    // Nothing else arrived that the transcript does not show (a quiet period, not a timing assertion:
    // a push arriving later than this would be missed, never cause a false failure).
    Thread.sleep(300);
    for (TapClient c : clients) {
      assertThat(c.leftovers()).as("unexpected pushes to " + c.name).isEmpty();
    }
    return out.toString();
  }

  // ------------------------------------------------------------------ a minimal client

  private static final com.fasterxml.jackson.databind.ObjectMapper CODEC_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** One device: its keys, its sessions and its socket. */
  private final class Device {
    final DeviceAddress address;
    final RandomSource random;
    final IdentityKeyPair identity;
    final AccountKeyPair account;
    final SignedPreKey signedPreKey;
    final KemPreKey kemPreKey;
    final List<OneTimePreKey> oneTime;
    final InMemoryPreKeySource preKeys = new InMemoryPreKeySource();
    final InMemoryIdentityTrust trust = new InMemoryIdentityTrust();
    final GroupSession groups;
    Session session;
    TapClient socket;

    Device(String user, int device) {
      address = new DeviceAddress(user, device);
      random = RandomSource.deterministicForTesting(("transcript-" + user).getBytes(StandardCharsets.UTF_8));
      identity = IdentityKeyPair.generate(random);
      account = AccountKeyPair.generate(random);
      // Prekey ids: one counter for all types, as the Java SDK does.
      signedPreKey = SignedPreKey.generate(identity, 1, random);
      kemPreKey = KemPreKey.generate(identity, 2, random);
      oneTime = OneTimePreKey.generateBatch(3, 2, random);
      preKeys.add(signedPreKey).add(kemPreKey);
      oneTime.forEach(preKeys::add);
      groups = GroupSession.builder().localAddress(address).random(random).clock(new MutableClock(NOW)).build();
    }

    void connect(String token) throws Exception {
      socket = new TapClient(address.toString(),
          URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"));
      clients.add(socket);
      assertThat(call(id -> new Frame.Hello(id, token, address.deviceId(), "transcript/1.0")))
          .isInstanceOf(Frame.Welcome.class);
      awaitPush(f -> f instanceof Frame.Notice n && n.kind() == NoticeKind.PREKEYS_LOW);
    }

    void publish() throws Exception {
      byte[] certificate = DeviceCertificate.issue(account, address, identity.publicKey(), NOW).serialize();
      List<io.ciphertalk.core.wire.OneTimePreKey> otks = oneTime.stream()
          .map(k -> new io.ciphertalk.core.wire.OneTimePreKey(k.id(), Bytes.of(k.publicKey().toByteArray())))
          .toList();
      io.ciphertalk.core.wire.SignedPreKey spk = new io.ciphertalk.core.wire.SignedPreKey(signedPreKey.id(),
          Bytes.of(signedPreKey.publicKey().toByteArray()), Bytes.of(signedPreKey.signature()));
      io.ciphertalk.core.wire.SignedPreKey kem = new io.ciphertalk.core.wire.SignedPreKey(kemPreKey.id(),
          Bytes.of(kemPreKey.publicKey().toByteArray()), Bytes.of(kemPreKey.signature()));
      // Fewer one-time prekeys than the server's threshold: it says so before it answers.
      String id = socket.send(i -> new Frame.PreKeysPublish(i, Bytes.of(identity.publicKey().serialize()), spk,
          otks, kem, null, Bytes.of(certificate)));
      awaitPush(f -> f instanceof Frame.Notice n && n.kind() == NoticeKind.PREKEYS_LOW);
      assertThat(socket.awaitResponse(id)).isInstanceOf(Frame.Ok.class);
    }

    /** Builds the crypto bundle from the JSON bundle (the mapping protocol.md documents) and starts PQXDH. */
    void startSession(io.ciphertalk.core.wire.PreKeyBundle w) throws Exception {
      DeviceCertificate cert = DeviceCertificate.deserialize(w.certificate().toByteArray());
      cert.verify(cert.accountKey(), w.device()); // first sight of bob: pin this account key
      IdentityKey ik = IdentityKey.deserialize(w.identityKey().toByteArray());
      assertThat(cert.identityKey()).isEqualTo(ik);
      PreKeyBundle.Builder b = PreKeyBundle.builder().address(w.device()).identityKey(ik)
          .signedPreKey(w.signedPreKey().keyId(), X25519.PublicKey.of(w.signedPreKey().publicKey().toByteArray()),
              w.signedPreKey().signature().toByteArray())
          .kemPreKey(w.kemPreKey().keyId(), MlKem768.PublicKey.of(w.kemPreKey().publicKey().toByteArray()),
              w.kemPreKey().signature().toByteArray());
      if (w.oneTimePreKey() != null) {
        b.oneTimePreKey(w.oneTimePreKey().keyId(), X25519.PublicKey.of(w.oneTimePreKey().publicKey().toByteArray()));
      }
      session = Session.initiate().identity(identity).localAddress(address).bundle(b.build())
          .suite(HandshakeSuite.PQXDH).trust(trust).random(random).build();
    }

    void sendPairwise(DeviceAddress to, String room, MessageId id, ObjectNode content) throws Exception {
      byte[] plaintext = padded(content);
      plaintextNote(this, plaintext);
      byte[] ciphertext = session.encrypt(plaintext,
          io.ciphertalk.crypto.session.MessageId.of(uuidBytes(id)), Session.NO_EXPIRY).serialize();
      assertThat(call(i -> new Frame.Send(i, id, room, null, List.of(new Recipient(to, Bytes.of(ciphertext))))))
          .isInstanceOf(Frame.Sent.class);
    }

    /** Decrypts a DIRECT delivery; an initial message is accepted only from a certified sender. */
    JsonNode receivePairwise(Delivery d, Frame.BundlesReply senderDevices) throws Exception {
      EncryptedMessage m = EncryptedMessage.deserialize(d.ciphertext().toByteArray());
      DecryptedMessage plain;
      if (m instanceof InitialMessage initial && session == null) {
        io.ciphertalk.core.wire.PreKeyBundle w = senderDevices.bundles().stream()
            .filter(b -> b.device().equals(d.sender())).findFirst().orElseThrow();
        assertThat(w.oneTimePreKey()).isNull();
        DeviceCertificate cert = DeviceCertificate.deserialize(w.certificate().toByteArray());
        cert.verify(cert.accountKey(), d.sender());
        assertThat(cert.identityKey()).isEqualTo(initial.senderIdentity());
        Session.Established e = Session.respond().identity(identity).localAddress(address).preKeys(preKeys)
            .trust(trust).remoteAddress(d.sender()).random(random).accept(initial);
        session = e.session();
        plain = e.firstMessage();
      } else {
        plain = session.decrypt(m);
      }
      assertThat(plain.messageId().toByteArray()).isEqualTo(uuidBytes(d.messageId()));
      JsonNode c = CODEC_JSON.readTree(plain.plaintext());
      assertThat(c.get("v").asInt()).isEqualTo(1);
      assertThat(c.get("id").asText()).isEqualTo(d.messageId().toString());
      assertThat(c.get("r").asText()).isEqualTo(d.room());
      return c;
    }

    Frame call(java.util.function.Function<String, Frame> build) throws Exception {
      return socket.awaitResponse(socket.send(build));
    }

    Frame awaitPush(Predicate<Frame> p) throws Exception {
      return socket.awaitPush(p);
    }

    Frame.Deliver awaitDeliver(DeliveryKind kind) throws Exception {
      return (Frame.Deliver) awaitPush(f -> f instanceof Frame.Deliver d && d.delivery().kind() == kind);
    }
  }

  /** A WebSocket client that writes every frame, both ways, to the transcript as it goes. */
  private final class TapClient implements AutoCloseable {
    final String name;
    private final WebSocketClient ws;
    private final BlockingQueue<String> inbound = new LinkedBlockingQueue<>();
    private final List<String> stash = new ArrayList<>();
    private int ids;

    TapClient(String name, URI uri) throws InterruptedException {
      this.name = name;
      ws = new WebSocketClient(uri, Map.of()) {
        @Override
        public void onOpen(ServerHandshake h) {}

        @Override
        public void onMessage(String message) {
          inbound.add(message);
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {}

        @Override
        public void onError(Exception ex) {}
      };
      if (!ws.connectBlocking(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not connect to " + uri);
      }
    }

    String send(java.util.function.Function<String, Frame> build) {
      String id = "c" + ++ids;
      String text = CODEC.encodeToString(build.apply(id));
      frame(name + " → server", text);
      ws.send(text);
      return id;
    }

    Frame awaitResponse(String id) throws Exception {
      return await(f -> f instanceof Frame.Response && f.id().equals(id));
    }

    Frame awaitPush(Predicate<Frame> p) throws Exception {
      return await(f -> f instanceof Frame.Push && p.test(f));
    }

    private Frame await(Predicate<Frame> p) throws Exception {
      for (int i = 0; i < stash.size(); i++) {
        Frame f = CODEC.decode(stash.get(i));
        if (p.test(f)) {
          frame("server → " + name, stash.remove(i));
          return f;
        }
      }
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        String text = inbound.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (text == null) {
          throw new AssertionError(name + ": no matching frame within " + WAIT + "; saw " + stash);
        }
        Frame f = CODEC.decode(text);
        if (p.test(f)) {
          frame("server → " + name, text);
          return f;
        }
        stash.add(text);
      }
    }

    List<String> leftovers() {
      List<String> all = new ArrayList<>(stash);
      inbound.drainTo(all);
      return all;
    }

    @Override
    public void close() {
      ws.close();
    }
  }

  // ------------------------------------------------------------------ writing the transcript

  private void header() {
    out.append("""
        # CipherTalk wire transcript

        <!-- Generated by ciphertalk-server-embed/src/test/java/io/ciphertalk/server/WireTranscriptTest.java.
             Do not edit: the test fails when this file differs from what it generates. Regenerate with
             ./mvnw -B -q -pl ciphertalk-server-embed -am test -Dtest=WireTranscriptTest -Dsurefire.failIfNoSpecifiedTests=false -Dciphertalk.regenerateDocs=true -->

        A complete, real session between two devices, `alice.1` and `bob.1`, and a CipherTalk server,
        recorded frame by frame by `WireTranscriptTest`: the clients there are minimal ones written
        with the crypto library and the wire codec only, as a third-party client would be, and each
        recipient decrypts what it receives, so this is a working exchange. Randomness comes from
        fixed seeds and the server's clock is fixed at %s (%d), so the bytes are the same on
        every run. The protocol itself is specified in [protocol.md](protocol.md), section "Wire".

        Notation: `POST /api/...` is a REST request to the HTTP listener (`Content-Type:
        application/json`) followed by the status and body of the answer; `alice.1 → server` is a
        WebSocket text frame the device sent, `server → alice.1` one it received, in the order that
        device sent and received them. "Plaintext" shows what a client encrypted: the content JSON of
        protocol.md "Client payloads", as UTF-8, padded to a multiple of 64 bytes.
        """.formatted(NOW, NOW.toEpochMilli()));
  }

  private void section(String title, String text) {
    out.append("\n## ").append(title).append("\n\n").append(text.strip()).append("\n");
  }

  private void frame(String direction, String json) {
    out.append("\n").append(direction).append("\n\n```json\n").append(json).append("\n```\n");
  }

  private void plaintextNote(Device who, byte[] plaintext) {
    out.append("\nPlaintext ").append(who.address).append(" encrypts (").append(plaintext.length)
        .append(" bytes)\n\n```json\n").append(new String(plaintext, StandardCharsets.UTF_8)).append("\n```\n");
  }

  private String rest(String method, String path, String body, int expectedStatus) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .timeout(WAIT).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = TestServers.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expectedStatus);
    out.append("\n`").append(method).append(' ').append(path).append("`\n\n```json\n").append(body)
        .append("\n```\n\n").append(r.statusCode()).append("\n\n```json\n").append(r.body()).append("\n```\n");
    return r.body();
  }

  /** The content JSON of protocol.md "Client payloads", without padding; fields in the SDK's order. */
  private static ObjectNode content(String kind, String room, MessageId id) {
    ObjectNode o = CODEC_JSON.createObjectNode();
    o.put("v", 1).put("k", kind).put("r", room).put("id", id.toString()).put("t", NOW.toEpochMilli());
    return o;
  }

  /** Appends {@code "p":"0..."} so that the UTF-8 encoding is a multiple of 64 bytes (at least one 0). */
  private static byte[] padded(ObjectNode o) throws Exception {
    int len = CODEC_JSON.writeValueAsBytes(o).length + 8; // ,"p":"" and one 0
    int total = (len + 63) / 64 * 64;
    o.put("p", "0".repeat(total - len + 1));
    byte[] out = CODEC_JSON.writeValueAsBytes(o);
    assertThat(out.length % 64).isZero();
    return out;
  }

  private static MessageId messageId(int n) {
    // UUIDv7 layout (version 7, variant 10) with the fixed clock's milliseconds and a counter.
    long ms = NOW.toEpochMilli();
    long msb = (ms << 16) | 0x7000L | n;
    long lsb = 0x8000_0000_0000_0000L | n;
    return MessageId.parse(new UUID(msb, lsb).toString());
  }

  private static byte[] uuidBytes(MessageId id) {
    return ByteBuffer.allocate(16).putLong(id.uuid().getMostSignificantBits())
        .putLong(id.uuid().getLeastSignificantBits()).array();
  }
}
