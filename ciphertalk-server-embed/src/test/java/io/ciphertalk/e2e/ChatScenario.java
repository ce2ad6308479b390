package io.ciphertalk.e2e;

import static io.ciphertalk.e2e.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.ReceiptKind;
import io.ciphertalk.client.Room;
import io.ciphertalk.client.SendOptions;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.server.CipherTalkServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The client SDK scenario against the real embedded server: three users, alice on two devices,
 * over whatever transport the subclass provides. Every client's frames are recorded (what the
 * server saw) and, with the server's H2 database files, scanned for the plaintext markers.
 */
abstract class ChatScenario {
  static final String MARKER = "PLAINTEXT-MARKER";
  static final ObjectMapper JSON = new ObjectMapper();

  final TestClock clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  final TestScheduler scheduler = new TestScheduler(clock);
  final List<String> frames = new CopyOnWriteArrayList<>();
  final List<CipherTalkClient> clients = new ArrayList<>();
  final Map<String, RecordingTransport> lastTransport = Collections.synchronizedMap(new HashMap<>());
  CipherTalkServer server;

  /** How a client reaches {@code server}. */
  abstract Supplier<Transport> transports(CipherTalkServer server);

  CipherTalkServer startServer(Path dataDir) {
    server = CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1")
        .dataDirectory(dataDir).clock(clock).passwordHashing(64, 1).rateLimit(10_000, 10_000)
        .authTimeout(Duration.ofMinutes(10)).build().start();
    return server;
  }

  CipherTalkClient client(String name, Recorder r, int device) {
    return client(name, r, device, URI.create("http://127.0.0.1:" + server.httpPort() + "/"));
  }

  /** A client whose REST requests (login, blobs) go to {@code http}, e.g. a proxy in front of the server. */
  CipherTalkClient client(String name, Recorder r, int device, URI http) {
    Supplier<Transport> inner = transports(server);
    Supplier<Transport> recorded = () -> {
      RecordingTransport t = new RecordingTransport(inner.get(), frames);
      lastTransport.put(name, t);
      return t;
    };
    CipherTalkClient c = CipherTalkClient.builder()
        .transport(recorded, http).clock(clock).scheduler(scheduler).deviceId(device)
        .listener(r).prekeyBatch(20).requestTimeout(Duration.ofSeconds(20)).build();
    clients.add(c);
    return c;
  }

  void closeAll() {
    clients.forEach(CipherTalkClient::close);
    if (server != null) {
      server.close();
    }
  }

  static void awaitUnread(Room room, int n) {
    awaitTrue(() -> room.unreadCount() == n, "unread " + n + " in " + room.id());
  }

  static String m(String text) {
    return text + " " + MARKER;
  }

