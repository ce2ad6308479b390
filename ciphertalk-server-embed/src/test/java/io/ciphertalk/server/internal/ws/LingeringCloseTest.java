package io.ciphertalk.server.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ConnectionGate#linger}: a refused socket ends with an orderly end of stream, its input is
 * drained until the client closes or the time runs out, and no more than
 * {@link ConnectionGate#MAX_LINGERING} sockets linger at once.
 */
class LingeringCloseTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ConnectionGate gate = new ConnectionGate(new WsLimits(64 * 1024, 8 * 1024, 8 * 1024,
      1 << 20, 1 << 20, Duration.ofSeconds(5), 1000, 1000), scheduler);
  private final List<SocketChannel> sockets = new ArrayList<>();
  private ServerSocketChannel listener;

  @AfterEach
  void close() throws IOException {
    gate.close();
    scheduler.shutdownNow();
    for (SocketChannel s : sockets) {
      s.close();
    }
    if (listener != null) {
      listener.close();
    }
  }

  /** A connected pair over loopback: [server side (non-blocking, as the library's), client side]. */
  private SocketChannel[] pair() throws IOException {
    if (listener == null) {
      listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    }
    SocketChannel client = SocketChannel.open(listener.getLocalAddress());
    SocketChannel server = listener.accept();
    server.configureBlocking(false);
    sockets.add(client);
    sockets.add(server);
    return new SocketChannel[] {server, client};
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  @Timeout(60) // without the drain, the client's 2 MiB write would block for good
  void aLingeringSocket_endsItsOutput_drainsTheClient_andClosesWhenTheClientDoes() throws Exception {
    SocketChannel[] p = pair();
    p[0].write(ByteBuffer.wrap(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xF1})); // close 1009
    assertThat(gate.linger(p[0])).isTrue();
    assertThat(gate.lingering()).isEqualTo(1);
    // The client can still send (2 MiB here, more than loopback buffers hold unread): it is drained.
    ByteBuffer rest = ByteBuffer.allocate(2 << 20);
    while (rest.hasRemaining()) {
      p[1].write(rest);
    }
    ByteBuffer in = ByteBuffer.allocate(16);
    while (p[1].read(in) >= 0) {
      // the close frame, then the end of stream (a FIN, not a reset)
    }
    assertThat(in.flip().remaining()).isEqualTo(4);
    assertThat(in.get(0) & 0xFF).isEqualTo(0x88);
    assertThat(gate.lingering()).as("still draining until the client closes").isEqualTo(1);
    p[1].close();
    await(() -> gate.lingering() == 0, "the server side closes once the client has closed");
    assertThat(p[0].isOpen()).isFalse();
  }

  @Test
  void atMostMaxLingeringAtOnce_andEachEndsByTheDeadline() throws Exception {
    List<SocketChannel[]> pairs = new ArrayList<>();
    for (int i = 0; i < ConnectionGate.MAX_LINGERING; i++) {
      SocketChannel[] p = pair();
      pairs.add(p);
      assertThat(gate.linger(p[0])).isTrue();
    }
    SocketChannel[] extra = pair();
    assertThat(gate.linger(extra[0])).as("one past the cap: the caller closes it at once").isFalse();
    assertThat(extra[0].isOpen()).isTrue();
    assertThat(gate.lingering()).isEqualTo(ConnectionGate.MAX_LINGERING);
    // Clients that never close: each socket is closed by the deadline.
    await(() -> gate.lingering() == 0, "every lingering socket closed by the deadline");
    for (SocketChannel[] p : pairs) {
      assertThat(p[0].isOpen()).isFalse();
    }
    assertThat(gate.linger(extra[0])).as("room again").isTrue();
  }
}
