package io.ciphertalk.server;

import static io.ciphertalk.server.Fixtures.createRoom;
import static io.ciphertalk.server.Fixtures.publish;
import static io.ciphertalk.server.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.PresenceStatus;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.ErrorCode;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.NoticeKind;
import io.ciphertalk.core.wire.Recipient;
import io.ciphertalk.crypto.DeviceAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebSocketRoutingTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private CipherTalkServer server;
  private String alice;
  private String bob;
  private String carol;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().clock(clock).prekeyLowThreshold(3).authTimeout(Duration.ofMillis(500))
        .allowedOrigins(List.of("https://chat.example")).build().start();
    alice = TestServers.account(server, "alice");
    bob = TestServers.account(server, "bob");
    carol = TestServers.account(server, "carol");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Frame.ErrorReply error(Frame f) {
    assertThat(f).isInstanceOf(Frame.ErrorReply.class);
    return (Frame.ErrorReply) f;
  }

  private static Frame send(RawClient c, MessageId mid, String room, Long expiresAt, DeviceAddress... to)
      throws InterruptedException {
    List<Recipient> rs = java.util.Arrays.stream(to).map(a -> new Recipient(a, text("secret for " + a))).toList();
    return c.call(id -> new Frame.Send(id, mid, room, expiresAt, rs));
  }

  @Test
  void framesBeforeHello_areRefusedUnauthenticated_andBadTokenClosesWith4001() throws Exception {
    try (RawClient c = RawClient.connect(server, "/ws")) {
      assertThat(error(c.call(Frame.RoomList::new)).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
      assertThat(error(c.call(id -> new Frame.Hello(id, "not-a-token", 1, null))).code())
          .isEqualTo(ErrorCode.AUTH_FAILED);
      assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
      assertThat(c.closeCode).isEqualTo(4001);
    }
  }

  @Test
  void connectionThatNeverAuthenticates_isClosedAfterTheAuthTimeout() throws Exception {
    try (RawClient c = RawClient.connect(server, "/ws")) {
      assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
      assertThat(c.closeCode).isEqualTo(4002);
    }
  }

  @Test
  void originOutsideTheAllowList_isRefusedAtHandshake() throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
    assertThatThrownBy(() -> new RawClient(uri, Map.of("Origin", "https://evil.example")))
        .isInstanceOf(IllegalStateException.class);
    try (RawClient ok = new RawClient(uri, Map.of("Origin", "https://chat.example"))) {
      assertThat(ok.isOpen()).isTrue();
    }
  }

  @Test
  void offlineRecipient_receivesQueuedMessage_afterReconnect_andAgainUntilAcked() throws Exception {
    try (RawClient b = RawClient.login(server, bob, 1)) {
      publish(b, 5, 1);
    }
    MessageId mid = RawClient.newMessageId();
    String room;
    try (RawClient a = RawClient.login(server, alice, 1)) {
      publish(a, 5, 100);
      room = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
      Frame sent = send(a, mid, room, null, new DeviceAddress("bob", 1));
      assertThat(sent).isInstanceOf(Frame.Sent.class);
      assertThat(((Frame.Sent) sent).duplicate()).isFalse();
      Frame.Sent retry = (Frame.Sent) send(a, mid, room, null, new DeviceAddress("bob", 1));
      assertThat(retry.duplicate()).isTrue();
      assertThat(retry.sentAt()).isEqualTo(((Frame.Sent) sent).sentAt());
    }
    long seq;
    try (RawClient b = RawClient.login(server, bob, 1)) {
      Frame.Deliver d = b.awaitType(Frame.Deliver.class);
      assertThat(d.delivery().messageId()).isEqualTo(mid);
      assertThat(d.delivery().stream()).isEqualTo(Delivery.DEVICE_STREAM);
      assertThat(text(d.delivery().ciphertext())).isEqualTo("secret for bob.1");
      seq = d.delivery().seq();
      // dropped without ack
    }
    try (RawClient b = RawClient.login(server, bob, 1)) {
      Frame.Deliver again = b.awaitType(Frame.Deliver.class);
      assertThat(again.delivery().messageId()).isEqualTo(mid);
      assertThat(b.call(id -> new Frame.Ack(id, Delivery.DEVICE_STREAM, seq))).isInstanceOf(Frame.Ok.class);
    }
    try (RawClient b = RawClient.login(server, bob, 1)) {
      Frame.HistoryReply h = (Frame.HistoryReply) b.call(id -> new Frame.HistoryFetch(id, "device", 0, 10));
      assertThat(h.deliveries()).isEmpty();
      assertThat(b.anyPush(f -> f instanceof Frame.Deliver)).isFalse();
    }
  }

  @Test
  void nonMember_cannotSendToOrReadARoom() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient c = RawClient.login(server, carol, 1)) {
      String room = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
      Frame r = c.call(id -> new Frame.SendGroup(id, RawClient.newMessageId(), room, null, text("x")));
      assertThat(error(r).code()).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(error(c.call(id -> new Frame.HistoryFetch(id, Delivery.roomStream(room), 0, 10))).code())
          .isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(error(c.call(id -> new Frame.RoomGet(id, room))).code()).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(error(c.call(id -> new Frame.RoomAdd(id, room, List.of("carol")))).code())
          .isEqualTo(ErrorCode.FORBIDDEN);
    }
  }

  @Test
  void blockedUser_cannotReachTheBlocker() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      publish(a, 3, 1);
      publish(b, 3, 1);
      String room = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
      assertThat(b.call(id -> new Frame.ContactBlock(id, "alice", true))).isInstanceOf(Frame.Ok.class);
      Frame r = send(a, RawClient.newMessageId(), room, null, new DeviceAddress("bob", 1));
      assertThat(error(r).code()).isEqualTo(ErrorCode.BLOCKED);
      assertThat(error(a.call(id -> new Frame.BundleFetch(id, "bob", null))).code()).isEqualTo(ErrorCode.BLOCKED);
      Frame.ContactsReply contacts = (Frame.ContactsReply) b.call(Frame.ContactList::new);
      assertThat(contacts.contacts()).singleElement().satisfies(ci -> assertThat(ci.blocked()).isTrue());
    }
  }

  @Test
  void send_missingARecipientDevice_isRefusedAsStale_withTheMissingAddress() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b1 = RawClient.login(server, bob, 1);
        RawClient b2 = RawClient.login(server, bob, 2)) {
      publish(a, 1, 1);
      publish(b1, 1, 1);
      publish(b2, 1, 1);
      String room = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
      Frame.ErrorReply e = error(send(a, RawClient.newMessageId(), room, null, new DeviceAddress("bob", 1)));
      assertThat(e.code()).isEqualTo(ErrorCode.STALE_DEVICES);
      assertThat(e.missingDevices()).containsExactly(new DeviceAddress("bob", 2));
      Frame ok = send(a, RawClient.newMessageId(), room, null, new DeviceAddress("bob", 1), new DeviceAddress("bob", 2));
      assertThat(ok).isInstanceOf(Frame.Sent.class);
      assertThat(b1.awaitType(Frame.Deliver.class).delivery().ciphertext()).isEqualTo(text("secret for bob.1"));
      assertThat(b2.awaitType(Frame.Deliver.class).delivery().ciphertext()).isEqualTo(text("secret for bob.2"));
    }
  }

  @Test
  void bundleFetch_handsOutEachOneTimePrekeyOnce_andTellsTheOwnerWhenLow() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      publish(b, 4, 10);
      Frame.BundlesReply first = (Frame.BundlesReply) a.call(id -> new Frame.BundleFetch(id, "bob", 1));
      Frame.BundlesReply second = (Frame.BundlesReply) a.call(id -> new Frame.BundleFetch(id, "bob", 1));
      int k1 = first.bundles().get(0).oneTimePreKey().keyId();
      int k2 = second.bundles().get(0).oneTimePreKey().keyId();
      assertThat(k1).isNotEqualTo(k2);
      assertThat(first.bundles().get(0).signedPreKey().keyId()).isEqualTo(1);
      Frame.Notice low = (Frame.Notice) b.await(f -> f instanceof Frame.Notice n && n.kind() == NoticeKind.PREKEYS_LOW && n.count() == 2,
          Duration.ofSeconds(10));
      assertThat(low.count()).isEqualTo(2);
      a.call(id -> new Frame.BundleFetch(id, "bob", 1));
      a.call(id -> new Frame.BundleFetch(id, "bob", 1));
      Frame.BundlesReply empty = (Frame.BundlesReply) a.call(id -> new Frame.BundleFetch(id, "bob", 1));
      assertThat(empty.bundles().get(0).oneTimePreKey()).isNull();
    }
  }

  @Test
  void bundleFetch_withoutOneTimePreKey_listsDevices_andConsumesNone() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b1 = RawClient.login(server, bob, 1);
        RawClient b2 = RawClient.login(server, bob, 2)) {
      publish(b1, 1, 10);
      publish(b2, 1, 20);
      for (int i = 0; i < 5; i++) {
        Frame.BundlesReply listed = (Frame.BundlesReply) a.call(id -> new Frame.BundleFetch(id, "bob", null, false));
        assertThat(listed.bundles()).extracting(bundle -> bundle.device().deviceId()).containsExactly(1, 2);
        assertThat(listed.bundles()).allSatisfy(bundle -> assertThat(bundle.oneTimePreKey()).isNull());
      }
      // Every one-time prekey is still there for the fetch that starts a session.
      Frame.BundlesReply real = (Frame.BundlesReply) a.call(id -> new Frame.BundleFetch(id, "bob", null, true));
      assertThat(real.bundles()).extracting(bundle -> bundle.oneTimePreKey().keyId()).containsExactly(10, 20);
    }
  }

  @Test
  void groupMessage_isStoredOnce_andDeliveredToEveryOtherMemberDevice() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient a2 = RawClient.login(server, alice, 2);
        RawClient b = RawClient.login(server, bob, 1)) {
      String room = createRoom(a, RoomKind.GROUP, "team", "bob", "carol").room().roomId();
      MessageId mid = RawClient.newMessageId();
      Frame sent = a.call(id -> new Frame.SendGroup(id, mid, room, null, text("group ciphertext")));
      assertThat(sent).isInstanceOf(Frame.Sent.class);
      Frame.Deliver db = b.awaitType(Frame.Deliver.class);
      assertThat(db.delivery().stream()).isEqualTo("room:" + room);
      assertThat(db.delivery().seq()).isEqualTo(1);
      assertThat(a2.awaitType(Frame.Deliver.class).delivery().messageId()).isEqualTo(mid);
      assertThat(server.metricsText()).contains("ciphertalk_room_timeline_messages 1");
      assertThat(b.call(id -> new Frame.Ack(id, "room:" + room, 1))).isInstanceOf(Frame.Ok.class);
      try (RawClient c = RawClient.login(server, carol, 1)) {
        assertThat(c.awaitType(Frame.Deliver.class).delivery().messageId()).isEqualTo(mid);
      }
    }
    try (RawClient b = RawClient.login(server, bob, 1)) {
      Frame.HistoryReply h = (Frame.HistoryReply) b.call(id -> new Frame.HistoryFetch(id, "device", 0, 10));
      assertThat(h.deliveries()).isEmpty();
      assertThat(b.anyPush(f -> f instanceof Frame.Deliver)).isFalse();
    }
  }

  @Test
  void expiredMessage_isNeverDelivered_andIsPurgedBySweep() throws Exception {
    String room;
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      publish(a, 1, 1);
      publish(b, 1, 1);
      room = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
    }
    try (RawClient a = RawClient.login(server, alice, 1)) {
      long expires = clock.millis() + 1_000;
      assertThat(send(a, RawClient.newMessageId(), room, expires, new DeviceAddress("bob", 1)))
          .isInstanceOf(Frame.Sent.class);
    }
    assertThat(server.metricsText()).contains("ciphertalk_direct_queue_depth 1");
    clock.advance(Duration.ofSeconds(2));
    try (RawClient b = RawClient.login(server, bob, 1)) {
      Frame.HistoryReply h = (Frame.HistoryReply) b.call(id -> new Frame.HistoryFetch(id, "device", 0, 10));
      assertThat(h.deliveries()).isEmpty();
      assertThat(b.anyPush(f -> f instanceof Frame.Deliver)).isFalse();
    }
    server.sweepExpired();
    assertThat(server.metricsText()).contains("ciphertalk_direct_queue_depth 0");
  }

  @Test
  void typingAndPresence_reachRoomMembers_andTypingExpiresByItself() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      String room = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
      assertThat(b.call(id -> new Frame.InviteAccept(id, room))).isInstanceOf(Frame.RoomReply.class);
      assertThat(a.call(id -> new Frame.Typing(id, room, true))).isInstanceOf(Frame.Ok.class);
      Frame.TypingEvent t = b.awaitType(Frame.TypingEvent.class);
      assertThat(t.from()).isEqualTo(new DeviceAddress("alice", 1));
      assertThat(t.typing()).isTrue();
      clock.advance(Duration.ofSeconds(30));
      server.sweepExpired();
      Frame.TypingEvent stop = b.awaitType(Frame.TypingEvent.class);
      assertThat(stop.typing()).isFalse();
      Frame.PresenceReply p = (Frame.PresenceReply) b.call(id -> new Frame.PresenceGet(id, List.of("alice", "carol")));
      assertThat(p.presences()).singleElement().satisfies(pi -> {
        assertThat(pi.user()).isEqualTo("alice");
        assertThat(pi.status()).isEqualTo(PresenceStatus.ONLINE);
      });
    }
  }

  @Test
  void chatPath_requiresMembershipOfItsRoom() throws Exception {
    String room;
    try (RawClient a = RawClient.login(server, alice, 1)) {
      room = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
    }
    try (RawClient b = RawClient.connect(server, "/ws/chat/" + room + "/")) {
      assertThat(b.call(id -> new Frame.Hello(id, bob, 1, null))).isInstanceOf(Frame.Welcome.class);
    }
    try (RawClient c = RawClient.connect(server, "/ws/chat/" + room + "/")) {
      assertThat(error(c.call(id -> new Frame.Hello(id, carol, 1, null))).code()).isEqualTo(ErrorCode.FORBIDDEN);
    }
  }

  @Test
  void removedMember_getsNoNewMessages() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      String room = createRoom(a, RoomKind.GROUP, "team", "bob", "carol").room().roomId();
      Frame r = a.call(id -> new Frame.RoomRemove(id, room, "bob"));
      assertThat(r).isInstanceOf(Frame.RoomReply.class);
      b.await(f -> f instanceof Frame.RoomEvent e && e.users().contains("bob")
          && e.change() == io.ciphertalk.core.wire.RoomChange.MEMBER_REMOVED, Duration.ofSeconds(10));
      a.call(id -> new Frame.SendGroup(id, RawClient.newMessageId(), room, null, text("after removal")));
      try (RawClient c = RawClient.login(server, carol, 1)) {
        c.awaitType(Frame.Deliver.class);
      }
      assertThat(error(b.call(id -> new Frame.HistoryFetch(id, "room:" + room, 0, 10))).code())
          .isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(b.anyPush(f -> f instanceof Frame.Deliver)).isFalse();
    }
  }

  @Test
  void receipt_reachesTheSender_andPresenceEventsReachAcceptedRoomMembers() throws Exception {
    String room;
    try (RawClient a = RawClient.login(server, alice, 1)) {
      room = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
    }
    try (RawClient b = RawClient.login(server, bob, 1)) {
      assertThat(b.call(id -> new Frame.InviteAccept(id, room))).isInstanceOf(Frame.RoomReply.class);
    }
    try (RawClient a = RawClient.login(server, alice, 1)) {
      MessageId mid = RawClient.newMessageId();
      a.call(id -> new Frame.SendGroup(id, mid, room, null, text("hi")));
      try (RawClient b = RawClient.login(server, bob, 1)) {
        Frame.PresenceEvent online = (Frame.PresenceEvent) a.await(
            f -> f instanceof Frame.PresenceEvent p && p.presence().user().equals("bob"), Duration.ofSeconds(10));
        assertThat(online.presence().status()).isEqualTo(PresenceStatus.ONLINE);
        b.awaitType(Frame.Deliver.class);
        assertThat(b.call(id -> new Frame.Receipt(id, room, io.ciphertalk.core.model.ReceiptStatus.READ,
            List.of(mid)))).isInstanceOf(Frame.Ok.class);
        Frame.ReceiptEvent r = a.awaitType(Frame.ReceiptEvent.class);
        assertThat(r.from()).isEqualTo(new DeviceAddress("bob", 1));
        assertThat(r.messageIds()).containsExactly(mid);
      }
      Frame.PresenceEvent offline = (Frame.PresenceEvent) a.await(
          f -> f instanceof Frame.PresenceEvent p && p.presence().status() == PresenceStatus.OFFLINE,
          Duration.ofSeconds(10));
      assertThat(offline.presence().user()).isEqualTo("bob");
    }
  }

  @Test
  void privateRoom_createdTwice_isTheSameRoom_andIdentityKeyChangeIsAConflict() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      String first = createRoom(a, RoomKind.PRIVATE, null, "bob").room().roomId();
      assertThat(createRoom(b, RoomKind.PRIVATE, null, "alice").room().roomId()).isEqualTo(first);
      publish(a, 1, 1);
      Frame r = a.call(id -> new Frame.PreKeysPublish(id, Fixtures.bytes(32, 99), null, List.of(), null, null));
      assertThat(error(r).code()).isEqualTo(ErrorCode.CONFLICT);
    }
  }

  @Test
  void connectionsBeyondThePerUserLimit_areRefused() throws Exception {
    try (CipherTalkServer small = TestServers.builder().maxConnectionsPerUser(2).build().start()) {
      String token = TestServers.account(small, "dora");
      try (RawClient d1 = RawClient.login(small, token, 1); RawClient d2 = RawClient.login(small, token, 2);
          RawClient d3 = RawClient.connect(small, "/ws")) {
        assertThat(error(d3.call(id -> new Frame.Hello(id, token, 3, null))).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(d3.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(d3.closeCode).isEqualTo(4029);
        assertThat(d1.isOpen() && d2.isOpen()).isTrue();
      }
    }
  }

  @Test
  void hostSuppliedDataSource_isUsed() throws Exception {
    org.h2.jdbcx.JdbcConnectionPool pool = org.h2.jdbcx.JdbcConnectionPool.create(
        "jdbc:h2:mem:host-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "", "");
    try (CipherTalkServer s = CipherTalkServer.builder().wsPort(0).httpPort(0).dataSource(pool)
        .passwordHashing(64, 1).build().start()) {
      TestServers.account(s, "erin");
    }
    try (var conn = pool.getConnection(); var st = conn.createStatement();
        var rs = st.executeQuery("SELECT COUNT(*) FROM accounts WHERE user_id = 'erin'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void roles_governInviteRemoveRename_andOwnershipPassesOnWhenTheOwnerLeaves() throws Exception {
    String dave = TestServers.account(server, "dave");
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1);
        RawClient c = RawClient.login(server, carol, 1)) {
      Frame.RoomReply created = (Frame.RoomReply) a.call(id -> new Frame.RoomCreate(id, RoomKind.GROUP, "team", null,
          List.of("bob"), 3));
      String room = created.room().roomId();
      assertThat(error(b.call(id -> new Frame.RoomAdd(id, room, List.of("carol")))).code())
          .isEqualTo(ErrorCode.FORBIDDEN);
      Frame.RoomReply promoted = (Frame.RoomReply) a.call(id -> new Frame.RoomSetRole(id, room, "bob",
          io.ciphertalk.core.model.Role.ADMIN));
      assertThat(promoted.room().members()).anySatisfy(m -> {
        assertThat(m.user()).isEqualTo("bob");
        assertThat(m.role()).isEqualTo(io.ciphertalk.core.model.Role.ADMIN);
      });
      assertThat(b.call(id -> new Frame.RoomAdd(id, room, List.of("carol")))).isInstanceOf(Frame.RoomReply.class);
      assertThat(error(b.call(id -> new Frame.RoomAdd(id, room, List.of("dave")))).code())
          .isEqualTo(ErrorCode.ROOM_FULL);
      assertThat(error(c.call(id -> new Frame.RoomRemove(id, room, "bob"))).code()).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(error(b.call(id -> new Frame.RoomRemove(id, room, "alice"))).code()).isEqualTo(ErrorCode.FORBIDDEN);
      Frame.RoomReply renamed = (Frame.RoomReply) b.call(id -> new Frame.RoomRename(id, room, "crew", "ship"));
      assertThat(renamed.room().name()).isEqualTo("crew");
      assertThat(a.call(id -> new Frame.RoomLeave(id, room))).isInstanceOf(Frame.Ok.class);
      Frame.RoomReply after = (Frame.RoomReply) b.call(id -> new Frame.RoomGet(id, room));
      assertThat(after.room().members()).extracting(io.ciphertalk.core.wire.MemberInfo::user)
          .containsExactlyInAnyOrder("bob", "carol");
      assertThat(after.room().members()).anySatisfy(m -> {
        assertThat(m.user()).isEqualTo("bob");
        assertThat(m.role()).isEqualTo(io.ciphertalk.core.model.Role.OWNER);
      });
      assertThat(error(a.call(id -> new Frame.RoomGet(id, room))).code()).isEqualTo(ErrorCode.FORBIDDEN);
      assertThat(dave).isNotEmpty();
    }
  }
}
