package io.ciphertalk.client;

import static io.ciphertalk.client.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.internal.ManualClock;
import io.ciphertalk.client.internal.ManualScheduler;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.crypto.DeviceAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client SDK end to end with real cryptography (X3DH + Double Ratchet, Sender Keys) against an
 * in-process fake server ({@link FakeHub}): three users, one on two devices. The same scenario runs
 * against the real embedded server in ciphertalk-server-embed's e2e tests.
 */
class ClientScenarioTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private final ManualClock clock = new ManualClock(T0);
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeHub hub = new FakeHub(clock);
  private final List<CipherTalkClient> clients = new ArrayList<>();

  @AfterEach
  void closeAll() {
    clients.forEach(CipherTalkClient::close);
  }

  private CipherTalkClient client(Recorder r, int device) {
    CipherTalkClient c = CipherTalkClient.builder().link(hub.link())
        .clock(clock).scheduler(scheduler).deviceId(device).listener(r).prekeyBatch(5).build();
    clients.add(c);
    return c;
  }

  private static void awaitUnread(Room room, int n) {
    awaitTrue(() -> room.unreadCount() == n, "unread " + n + " in " + room.id());
  }

  @Test
  void threeUsers_chatPrivatelyAndInGroups_withEveryFeature() throws Exception {
    Recorder ra1 = new Recorder("alice.1");
    Recorder ra2 = new Recorder("alice.2");
    Recorder rb = new Recorder("bob");
    Recorder rc = new Recorder("carol");
    CipherTalkClient alice1 = client(ra1, 1);
    CipherTalkClient alice2 = client(ra2, 2);
    CipherTalkClient bob = client(rb, 1);
    CipherTalkClient carol = client(rc, 1);
    alice1.register("alice", "pw-alice");
    alice2.login("alice", "pw-alice");
    bob.register("bob", "pw-bob");
    carol.register("carol", "pw-carol");
    for (CipherTalkClient c : List.of(alice1, alice2, bob, carol)) {
      c.connect();
      assertThat(c.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    }
    // alice's second device joins her account only through a link approved on the first.
    Recorder.link(alice2, ra2, alice1);
    assertThat(alice1.ownDevices()).containsExactly(1, 2);

    // 1:1 chat reaches the peer and the sender's other device; delivery receipt comes back.
    Room a1bob = alice1.privateRoom("bob");
    MessageId hello = a1bob.send("hello bob MARKER-1");
    ChatEvent.MessageReceived atBob = rb.awaitText("hello bob MARKER-1");
    assertThat(atBob.message().senderUserId()).isEqualTo("alice");
    assertThat(atBob.fromOwnDevice()).isFalse();
    ChatEvent.MessageReceived atAlice2 = ra2.awaitText("hello bob MARKER-1");
    assertThat(atAlice2.fromOwnDevice()).isTrue();
    ra1.await(ChatEvent.ReceiptReceived.class, e -> e.messageId().equals(hello)
        && e.kind() == ReceiptKind.DELIVERED && e.userId().equals("bob"));
    Room bobRoom = bob.room(a1bob.id()).orElseThrow();
    awaitUnread(bobRoom, 1);
    assertThat(bobRoom.name()).isEqualTo("alice");
    assertThat(a1bob.name()).isEqualTo("bob");
    assertThat(bobRoom.kind()).isEqualTo(RoomKind.PRIVATE);

    // A reply resolves its target; read receipts and unread counts across devices.
    MessageId reply = bobRoom.send("hi alice MARKER-2", SendOptions.builder().replyTo(hello).build());
    ChatEvent.MessageReceived replyAtAlice = ra1.awaitText("hi alice MARKER-2");
    assertThat(replyAtAlice.replyTarget()).map(Message::id).contains(hello);
    Room a2bob = alice2.room(a1bob.id()).orElseThrow();
    awaitUnread(a1bob, 1);
    awaitUnread(a2bob, 1);
    bobRoom.markRead();
    assertThat(bobRoom.unreadCount()).isZero();
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
    a1bob.edit(hello, "hello bob (edited) MARKER-3");
    rb.await(ChatEvent.MessageEdited.class, e -> e.message().id().equals(hello)
        && e.message().text().equals("hello bob (edited) MARKER-3"));
    bobRoom.react(hello, "+1");
    ChatEvent.ReactionChanged reaction = ra1.await(ChatEvent.ReactionChanged.class,
        e -> e.messageId().equals(hello));
    assertThat(reaction.added()).isTrue();
    assertThat(reaction.target()).isPresent();
    assertThat(reaction.target().get().reactions()).containsKey("+1");
    assertThatThrownBy(() -> bobRoom.edit(hello, "not mine"))
        .isInstanceOf(IllegalArgumentException.class);
    a1bob.deleteForEveryone(hello);
    rb.await(ChatEvent.MessageDeleted.class, e -> e.messageId().equals(hello));
    awaitTrue(() -> bobRoom.history(50).stream().anyMatch(m -> m.id().equals(hello)
        && m.deleted() && m.text().isEmpty()), "tombstone at bob");

    // Self-destruct on every device at the expiry.
    MessageId secret = a1bob.send("self destructing MARKER-4",
        SendOptions.builder().expiresAfter(Duration.ofSeconds(30)).build());
    rb.awaitText("self destructing MARKER-4");
    ra2.awaitText("self destructing MARKER-4");
    // An edit and a reaction of a self-destructing message reach the others (they carry its
    // expiry inside the encryption too, or receivers drop them as an expiry mismatch).
    a1bob.edit(secret, "self destructing, edited MARKER-4b");
    rb.await(ChatEvent.MessageEdited.class, e -> e.message().id().equals(secret)
        && e.message().text().equals("self destructing, edited MARKER-4b"));
    ra2.await(ChatEvent.MessageEdited.class, e -> e.message().id().equals(secret));
    bobRoom.react(secret, "+1");
    ra1.await(ChatEvent.ReactionChanged.class, e -> e.messageId().equals(secret) && e.added());
    MessageId secret2 = a1bob.send("self destructing, deleted MARKER-4c",
        SendOptions.builder().expiresAfter(Duration.ofSeconds(30)).build());
    rb.awaitText("self destructing, deleted MARKER-4c");
    a1bob.deleteForEveryone(secret2);
    rb.await(ChatEvent.MessageDeleted.class, e -> e.messageId().equals(secret2));
    ra2.await(ChatEvent.MessageDeleted.class, e -> e.messageId().equals(secret2));
    scheduler.advance(Duration.ofSeconds(31));
    for (Recorder r : List.of(ra1, ra2, rb)) {
      r.await(ChatEvent.MessageExpired.class, e -> e.messageId().equals(secret));
    }
    assertThat(bobRoom.history(50)).noneMatch(m -> m.id().equals(secret));
    assertThat(bob.search("self destructing", 10)).isEmpty();

    // Group chat with sender keys; carol replies.
    Room group = alice1.createGroup("friends", Set.of("bob", "carol"));
    group.send("group hello MARKER-5");
    rb.awaitText("group hello MARKER-5");
    rc.awaitText("group hello MARKER-5");
    ra2.awaitText("group hello MARKER-5");
    Room carolGroup = carol.room(group.id()).orElseThrow();
    carolGroup.send("carol here MARKER-6");
    ra1.awaitText("carol here MARKER-6");
    rb.awaitText("carol here MARKER-6");
    ra2.awaitText("carol here MARKER-6");

    // Carol is removed; even a server that keeps forwarding the room to her cannot make her read.
    hub.leaky = true;
    group.remove("carol");
    rc.await(ChatEvent.MembershipChanged.class, e -> e.userId().equals("carol")
        && e.change() == ChatEvent.MembershipChange.REMOVED);
    rb.await(ChatEvent.MembershipChanged.class, e -> e.userId().equals("carol")
        && e.change() == ChatEvent.MembershipChange.REMOVED);
    group.send("after removal MARKER-7");
    rb.awaitText("after removal MARKER-7");
    ra2.awaitText("after removal MARKER-7");
    Room bobGroup = bob.room(group.id()).orElseThrow();
    bobGroup.send("bob after removal MARKER-8");
    ra1.awaitText("bob after removal MARKER-8");
    awaitTrue(() -> carol.engine().stats().pendingGroup() + carol.engine().stats().undecryptable()
        >= 2, "carol received the new-epoch ciphertexts");
    assertThat(rc.sawText("after removal MARKER-7")).isFalse();
    assertThat(rc.sawText("bob after removal MARKER-8")).isFalse();
    hub.leaky = false;

    // An offline user catches up, in order, after reconnecting; presence follows.
    bob.disconnect();
    ra1.await(ChatEvent.PresenceChanged.class, e -> e.presence().userId().equals("bob")
        && !e.presence().online());
    for (int i = 0; i < 3; i++) {
      a1bob.send("while you were away " + i + " MARKER-9");
    }
    // ...and the sender's own offline outbox flushes in order too.
    alice1.disconnect();
    a1bob.send("queued offline 0 MARKER-10");
    a1bob.send("queued offline 1 MARKER-10");
    assertThat(alice1.engine().stats().outbox()).isGreaterThanOrEqualTo(2);
    alice1.connect();
    bob.connect();
    ra1.await(ChatEvent.PresenceChanged.class, e -> e.presence().userId().equals("bob")
        && e.presence().online());
    rb.awaitText("queued offline 1 MARKER-10");
    List<String> order = rb.all(ChatEvent.MessageReceived.class).stream()
        .map(e -> e.message().text()).filter(t -> t.contains("MARKER-9") || t.contains("MARKER-10"))
        .toList();
    assertThat(order).containsExactly("while you were away 0 MARKER-9",
        "while you were away 1 MARKER-9", "while you were away 2 MARKER-9",
        "queued offline 0 MARKER-10", "queued offline 1 MARKER-10");

    // A dropped connection reconnects by itself after the backoff.
    hub.dropConnection(DeviceAddress.of("bob", 1));
    awaitTrue(() -> bob.connectionState() == ConnectionState.DISCONNECTED, "bob dropped");
    scheduler.advance(Duration.ofSeconds(2));
    awaitTrue(() -> bob.connectionState() == ConnectionState.CONNECTED, "bob reconnected");
    bobRoom.send("back again MARKER-11");
    ra1.awaitText("back again MARKER-11");

    // Local search over decrypted history.
    assertThat(alice1.search("MARKER-9", 10)).hasSize(3);

    // Bob reinstalls: a new identity on the same device. Alice is asked before anything flows.
    Recorder rb2 = new Recorder("bob-reinstalled");
    bob.close();
    CipherTalkClient bobNew = client(rb2, 1);
    bobNew.login("bob", "pw-bob");
    bobNew.connect();
    Room bobNewRoom = bobNew.room(a1bob.id()).orElseThrow();
    bobNewRoom.send("new phone MARKER-12");
    // (The fake server, like a compromised one, lets a known device change its identity key.)
    ChatEvent.IdentityKeyChanged changed = ra1.await(ChatEvent.IdentityKeyChanged.class,
        e -> e.userId().equals("bob") && !e.newDevice());
    assertThat(changed.newSafetyNumber()).hasSize(60);
    assertThat(ra1.sawText("new phone MARKER-12")).isFalse();
    assertThat(alice1.trustIdentity("bob", "1".repeat(60))).isFalse(); // not the number shown
    assertThat(alice1.trustIdentity("bob", changed.newSafetyNumber())).isTrue();
    ra1.awaitText("new phone MARKER-12");
    assertThat(alice1.safetyNumber("bob")).isEqualTo(changed.newSafetyNumber());

    // The server routed ciphertext only.
    for (byte[] ct : hub.routedCiphertexts()) {
      assertThat(new String(ct, StandardCharsets.ISO_8859_1)).doesNotContain("MARKER");
    }
  }
}
