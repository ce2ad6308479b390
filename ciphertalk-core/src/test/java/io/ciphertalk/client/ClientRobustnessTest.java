package io.ciphertalk.client;

import static io.ciphertalk.client.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.internal.ManualClock;
import io.ciphertalk.client.internal.ManualScheduler;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an app sees when things go wrong underneath it: a room that went away, a token the server no
 * longer accepts, a message that cannot be decrypted, a user name typed with capitals. Real
 * cryptography against the in-process {@link FakeHub}.
 */
class ClientRobustnessTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T10:00:00Z"));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeHub hub = new FakeHub(clock);
  private final List<CipherTalkClient> clients = new ArrayList<>();

  @AfterEach
  void closeAll() {
    clients.forEach(CipherTalkClient::close);
  }

  private CipherTalkClient client(Recorder r) {
    CipherTalkClient c = CipherTalkClient.builder().link(hub.link())
        .clock(clock).scheduler(scheduler).listener(r).prekeyBatch(5).build();
    clients.add(c);
    return c;
  }

  @Test
  void removedMember_everyCallOnTheRoom_failsTyped_orIsANoOp_neverUntyped() throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = client(ra);
    CipherTalkClient bob = client(rb);
    alice.register("alice", "pw-alice");
    bob.register("bob", "pw-bob");
    alice.connect();
    bob.connect();
    Room team = alice.createGroup("team", Set.of("bob"));
    team.send("before MARKER-1");
    rb.awaitText("before MARKER-1");
    Room bobsView = bob.room(team.id()).orElseThrow();
    MessageId own = bobsView.send("mine MARKER-2");
    ra.awaitText("mine MARKER-2");

    team.remove("bob");
    rb.await(ChatEvent.MembershipChanged.class, e -> e.userId().equals("bob")
        && e.change() == ChatEvent.MembershipChange.REMOVED);
    awaitTrue(() -> bob.room(team.id()).isEmpty(), "bob's room list drops the room");

    // The handle bob's UI still holds: signals are dropped, operations fail with one typed error.
    bobsView.typing(true);
    bobsView.markRead();
    assertThat(bobsView.kind()).isEqualTo(RoomKind.GROUP);
    assertThat(bobsView.name()).isEqualTo("team");
    assertThat(bobsView.topic()).isEmpty();
    assertThat(bobsView.history(10)).extracting(Message::text)
        .contains("before MARKER-1", "mine MARKER-2");
    List<Runnable> calls = List.of(
        () -> bobsView.send("after removal"),
        () -> bobsView.edit(own, "edited"),
        () -> bobsView.deleteForEveryone(own),
        () -> bobsView.react(own, "+1"),
        () -> bobsView.members(),
        () -> bobsView.invite("carol"),
        () -> bobsView.setTopic("still here?"),
        () -> bobsView.leave());
    for (Runnable call : calls) {
      assertThatThrownBy(call::run).isInstanceOf(RoomUnavailableException.class)
          .isInstanceOf(CipherTalkException.class)
          .satisfies(e -> assertThat(((RoomUnavailableException) e).roomId()).isEqualTo(team.id()));
    }
    assertThat(bob.stats().outbox()).as("nothing queued for the lost room").isZero();
  }

  @Test
  void revokedToken_endsTheSession_stopsReconnecting_andLoginResumes() throws Exception {
    Recorder rb = new Recorder("bob");
    CipherTalkClient bob = client(rb);
    CipherTalkClient alice = client(new Recorder("alice"));
    alice.register("alice", "pw-alice");
    alice.connect();
    bob.register("bob", "pw-bob");
    bob.connect();
    Room room = bob.privateRoom("alice");

    hub.revokeTokens("bob");
    hub.dropConnection(DeviceAddress.of("bob", 1));
    awaitTrue(() -> bob.connectionState() == ConnectionState.DISCONNECTED, "bob dropped");
    scheduler.advance(Duration.ofSeconds(2));
    ChatEvent.SessionEnded ended = rb.await(ChatEvent.SessionEnded.class, e -> true);
    assertThat(ended.reason()).isNotBlank();
    assertThat(bob.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    int attempts = hub.connectAttempts.get();
    for (int i = 0; i < 10; i++) {
      scheduler.advance(Duration.ofMinutes(2));
    }
    bob.engine().awaitEngine();
    assertThat(hub.connectAttempts.get()).as("no reconnect loop on a dead token").isEqualTo(attempts);
    assertThat(rb.all(ChatEvent.SessionEnded.class)).hasSize(1);

    // Sends wait in the outbox; a new login resumes and flushes them.
    room.send("queued while signed out");
    bob.login("bob", "pw-bob");
    bob.connect();
    assertThat(bob.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    awaitTrue(() -> bob.stats().outbox() == 0, "outbox flushed after the new login");
  }

  @Test
  void hostileServer_corruptsACiphertext_recipientIsToldAndCountsIt() throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = client(ra);
    CipherTalkClient bob = client(rb);
    alice.register("alice", "pw-alice");
    bob.register("bob", "pw-bob");
    alice.connect();
    bob.connect();
    Room room = alice.privateRoom("bob");
    room.send("fine MARKER-1");
    rb.awaitText("fine MARKER-1");

    hub.corruptPairwise = true;
    MessageId lost = room.send("tampered MARKER-2");
    ChatEvent.MessageUndecryptable e = rb.await(ChatEvent.MessageUndecryptable.class,
        x -> x.messageId().equals(lost));
    assertThat(e.senderUserId()).isEqualTo("alice");
    assertThat(e.senderDeviceId()).isEqualTo(1);
    assertThat(e.roomId()).isEqualTo(Optional.empty());
    assertThat(bob.stats().undecryptable()).isEqualTo(1);
    assertThat(rb.sawText("tampered MARKER-2")).isFalse();
  }

  @Test
  void userIdWithCapitals_isTheSameAccount_inLowerCase() throws Exception {
    CipherTalkClient dave = client(new Recorder("dave"));
    dave.register("Dave", "pw-dave");
    dave.connect();
    assertThat(dave.address()).contains(DeviceAddress.of("dave", 1));
    CipherTalkClient erin = client(new Recorder("erin"));
    erin.register("erin", "pw-erin");
    erin.connect();
    assertThat(erin.privateRoom("DAVE").name()).isEqualTo("dave");
    assertThatThrownBy(() -> dave.privateRoom("DaVe")).isInstanceOf(IllegalArgumentException.class);
  }
}
