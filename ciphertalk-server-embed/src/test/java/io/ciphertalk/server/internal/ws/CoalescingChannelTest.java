package io.ciphertalk.server.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.SocketChannelIOHelper;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketListener;
import org.java_websocket.drafts.Draft_6455;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coalescing channel under Java-WebSocket's own writer ({@code SocketChannelIOHelper.batch}):
 * every queued byte arrives, in queue order, also when the socket takes only part of it.
 */
class CoalescingChannelTest {
  private ServerSocketChannel listener;
  private SocketChannel serverSide;
  private SocketChannel clientSide;
  private WebSocketImpl ws;
  private CoalescingChannel channel;

  @BeforeEach
  void connect() throws IOException {
    listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    clientSide = SocketChannel.open();
    // Small buffers on both sides (set before connecting), so the 7 MB below cannot fit and the
    // socket takes only part of many writes.
    clientSide.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
    clientSide.connect(listener.getLocalAddress());
    serverSide = listener.accept();
    serverSide.configureBlocking(false);
    serverSide.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
    WebSocketListener none = (WebSocketListener) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {WebSocketListener.class}, (p, m, a) -> null);
    ws = new WebSocketImpl(none, new Draft_6455());
    channel = new CoalescingChannel(serverSide, ws.outQueue);
  }

  @AfterEach
  void close() throws IOException {
    clientSide.close();
    serverSide.close();
    listener.close();
  }

  @Test
  void framesQueuedTogetherGoOutInOneWriteAndInOrder() throws Exception {
    byte[] a = {1, 2, 3};
    byte[] b = {4, 5};
    byte[] c = {6, 7, 8, 9};
    ws.outQueue.add(ByteBuffer.wrap(a));
    ws.outQueue.add(ByteBuffer.wrap(b));
    ws.outQueue.add(ByteBuffer.wrap(c));
    // The handshake response and control frames are written uncounted: the count stays at zero.
    // The first two are only kept (more is queued behind them); the last writes all three.
    assertThat(channel.write(ws.outQueue.peek())).isEqualTo(3);
    ws.outQueue.poll();
    assertThat(channel.heldBytes()).isEqualTo(3);
    assertThat(available()).isZero();
    assertThat(channel.write(ws.outQueue.peek())).isEqualTo(2);
    ws.outQueue.poll();
    assertThat(channel.heldBytes()).isEqualTo(5);
    assertThat(channel.write(ws.outQueue.peek())).isEqualTo(4);
    ws.outQueue.poll();
    assertThat(channel.heldBytes()).isZero();
    assertThat(channel.unwrittenBytes()).isZero();
    assertThat(readExactly(9)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void aSocketThatTakesOnlyPartLosesNothingAndKeepsOrder() throws Exception {
    Random random = new Random(42);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int i = 0; i < 12_000; i++) {
      byte[] frame = new byte[1 + random.nextInt(1200)];
      random.nextBytes(frame);
      expected.write(frame);
      channel.enqueued(frame.length);
      ws.outQueue.add(ByteBuffer.wrap(frame));
    }
    int total = expected.size();
    CompletableFuture<byte[]> received = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        received.complete(readExactly(total));
      } catch (Exception e) {
        received.completeExceptionally(e);
      }
    }, "reader");
    reader.setDaemon(true);
    assertThat(channel.unwrittenBytes()).isEqualTo(total);
    int passes = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try (Selector selector = Selector.open()) {
      serverSide.register(selector, SelectionKey.OP_WRITE);
      // The library's selector loop: batch() until it reports the queue flushed, waiting for the
      // socket to be writable in between. The reader starts only once the socket is full, so the
      // writes before it come back partial.
      while (!SocketChannelIOHelper.batch(ws, channel) || channel.heldBytes() > 0) {
        passes++;
        if (!reader.isAlive() && !received.isDone()) {
          reader.start();
        }
        assertThat(System.nanoTime()).as("flushed within 20 s; queue %d held %d got %d of %d",
            ws.outQueue.size(), channel.heldBytes(), got.get(), total).isLessThan(deadline);
        selector.select(100);
        selector.selectedKeys().clear();
      }
    }
    assertThat(ws.outQueue).isEmpty();
    assertThat(channel.unwrittenBytes()).as("everything counted was written").isZero();
    assertThat(passes).as("the socket was full at times").isPositive();
    assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(expected.toByteArray());
  }

  private int available() throws IOException {
    return clientSide.socket().getInputStream().available();
  }

  /** Bytes the reader has so far (for the failure message). */
  private final AtomicLong got = new AtomicLong();

  private byte[] readExactly(int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (clientSide.read(buf) < 0) {
        break;
      }
      got.set(buf.position());
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }
}