  void runScenario(Path dataDir) throws Exception {
    Recorder ra1 = new Recorder("alice.1");
    Recorder ra2 = new Recorder("alice.2");
    Recorder rb = new Recorder("bob");
    Recorder rc = new Recorder("carol");
    CipherTalkClient alice1 = client("alice1", ra1, 1);
    CipherTalkClient alice2 = client("alice2", ra2, 2);
    CipherTalkClient bob = client("bob", rb, 1);
    CipherTalkClient carol = client("carol", rc, 1);
    alice1.register("alice", "password-alice");
    alice2.login("alice", "password-alice");
    bob.register("bob", "password-bob");
    carol.register("carol", "password-carol");
    for (CipherTalkClient c : List.of(alice1, alice2, bob, carol)) {
      c.connect();
      assertThat(c.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    }
    // alice's second device joins her account through a link approved on her first.
    Recorder.link(alice2, ra2, alice1);
    alice1.addContact("bob", "Bob");
    assertThat(alice1.contacts()).extracting(c -> c.userId()).contains("bob");

    // 1:1 chat reaches the peer and the sender's other device; a delivery receipt comes back.
    Room a1bob = alice1.privateRoom("bob");
    awaitTrue(() -> bob.room(a1bob.id()).isPresent() && alice2.room(a1bob.id()).isPresent(),
        "room known everywhere");
    MessageId hello = a1bob.send(m("hello bob"));
    ChatEvent.MessageReceived atBob = rb.awaitText(m("hello bob"));
    assertThat(atBob.message().senderUserId()).isEqualTo("alice");
    assertThat(ra2.awaitText(m("hello bob")).fromOwnDevice()).isTrue();
    ra1.await(ChatEvent.ReceiptReceived.class, e -> e.messageId().equals(hello)
        && e.kind() == ReceiptKind.DELIVERED && e.userId().equals("bob"));
    Room bobRoom = bob.room(a1bob.id()).orElseThrow();
    awaitUnread(bobRoom, 1);
    // Alice opened this room with bob: it is his pending invitation until he accepts it (only then
    // do they see each other's presence through it).
    assertThat(bob.pendingInvites()).extracting(Room::id).contains(a1bob.id());
    bob.acceptInvite(a1bob.id());
    assertThat(bob.pendingInvites()).extracting(Room::id).doesNotContain(a1bob.id());

    // A reply resolves its target; read receipts; unread counts stay right across devices.
    MessageId reply = bobRoom.send(m("hi alice"), SendOptions.builder().replyTo(hello).build());
    assertThat(ra1.awaitText(m("hi alice")).replyTarget()).map(Message::id).contains(hello);
    Room a2bob = alice2.room(a1bob.id()).orElseThrow();
    awaitUnread(a1bob, 1);
    awaitUnread(a2bob, 1);
    bobRoom.markRead();
    ra1.await(ChatEvent.ReceiptReceived.class, e -> e.messageId().equals(hello)
        && e.kind() == ReceiptKind.READ);
    a1bob.markRead();
    awaitUnread(a2bob, 0);
    rb.await(ChatEvent.ReceiptReceived.class, e -> e.messageId().equals(reply)
        && e.kind() == ReceiptKind.READ && e.userId().equals("alice"));

    // Typing starts, then stops by itself on the receiver's clock.
    bobRoom.typing(true);
    ra1.await(ChatEvent.TypingChanged.class, e -> e.userId().equals("bob") && e.typing());
    scheduler.advance(Duration.ofSeconds(7));
    ra1.await(ChatEvent.TypingChanged.class, e -> e.userId().equals("bob") && !e.typing());

    // Edit, reaction, delete-for-everyone.
    a1bob.edit(hello, m("hello bob (edited)"));
    rb.await(ChatEvent.MessageEdited.class, e -> e.message().text().equals(m("hello bob (edited)")));
    bobRoom.react(hello, "+1");
    ChatEvent.ReactionChanged reaction = ra1.await(ChatEvent.ReactionChanged.class,
        e -> e.messageId().equals(hello));
    assertThat(reaction.target()).isPresent();
    assertThatThrownBy(() -> bobRoom.edit(hello, "not mine"))
        .isInstanceOf(IllegalArgumentException.class);
    a1bob.deleteForEveryone(hello);
    rb.await(ChatEvent.MessageDeleted.class, e -> e.messageId().equals(hello));
    ra2.await(ChatEvent.MessageDeleted.class, e -> e.messageId().equals(hello));

    // Self-destruct on every device at the expiry.
    MessageId secret = a1bob.send(m("self destructing"),
        SendOptions.builder().expiresAfter(Duration.ofSeconds(30)).build());
    rb.awaitText(m("self destructing"));
    ra2.awaitText(m("self destructing"));
    scheduler.advance(Duration.ofSeconds(31));
    for (Recorder r : List.of(ra1, ra2, rb)) {
      r.await(ChatEvent.MessageExpired.class, e -> e.messageId().equals(secret));
    }
    assertThat(bob.search("self destructing", 10)).isEmpty();

    // Group chat with sender keys.
    Room group = alice1.createGroup("friends", Set.of("bob", "carol"));
    awaitTrue(() -> carol.room(group.id()).isPresent() && bob.room(group.id()).isPresent()
        && alice2.room(group.id()).isPresent(), "group known everywhere");
    group.send(m("group hello"));
    rb.awaitText(m("group hello"));
    rc.awaitText(m("group hello"));
    ra2.awaitText(m("group hello"));
    carol.room(group.id()).orElseThrow().send(m("carol here"));
    ra1.awaitText(m("carol here"));
    rb.awaitText(m("carol here"));
    ra2.awaitText(m("carol here"));

    // Carol is removed. The server stops sending her the room; and even the ciphertext of a
    // later message, handed to her directly, does not decrypt: the sender keys rotated.
    group.remove("carol");
    rb.await(ChatEvent.MembershipChanged.class, e -> e.userId().equals("carol")
        && e.change() == ChatEvent.MembershipChange.REMOVED);
    rc.await(ChatEvent.MembershipChanged.class, e -> e.userId().equals("carol")
        && e.change() == ChatEvent.MembershipChange.REMOVED);
    group.send(m("after removal"));
    rb.awaitText(m("after removal"));
    ra2.awaitText(m("after removal"));
    // A malicious server forwards the new ciphertext to carol anyway.
    lastTransport.get("carol").inject(lastGroupDeliverFrame(group.id()));
    // Frames are processed in order: once a later 1:1 message arrived, the leaked one was handled.
    Room a1carol = alice1.privateRoom("carol");
    awaitTrue(() -> carol.room(a1carol.id()).isPresent(), "carol knows the private room");
    a1carol.send(m("private to carol"));
    rc.awaitText(m("private to carol"));
    assertThat(rc.sawText(m("after removal"))).isFalse();

    // Roles: bob becomes admin and invites carol back; she reads what is sent from now on only.
    group.setRole("bob", Role.ADMIN);
    rb.await(ChatEvent.MembershipChanged.class, e -> e.userId().equals("bob")
        && e.change() == ChatEvent.MembershipChange.ROLE_CHANGED);
    Room bobGroup = bob.room(group.id()).orElseThrow();
    awaitTrue(() -> bobGroup.members().get("bob") == Role.ADMIN, "bob is admin");
    bobGroup.invite("carol");
    awaitTrue(() -> carol.room(group.id()).isPresent(), "carol is back");
    // Alice must have learnt of the re-invite before she sends: a group message is encrypted for
    // the members the sender knows of, so one sent before her device saw the room event would carry
    // no sender key for carol (docs/protocol.md, "Client payloads": membership races).
    awaitTrue(() -> group.members().containsKey("carol"), "alice sees carol back");
    group.send(m("welcome back"));
    rc.awaitText(m("welcome back"));
    bobGroup.send(m("hello again carol"));
    rc.awaitText(m("hello again carol"));
    assertThat(rc.sawText(m("after removal"))).isFalse();
    carol.room(group.id()).orElseThrow().leave();
    ra1.await(ChatEvent.MembershipChanged.class, e -> e.userId().equals("carol")
        && e.change() == ChatEvent.MembershipChange.LEFT);
    awaitTrue(() -> carol.room(group.id()).isEmpty(), "carol left");
    alice1.block("carol", true);
    assertThat(alice1.contacts()).anyMatch(c -> c.userId().equals("carol") && c.blocked());
    alice1.block("carol", false);
    alice1.removeContact("carol");
    assertThat(alice1.contacts()).noneMatch(c -> c.userId().equals("carol"));

    // An offline user catches up in order after reconnecting; presence follows.
    bob.disconnect();
    ra1.await(ChatEvent.PresenceChanged.class, e -> e.presence().userId().equals("bob")
        && !e.presence().online());
    assertThat(alice1.presence("bob").online()).isFalse();
    assertThat(alice1.presence("bob").lastSeen()).isPresent();
    for (int i = 0; i < 3; i++) {
      a1bob.send(m("while you were away " + i));
    }
    alice1.disconnect();
    a1bob.send(m("queued offline 0"));
    a1bob.send(m("queued offline 1"));
    alice1.connect();
    bob.connect();
    rb.awaitText(m("queued offline 1"));
    List<String> order = rb.all(ChatEvent.MessageReceived.class).stream()
        .map(e -> e.message().text()).filter(t -> t.contains("away") || t.contains("queued"))
        .toList();
    assertThat(order).containsExactly(m("while you were away 0"), m("while you were away 1"),
        m("while you were away 2"), m("queued offline 0"), m("queued offline 1"));
    ra1.await(ChatEvent.PresenceChanged.class, e -> e.presence().userId().equals("bob")
        && e.presence().online());

    // A lost connection comes back by itself after the backoff.
    lastTransport.get("bob").simulateNetworkFailure();
    awaitTrue(() -> bob.connectionState() == ConnectionState.DISCONNECTED, "bob dropped");
    awaitTrue(() -> {
      scheduler.advance(Duration.ofSeconds(2));
      return bob.connectionState() == ConnectionState.CONNECTED;
    }, "bob reconnected");
    bobRoom.send(m("back again"));
    ra1.awaitText(m("back again"));
    assertThat(alice1.search("away", 10)).hasSize(3);

    // Bob adds a phone, linked from his first device: alice is told, and both his devices read.
    Recorder rb2 = new Recorder("bob-phone");
    CipherTalkClient bobNew = client("bob2", rb2, 2);
    bobNew.login("bob", "password-bob");
    bobNew.connect();
    Recorder.link(bobNew, rb2, bob);
    awaitTrue(() -> bobNew.room(a1bob.id()).isPresent(), "bob's rooms known on the phone");
    bobNew.room(a1bob.id()).orElseThrow().send(m("new phone"));
    ra1.awaitText(m("new phone"));
    ra1.await(ChatEvent.DeviceLinked.class, e -> e.userId().equals("bob") && e.deviceId() == 2);
    assertThat(alice1.safetyNumber("bob")).isEqualTo(bobNew.safetyNumber("alice"))
        .isEqualTo(bob.safetyNumber("alice")).isEqualTo(alice2.safetyNumber("bob"));
    a1bob.send(m("welcome to your new phone"));
    rb2.awaitText(m("welcome to your new phone"));
    rb.awaitText(m("welcome to your new phone"));

    // Nothing the server saw or stored holds a plaintext.
    assertNoPlaintextInFrames();
    closeAll();
    assertNoPlaintextIn(dataDir);
  }

  String lastGroupDeliverFrame(String roomId) throws IOException {
    String last = null;
    for (String f : frames) {
      JsonNode n = JSON.readTree(f);
      if ("deliver".equals(n.path("type").asText())
          && "GROUP".equals(n.path("delivery").path("kind").asText())
          && roomId.equals(n.path("delivery").path("room").asText())) {
        last = f;
      }
    }
    assertThat(last).as("a group delivery was recorded").isNotNull();
    return last;
  }

  void assertNoPlaintextInFrames() throws IOException {
    byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
    int scanned = 0;
    for (String f : frames) {
      assertThat(f).doesNotContain(MARKER);
      for (String text : strings(JSON.readTree(f))) {
        if (text.length() >= 16 && text.matches("[A-Za-z0-9_-]+")) {
          byte[] decoded;
          try {
            decoded = Base64.getUrlDecoder().decode(text);
          } catch (IllegalArgumentException notBase64) {
            continue;
          }
          assertThat(contains(decoded, marker)).as("base64 field of a frame").isFalse();
          scanned++;
        }
      }
    }
    assertThat(scanned).as("binary fields scanned").isGreaterThan(50);
  }

  static void assertNoPlaintextIn(Path dir) throws IOException {
    byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertThat(files).as("database files").isNotEmpty();
    long bytes = 0;
    for (Path p : files) {
      byte[] content = Files.readAllBytes(p);
      bytes += content.length;
      assertThat(contains(content, marker)).as(p.toString()).isFalse();
    }
    assertThat(bytes).isGreaterThan(0);
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.textValue());
    }
    for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
      out.addAll(strings(it.next()));
    }
    return out;
  }

  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
