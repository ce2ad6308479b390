package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.Presence;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.transport.InMemoryEndpoint;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.DeliveryKind;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The link's acknowledgements against a scripted server: what reaches the server as {@code ack}
 * when the engine finishes deliveries late or out of order.
 */
class WireServerLinkAckTest {
  private static final WireCodec CODEC = WireCodec.create();
  private static final DeviceAddress SELF = new DeviceAddress("bob", 1);
  private static final DeviceAddress ALICE = new DeviceAddress("alice", 1);
  private static final String STREAM = Delivery.roomStream("r1");

  /** Frames the client sent, and a handle to push frames to it. */
  private final BlockingQueue<Frame> fromClient = new LinkedBlockingQueue<>();
  private volatile InMemoryEndpoint.Peer client;
  private final BlockingQueue<Runnable> acks = new LinkedBlockingQueue<>();
  private final ManualScheduler timers = new ManualScheduler(new ManualClock(Instant.EPOCH));
  private WireServerLink link;

  @BeforeEach
  void connect() throws Exception {
    InMemoryEndpoint server = (peer, path) -> {
      client = peer;
      return new InMemoryEndpoint.Peer() {
        @Override
        public void receive(String frame) {
          try {
            Frame f = CODEC.decode(frame);
            if (f instanceof Frame.Hello h) {
              peer.receive(CODEC.encodeToString(new Frame.Welcome(h.id(), SELF, 0)));
            } else {
              fromClient.add(f);
            }
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }

        @Override
        public void close(int code, String reason) {}
      };
    };
    link = new WireServerLink(() -> new InMemoryTransport(server), null, Duration.ofSeconds(5),
        timers, timers.clock());
    link.connect(SELF, "token", new KeepAcks());
  }

  @AfterEach
  void close() {
    link.close();
  }

  @Test
  void aHeldDeliveryKeepsTheServerFromDroppingIt() throws Exception {
    for (long seq = 1; seq <= 4; seq++) {
      push(seq);
    }
    List<Runnable> done = takeAcks(4);
    Runnable held = done.remove(1); // seq 2: say its sender key has not arrived yet
    done.forEach(Runnable::run);
    timers.advance(StreamAcks.DELAY);
    // 1, 3 and 4 are done but 2 is not: an ack of 3 or 4 would let the server drop 2.
    assertThat(acksSent()).containsExactly(1L);
    held.run();
    timers.advance(StreamAcks.DELAY);
    assertThat(acksSent()).containsExactly(4L);
  }

  @Test
  void deliveriesFinishedWithinTheDelayCostOneAck() throws Exception {
    for (long seq = 1; seq <= 20; seq++) {
      push(seq);
    }
    takeAcks(20).forEach(Runnable::run);
    assertThat(acksSent()).as("nothing before the timer fires").isEmpty();
    timers.advance(StreamAcks.DELAY);
    assertThat(acksSent()).containsExactly(20L);
    timers.advance(StreamAcks.DELAY);
    assertThat(acksSent()).as("nothing new, nothing sent").isEmpty();
  }

  @Test
  void aLongBacklogIsAckedWithoutWaitingForTheTimer() throws Exception {
    int n = StreamAcks.MAX_UNACKED + 3;
    for (long seq = 1; seq <= n; seq++) {
      push(seq);
    }
    takeAcks(n).forEach(Runnable::run);
    assertThat(acksSent()).containsExactly((long) StreamAcks.MAX_UNACKED);
    timers.advance(StreamAcks.DELAY);
    assertThat(acksSent()).containsExactly((long) n);
  }

  @Test
  void aCleanDisconnectSendsThePendingAck() throws Exception {
    push(1);
    push(2);
    takeAcks(2).forEach(Runnable::run);
    link.disconnect();
    assertThat(acksSent()).containsExactly(2L);
  }

  private void push(long seq) {
    Delivery d = new Delivery(STREAM, seq, DeliveryKind.GROUP,
        new MessageId(new UUID(0x0193_0000_0000_7000L, 0x8000_0000_0000_0000L | seq)), "r1", ALICE, 1, null,
        Bytes.of(new byte[] {1, 2, 3}));
    client.receive(CODEC.encodeToString(new Frame.Deliver("s:" + seq, d)));
  }

  /** The ack callbacks of the next {@code n} deliveries, once all of them reached the engine. */
  private List<Runnable> takeAcks(int n) throws InterruptedException {
    List<Runnable> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Runnable r = acks.poll(5, TimeUnit.SECONDS);
      assertThat(r).as("delivery %d reached the engine", i + 1).isNotNull();
      out.add(r);
    }
    return out;
  }

  /** The seqs of every ack the client sent so far (acks are sent synchronously by the runnable). */
  private List<Long> acksSent() throws InterruptedException {
    List<Long> out = new CopyOnWriteArrayList<>();
    Frame f;
    while ((f = fromClient.poll(100, TimeUnit.MILLISECONDS)) != null) {
      if (f instanceof Frame.Ack a) {
        assertThat(a.stream()).isEqualTo(STREAM);
        out.add(a.seq());
      }
    }
    return out;
  }

  /** An engine that hands every ack to the test instead of running it. */
  private final class KeepAcks implements ServerLink.Inbound {
    @Override
    public void onEnvelope(DeviceAddress from, MessageId id, byte[] ciphertext,
        Instant expiresAt, Runnable ack) {
      acks.add(ack);
    }

    @Override
    public void onGroupMessage(String roomId, DeviceAddress from, MessageId id,
        byte[] ciphertext, Instant expiresAt, Runnable ack) {
      acks.add(ack);
    }

    @Override
    public void onPresence(Presence presence) {}

    @Override
    public void onMembership(String roomId, String userId, ChatEvent.MembershipChange change,
        Optional<Role> role, Optional<ServerLink.RoomInfo> room) {}

    @Override
    public void onPrekeysLow(int remaining) {}

    @Override
    public void onDisconnected(String reason) {}
  }
}
