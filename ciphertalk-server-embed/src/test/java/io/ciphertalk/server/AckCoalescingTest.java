package io.ciphertalk.server;

import static io.ciphertalk.server.Fixtures.createRoom;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Frame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room acknowledgements are coalesced in memory and persisted as the highest cursor per device once
 * per writer batch (and on close); sends dedupe on the message-id key and number messages from the
 * cached room counter. A reconnecting device resumes after its last acknowledged seq, losing nothing.
 */
class AckCoalescingTest {

  private static CipherTalkServer server(Path dir) {
    return CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1").dataDirectory(dir)
        .passwordHashing(64, 1).build().start();
  }

  private static Frame send(RawClient a, String room, MessageId id, int n) throws InterruptedException {
    return a.call(f -> new Frame.SendGroup(f, id, room, null, Fixtures.text("m" + n)));
  }

  /** Receives {@code n} deliveries and returns their seqs in arrival order. */
  private static List<Long> receive(RawClient c, int n) throws InterruptedException {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seqs.add(c.awaitType(Frame.Deliver.class).delivery().seq());
    }
    return seqs;
  }

  @Test
  void coalescedAcks_reconnectResumesAfterLastAckedSeq_andSurviveRestart_withNoLoss(@TempDir Path dir)
      throws Exception {
    String aliceToken;
    String bobToken;
    String room;
    try (CipherTalkServer s = server(dir)) {
      aliceToken = TestServers.account(s, "alice");
      bobToken = TestServers.account(s, "bob");
      try (RawClient a = RawClient.login(s, aliceToken, 1)) {
        room = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
        for (int i = 1; i <= 5; i++) {
          assertThat(send(a, room, RawClient.newMessageId(), i)).isInstanceOf(Frame.Sent.class);
        }
      }
      String stream = "room:" + room;
      try (RawClient b = RawClient.login(s, bobToken, 1)) {
        assertThat(receive(b, 5)).containsExactly(1L, 2L, 3L, 4L, 5L);
        // Several acks in a burst (coalesced): only the highest counts.
        for (long seq = 1; seq <= 3; seq++) {
          long q = seq;
          assertThat(b.call(f -> new Frame.Ack(f, stream, q))).isInstanceOf(Frame.Ok.class);
        }
        // An older cumulative ack never moves the cursor back.
        assertThat(b.call(f -> new Frame.Ack(f, stream, 2))).isInstanceOf(Frame.Ok.class);
      }
      // Reconnect: exactly what was not acknowledged comes again, nothing before it.
      try (RawClient b = RawClient.login(s, bobToken, 1)) {
        assertThat(receive(b, 2)).containsExactly(4L, 5L);
        assertThat(b.call(f -> new Frame.Ack(f, stream, 5))).isInstanceOf(Frame.Ok.class);
      }
    }
    // Restart on the same file: the acknowledged cursor (5) was persisted, at the latest by close().
    try (CipherTalkServer s = server(dir)) {
      try (RawClient a = RawClient.login(s, aliceToken, 1)) {
        assertThat(send(a, room, RawClient.newMessageId(), 6)).isInstanceOf(Frame.Sent.class);
      }
      try (RawClient b = RawClient.login(s, bobToken, 1)) {
        Frame.Deliver first = b.awaitType(Frame.Deliver.class);
        assertThat(first.delivery().seq()).as("first delivery after restart").isEqualTo(6L);
      }
    }
  }

  @Test
  void retriedGroupSend_isAnsweredAsDuplicate_andDoesNotAdvanceTheRoomSequence(@TempDir Path dir) throws Exception {
    try (CipherTalkServer s = server(dir)) {
      String aliceToken = TestServers.account(s, "alice");
      String bobToken = TestServers.account(s, "bob");
      try (RawClient a = RawClient.login(s, aliceToken, 1); RawClient b = RawClient.login(s, bobToken, 1)) {
        String room = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
        MessageId id = RawClient.newMessageId();
        Frame.Sent first = (Frame.Sent) send(a, room, id, 1);
        Frame.Sent retry = (Frame.Sent) send(a, room, id, 1);
        assertThat(first.duplicate()).isFalse();
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.sentAt()).isEqualTo(first.sentAt());
        assertThat(((Frame.Sent) send(a, room, RawClient.newMessageId(), 2)).duplicate()).isFalse();
        List<Frame.Deliver> got = new ArrayList<>();
        got.add(b.awaitType(Frame.Deliver.class));
        got.add(b.awaitType(Frame.Deliver.class));
        assertThat(got.stream().map(d -> d.delivery().seq()).toList()).containsExactly(1L, 2L);
        assertThat(got.get(0).delivery().messageId()).isEqualTo(id);
        // The retry was not stored or delivered a second time: the next delivery is the next message.
        MessageId third = RawClient.newMessageId();
        assertThat(((Frame.Sent) send(a, room, third, 3)).duplicate()).isFalse();
        Frame.Deliver next = b.awaitType(Frame.Deliver.class);
        assertThat(next.delivery().messageId()).isEqualTo(third);
        assertThat(next.delivery().seq()).isEqualTo(3L);
      }
    }
  }

  @Test
  void memberAddedRightAfterSends_seesOnlyLaterMessages_andTheRoomCounterIsPersisted(@TempDir Path dir)
      throws Exception {
    String room;
    String carolToken;
    String aliceToken;
    try (CipherTalkServer s = server(dir)) {
      aliceToken = TestServers.account(s, "alice");
      TestServers.account(s, "bob");
      carolToken = TestServers.account(s, "carol");
      try (RawClient a = RawClient.login(s, aliceToken, 1)) {
        room = createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
        // Sends and the invitation in one burst (likely one writer batch): the joiner's start is
        // taken after the three sends, whose counter is only in the writer's cache until flushed.
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
          int n = i;
          ids.add(a.send(f -> new Frame.SendGroup(f, RawClient.newMessageId(), room, null, Fixtures.text("m" + n))));
        }
        String invite = a.send(f -> new Frame.RoomAdd(f, room, List.of("carol")));
        for (String id : ids) {
          assertThat(a.awaitResponse(f -> id.equals(f.id()), java.time.Duration.ofSeconds(15)))
              .isInstanceOf(Frame.Sent.class);
        }
        assertThat(a.awaitResponse(f -> invite.equals(f.id()), java.time.Duration.ofSeconds(15)))
            .isNotInstanceOf(Frame.ErrorReply.class);
        assertThat(send(a, room, RawClient.newMessageId(), 4)).isInstanceOf(Frame.Sent.class);
      }
      try (RawClient c = RawClient.login(s, carolToken, 1)) {
        assertThat(c.awaitType(Frame.Deliver.class).delivery().seq()).isEqualTo(4L);
      }
    }
    // After a restart the counter continues from the persisted last_seq.
    try (CipherTalkServer s = server(dir)) {
      try (RawClient a = RawClient.login(s, aliceToken, 1)) {
        assertThat(send(a, room, RawClient.newMessageId(), 5)).isInstanceOf(Frame.Sent.class);
      }
      try (RawClient c = RawClient.login(s, carolToken, 1)) {
        assertThat(c.awaitType(Frame.Deliver.class).delivery().seq()).isEqualTo(4L);
        assertThat(c.awaitType(Frame.Deliver.class).delivery().seq()).isEqualTo(5L);
      }
    }
  }
}
