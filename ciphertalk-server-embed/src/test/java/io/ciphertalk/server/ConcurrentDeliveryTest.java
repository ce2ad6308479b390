package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 50 clients x 100 messages in shared rooms, over real sockets. */
class ConcurrentDeliveryTest {
  private static final int CLIENTS = 50;
  private static final int PER_CLIENT = 100;
  private static final int ROOM_SIZE = 10;

  @Test
  void fiftyClients_hundredMessagesEach_everyMessageDeliveredExactlyOncePerDevice_inPerSenderOrder()
      throws Exception {
    try (CipherTalkServer server = TestServers.builder().build().start()) {
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        tokens.add(TestServers.account(server, "user" + i));
      }
      List<RawClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < CLIENTS; i++) {
          clients.add(RawClient.login(server, tokens.get(i), 1));
        }
        // Rooms of ROOM_SIZE members: user0..9 share a room, user10..19 the next, ...
        Map<Integer, String> roomOf = new HashMap<>();
        for (int r = 0; r < CLIENTS / ROOM_SIZE; r++) {
          String[] others = new String[ROOM_SIZE - 1];
          for (int k = 1; k < ROOM_SIZE; k++) {
            others[k - 1] = "user" + (r * ROOM_SIZE + k);
          }
          String room = Fixtures.createRoom(clients.get(r * ROOM_SIZE), RoomKind.GROUP, "room" + r, others)
              .room().roomId();
          for (int k = 0; k < ROOM_SIZE; k++) {
            roomOf.put(r * ROOM_SIZE + k, room);
          }
        }
        for (RawClient c : clients) {
          while (c.nextPush(Duration.ZERO) != null) {
            // drop room events from setup
          }
        }
        Map<Integer, List<MessageId>> ids = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> sends = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          int me = i;
          sends.add(pool.submit(() -> {
            RawClient c = clients.get(me);
            List<MessageId> mine = new ArrayList<>();
            Set<String> pending = new HashSet<>();
            for (int n = 0; n < PER_CLIENT; n++) {
              MessageId mid = RawClient.newMessageId();
              mine.add(mid);
              String body = "user" + me + ":" + n;
              pending.add(c.send(id -> new Frame.SendGroup(id, mid, roomOf.get(me), null, Fixtures.text(body))));
              if (n % 20 == 0) {
                // A retry with the same message id must be deduplicated.
                pending.add(c.send(id -> new Frame.SendGroup(id, mid, roomOf.get(me), null, Fixtures.text(body))));
              }
            }
            ids.put(me, mine);
            int duplicates = 0;
            while (!pending.isEmpty()) {
              Frame f = c.awaitResponse(fr -> true, Duration.ofSeconds(60));
              assertThat(f).isInstanceOf(Frame.Sent.class);
              pending.remove(f.id());
              if (((Frame.Sent) f).duplicate()) {
                duplicates++;
              }
            }
            return duplicates;
          }));
        }
        for (Future<Integer> s : sends) {
          assertThat(s.get(90, TimeUnit.SECONDS)).isEqualTo(PER_CLIENT / 20);
        }
        pool.shutdown();

        int expected = (ROOM_SIZE - 1) * PER_CLIENT;
        for (int i = 0; i < CLIENTS; i++) {
          RawClient c = clients.get(i);
          Map<String, Integer> lastIndex = new HashMap<>();
          Set<MessageId> seen = new HashSet<>();
          int received = 0;
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          long lastSeq = 0;
          while (received < expected) {
            assertThat(System.nanoTime()).as("user%d received %d of %d", i, received, expected).isLessThan(deadline);
            Frame f = c.nextPush(Duration.ofSeconds(1));
            if (!(f instanceof Frame.Deliver d)) {
              continue;
            }
            assertThat(seen.add(d.delivery().messageId())).as("duplicate delivery").isTrue();
            String[] parts = Fixtures.text(d.delivery().ciphertext()).split(":");
            int index = Integer.parseInt(parts[1]);
            Integer prev = lastIndex.put(parts[0], index);
            assertThat(index).as("per-sender order from %s", parts[0]).isEqualTo(prev == null ? 0 : prev + 1);
            assertThat(parts[0]).isNotEqualTo("user" + i);
            assertThat(d.delivery().seq()).isGreaterThan(lastSeq);
            lastSeq = d.delivery().seq();
            received++;
          }
          assertThat(lastIndex).hasSize(ROOM_SIZE - 1).allSatisfy((k, v) -> assertThat(v).isEqualTo(PER_CLIENT - 1));
          long ack = lastSeq;
          String room = roomOf.get(i);
          c.send(id -> new Frame.Ack(id, "room:" + room, ack));
        }
        assertThat(server.metricsText()).contains("ciphertalk_room_timeline_messages " + CLIENTS * PER_CLIENT);
      } finally {
        clients.forEach(RawClient::close);
      }
    }
  }
}
