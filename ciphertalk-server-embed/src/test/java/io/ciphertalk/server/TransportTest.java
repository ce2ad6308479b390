package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.transport.TransportState;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.WireCodec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client transports against the real server: in-memory and WebSocket with reconnect. */
class TransportTest {
  private static final WireCodec CODEC = WireCodec.create();
  private CipherTalkServer server;
  private String alice;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().maxOutboundBytes(16 * 1024).authTimeout(Duration.ofMillis(700)).build()
        .start();
    alice = TestServers.account(server, "alice");
    TestServers.account(server, "bob");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Records events; decodes frames. */
  private static final class Recorder implements TransportListener {
    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final AtomicInteger opens = new AtomicInteger();
    final BlockingQueue<Integer> closes = new LinkedBlockingQueue<>();
    volatile CountDownLatch gate;

    @Override
    public void onOpen() {
      opens.incrementAndGet();
    }

    @Override
    public void onFrame(String frame) {
      CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try {
        frames.add(CODEC.decode(frame));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public void onClosed(int code, String reason, boolean willReconnect) {
      closes.add(code);
    }

    Frame next() throws InterruptedException {
      Frame f = frames.poll(10, TimeUnit.SECONDS);
      assertThat(f).as("frame within 10 s").isNotNull();
      return f;
    }
  }

  private static void send(Transport t, Frame f) {
    assertThat(t.send(CODEC.encodeToString(f))).isTrue();
  }

  @Test
  void inMemoryTransport_speaksTheProtocolWithoutSockets() throws Exception {
    Recorder r = new Recorder();
    try (InMemoryTransport t = new InMemoryTransport(server.inMemoryEndpoint())) {
      t.start(r);
      TestServers.await(() -> t.state() == TransportState.OPEN, Duration.ofSeconds(5), "open");
      send(t, new Frame.Hello("h1", alice, 1, "in-memory"));
      assertThat(r.next()).isInstanceOf(Frame.Welcome.class);
      send(t, new Frame.RoomCreate("r1", RoomKind.GROUP, "team", null, List.of("bob"), null));
      Frame reply;
      do {
        reply = r.next();
      } while (reply instanceof Frame.Push);
      assertThat(reply).isInstanceOf(Frame.RoomReply.class);
    }
    assertThat(r.closes.poll(5, TimeUnit.SECONDS)).isEqualTo(1000);
  }

  @Test
  void inMemoryClient_thatStopsReading_isCutOffAsSlowConsumer() throws Exception {
    Recorder r = new Recorder();
    try (InMemoryTransport t = new InMemoryTransport(server.inMemoryEndpoint())) {
      t.start(r);
      TestServers.await(() -> t.state() == TransportState.OPEN, Duration.ofSeconds(5), "open");
      send(t, new Frame.Hello("h1", alice, 1, null));
      assertThat(r.next()).isInstanceOf(Frame.Welcome.class);
      CountDownLatch gate = new CountDownLatch(1);
      r.gate = gate;
      for (int i = 0; i < 400; i++) {
        // false once the server has cut the connection (it may do so between two sends)
        if (!t.send(CODEC.encodeToString(new Frame.RoomList("l" + i)))
            || t.state() == TransportState.CLOSED) {
          break;
        }
      }
      TestServers.await(() -> t.state() == TransportState.CLOSED, Duration.ofSeconds(10), "slow consumer cut off");
      gate.countDown();
      Integer code;
      do {
        code = r.closes.poll(10, TimeUnit.SECONDS);
      } while (code != null && code != 4008);
      assertThat(code).isEqualTo(4008);
    }
    assertThat(server.metricsText()).containsPattern("ciphertalk_slow_consumer_disconnects_total [1-9]");
  }

  @Test
  void webSocketTransport_reconnectsByItself_afterTheServerDropsTheConnection() throws Exception {
    Recorder r = new Recorder();
    URI uri = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
    try (WebSocketTransport t = WebSocketTransport.builder(uri)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
      t.start(r);
      // No hello: the server closes the connection after the auth timeout (4002, not fatal).
      assertThat(r.closes.poll(10, TimeUnit.SECONDS)).isEqualTo(4002);
      TestServers.await(() -> r.opens.get() >= 2 && t.state() == TransportState.OPEN, Duration.ofSeconds(10),
          "reconnect");
      send(t, new Frame.Hello("h1", alice, 1, null));
      Frame f;
      do {
        f = r.next();
      } while (!(f instanceof Frame.Welcome));
    }
  }

  @Test
  void webSocketTransport_replacedByAnotherConnectionOfTheDevice_staysClosed() throws Exception {
    Recorder r = new Recorder();
    URI uri = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
    try (WebSocketTransport t = WebSocketTransport.builder(uri)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
      t.start(r);
      TestServers.await(() -> t.state() == TransportState.OPEN, Duration.ofSeconds(10), "open");
      send(t, new Frame.Hello("h1", alice, 1, null));
      assertThat(r.next()).isInstanceOf(Frame.Welcome.class);
      try (RawClient other = RawClient.login(server, alice, 1)) {
        assertThat(r.closes.poll(10, TimeUnit.SECONDS)).isEqualTo(4010);
        TestServers.await(() -> t.state() == TransportState.CLOSED, Duration.ofSeconds(5), "closed");
        assertThat(r.opens.get()).isEqualTo(1);
        assertThat(other.isOpen()).isTrue();
      }
    }
  }
}
