package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.account;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.wire.ErrorCode;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.PreKeyBundle;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a stranger can learn or take from a user who never agreed to talk to them. */
class PrivacyTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private CipherTalkServer server;
  private String bob;
  private String mallory;
  private String alice;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().clock(clock).bundleFetchLimits(30, 10).build().start();
    bob = account(server, "bob");
    mallory = account(server, "mallory");
    alice = account(server, "alice");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static PreKeyBundle fetch(RawClient c, String user) throws Exception {
    Frame f = c.call(id -> new Frame.BundleFetch(id, user, null));
    assertThat(f).isInstanceOf(Frame.BundlesReply.class);
    return ((Frame.BundlesReply) f).bundles().get(0);
  }

  @Test
  void stranger_cannotDrainOneTimePrekeys_andIsRateLimited_whileAContactStillGetsOne() throws Exception {
    try (RawClient b = RawClient.login(server, bob, 1); RawClient m = RawClient.login(server, mallory, 1);
        RawClient a = RawClient.login(server, alice, 1)) {
      Fixtures.publish(b, 50, 1);
      assertThat(b.call(id -> new Frame.ContactAdd(id, "alice", null))).isInstanceOf(Frame.Ok.class);
      int withOneTime = 0;
      Set<Integer> seen = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        PreKeyBundle bundle = fetch(m, "bob");
        assertThat(bundle.signedPreKey()).as("a session can still start").isNotNull();
        if (bundle.oneTimePreKey() != null) {
          withOneTime++;
          assertThat(seen.add(bundle.oneTimePreKey().keyId())).isTrue();
        }
      }
      assertThat(withOneTime).as("one-time prekeys a stranger got in an hour").isEqualTo(10);
      Frame limited = m.call(id -> new Frame.BundleFetch(id, "bob", null));
      assertThat(limited).isInstanceOf(Frame.ErrorReply.class);
      assertThat(((Frame.ErrorReply) limited).code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(((Frame.ErrorReply) limited).retryAfterMs()).isPositive();

      // Bob's contact is not starved by the stranger, and 40 of his 50 keys are left.
      PreKeyBundle forAlice = fetch(a, "bob");
      assertThat(forAlice.oneTimePreKey()).isNotNull();
      assertThat(seen).doesNotContain(forAlice.oneTimePreKey().keyId());
      clock.advance(Duration.ofHours(1));
      assertThat(fetch(m, "bob").oneTimePreKey()).as("the budget refills with time").isNotNull();
    }
  }

  @Test
  void groupWithAStranger_showsNoPresenceAndGetsNoExtraPrekeys_untilTheInviteeAccepts() throws Exception {
    try (RawClient m = RawClient.login(server, mallory, 1); RawClient b = RawClient.login(server, bob, 1)) {
      Fixtures.publish(b, 20, 1);
      String room = Fixtures.createRoom(m, io.ciphertalk.core.model.RoomKind.GROUP, "gotcha", "bob").room().roomId();
      Frame.RoomsReply pending = (Frame.RoomsReply) b.call(Frame.InviteList::new);
      assertThat(pending.rooms()).singleElement().satisfies(r -> assertThat(r.roomId()).isEqualTo(room));
      assertThat(((Frame.PresenceReply) m.call(id -> new Frame.PresenceGet(id, List.of("bob")))).presences())
          .as("the inviter sees nothing of a pending invitee").isEmpty();
      assertThat(((Frame.PresenceReply) b.call(id -> new Frame.PresenceGet(id, List.of("mallory")))).presences())
          .as("nor the other way round").isEmpty();
      for (int i = 0; i < 10; i++) {
        fetch(m, "bob"); // the stranger budget
      }
      assertThat(fetch(m, "bob").oneTimePreKey()).isNull();

      Frame.RoomReply accepted = (Frame.RoomReply) b.call(id -> new Frame.InviteAccept(id, room));
      assertThat(accepted.room().roomId()).isEqualTo(room);
      assertThat(((Frame.RoomsReply) b.call(Frame.InviteList::new)).rooms()).isEmpty();
      assertThat(((Frame.PresenceReply) m.call(id -> new Frame.PresenceGet(id, List.of("bob")))).presences())
          .singleElement().satisfies(p -> assertThat(p.user()).isEqualTo("bob"));
      assertThat(fetch(m, "bob").oneTimePreKey()).as("an accepted co-member is no stranger").isNotNull();
      Frame again = b.call(id -> new Frame.InviteAccept(id, room));
      assertThat(((Frame.ErrorReply) again).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void declinedInvitation_leavesTheRoom() throws Exception {
    try (RawClient m = RawClient.login(server, mallory, 1); RawClient b = RawClient.login(server, bob, 1)) {
      String room = Fixtures.createRoom(m, io.ciphertalk.core.model.RoomKind.GROUP, "spam", "bob").room().roomId();
      assertThat(b.call(id -> new Frame.InviteDecline(id, room))).isInstanceOf(Frame.Ok.class);
      Frame get = b.call(id -> new Frame.RoomGet(id, room));
      assertThat(((Frame.ErrorReply) get).code()).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(((Frame.RoomsReply) b.call(Frame.InviteList::new)).rooms()).isEmpty();
      Frame.RoomReply now = (Frame.RoomReply) m.call(id -> new Frame.RoomGet(id, room));
      assertThat(now.room().members()).extracting(io.ciphertalk.core.wire.MemberInfo::user).containsExactly("mallory");
    }
  }

  @Test
  void addingSomeoneAsAContact_showsNoPresence_untilTheyAddYouBack() throws Exception {
    try (RawClient m = RawClient.login(server, mallory, 1)) {
      assertThat(m.call(id -> new Frame.ContactAdd(id, "bob", null))).isInstanceOf(Frame.Ok.class);
      try (RawClient b = RawClient.login(server, bob, 1)) {
        Frame.PresenceReply none = (Frame.PresenceReply) m.call(id -> new Frame.PresenceGet(id, List.of("bob")));
        assertThat(none.presences()).as("bob's presence and last seen").isEmpty();
        assertThat(b.call(id -> new Frame.ContactAdd(id, "mallory", null))).isInstanceOf(Frame.Ok.class);
        Frame.PresenceReply mutual = (Frame.PresenceReply) m.call(id -> new Frame.PresenceGet(id, List.of("bob")));
        assertThat(mutual.presences()).singleElement().satisfies(p -> assertThat(p.user()).isEqualTo("bob"));
      }
      // Now mutual: bob going offline is pushed to mallory.
      Frame.PresenceEvent off = (Frame.PresenceEvent) m.await(f -> f instanceof Frame.PresenceEvent,
          Duration.ofSeconds(10));
      assertThat(off.presence().user()).isEqualTo("bob");
      assertThat(m.anyPush(f -> f instanceof Frame.PresenceEvent)).isFalse();
    }
  }
}
