package io.ciphertalk.server.internal.ws;

import io.ciphertalk.server.internal.metrics.Metrics;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket listener (Java-WebSocket), hardened against the library's traps:
 * <ul>
 *   <li>{@link Draft_6455} is built with an explicit maximum frame size and no extensions, so a
 *       frame header declaring a huge length is refused (1009) before any allocation, and
 *       permessage-deflate (whose context takeover is broken upstream) is never negotiated;</li>
 *   <li>the library's per-connection send queue is unbounded, so every send first checks the bytes
 *       still queued and closes a slow consumer (4008) above the configured bound;</li>
 *   <li>message callbacks run on the library's decoder threads, so nothing here touches the
 *       database: the protocol handler hands work to bounded executors;</li>
 *   <li>the handshake checks the path and the Origin allow-list; ping/pong liveness uses the
 *       library's lost-connection timer;</li>
 *   <li>every accepted socket passes a {@link ConnectionGate} (total and per-address caps counting
 *       half-open sockets, an accept path that survives descriptor exhaustion) and reads through an
 *       {@link InboundGuard} (message limits summed over fragments, a smaller one before
 *       {@code hello}, server-wide inbound budgets, handshake size and timeout, protocol checks), so the
 *       library never buffers more than the budgets allow and never logs a client's bad frame at ERROR.</li>
 * </ul>
 * Thread-safe.
 */
public final class WsServer extends WebSocketServer {
  private static final Logger LOG = LoggerFactory.getLogger(WsServer.class);

  private final FrameHandler handler;
  private final io.ciphertalk.server.internal.OriginPolicy origins;
  private final long maxOutboundBytes;
  private final ConnectionGate gate;
  private volatile Thread selectorThread;
  private volatile Exception fatal;
  private final java.util.concurrent.atomic.AtomicLong lastRefusalLog = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong refusalsSinceLog = new java.util.concurrent.atomic.AtomicLong();
  private final double ratePerSecond;
  private final int burst;
  private final Metrics metrics;
  private final CountDownLatch started = new CountDownLatch(1);
  /** Forces TCP close when a peer does not complete the close handshake (e.g. it stopped reading). */
  private final java.util.concurrent.ScheduledExecutorService reaper =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ciphertalk-ws-reaper");
        t.setDaemon(true);
        return t;
      });
  private final AtomicReference<Exception> startError = new AtomicReference<>();

  WsServer(
      InetSocketAddress bind, WsLimits limits, FrameHandler handler, io.ciphertalk.server.internal.OriginPolicy origins,
      long maxOutboundBytes, double ratePerSecond, int burst, int pingIntervalSeconds,
      Metrics metrics) {
    super(bind, Math.max(2, Runtime.getRuntime().availableProcessors()),
        List.<Draft>of(new Draft_6455(List.of(), List.of(new org.java_websocket.protocols.Protocol("")),
            limits.maxMessageBytes())));
    this.handler = handler;
    this.origins = origins;
    this.maxOutboundBytes = maxOutboundBytes;
    this.gate = new ConnectionGate(limits, reaper);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.metrics = metrics;
    setReuseAddr(true);
    // Java-WebSocket's default listen backlog (50) drops SYNs under a burst of connects (1 s retransmit each).
    setMaxPendingConnections(1024);
    setTcpNoDelay(true);
    setDaemon(true);
    setConnectionLostTimeout(pingIntervalSeconds);
    setWebSocketFactory(CoalescingChannel.factory(gate, this::refused));
  }

  /**
   * Counts a refused connection and logs it: each at DEBUG, and at most one INFO line a minute
   * with the count, so a flood of bad clients cannot flood the log.
   */
  private void refused(String address, int code, String reason) {
    metrics.connectionRefused();
    long n = refusalsSinceLog.incrementAndGet();
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if ((last == 0 || now - last > 60_000_000_000L) && lastRefusalLog.compareAndSet(last, now)) {
      refusalsSinceLog.addAndGet(-n);
      LOG.info("refused {} websocket connection(s) in the last minute; latest from {}: {} ({})", n, address, reason,
          code);
    } else {
      LOG.debug("refused websocket connection from {}: {} ({})", address, reason, code);
    }
  }

  /** Frees the spare descriptor for the socket the library is about to accept (selector thread). */
  @Override
  protected boolean onConnect(java.nio.channels.SelectionKey key) {
    gate.beforeAccept(key);
    return true;
  }

  /** True while the selector thread runs and the listening socket is open. */
  boolean listening() {
    Thread t = selectorThread;
    return t != null && t.isAlive() && fatal == null && gate.listenerOpen();
  }

  ConnectionGate gate() {
    return gate;
  }

  /** Starts and waits until the socket is bound (or fails). */
  void startAndAwait() throws Exception {
    start();
    if (!started.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("websocket server did not start");
    }
    if (startError.get() != null) {
      throw startError.get();
    }
  }

  static String joinRoomFromPath(String path) {
    if (path.equals("/ws") || path.equals("/ws/")) {
      return null;
    }
    if (path.startsWith("/ws/chat/")) {
      String room = path.substring("/ws/chat/".length());
      if (room.endsWith("/")) {
        room = room.substring(0, room.length() - 1);
      }
      if (room.matches("[A-Za-z0-9._-]{1,64}")) {
        return room;
      }
    }
    throw new IllegalArgumentException("unknown path");
  }

  private static String pathOf(String resource) {
    int q = resource.indexOf('?');
    return q < 0 ? resource : resource.substring(0, q);
  }

  @Override
  public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
      WebSocket conn, Draft draft, ClientHandshake request) throws InvalidDataException {
    ServerHandshakeBuilder b = super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    try {
      joinRoomFromPath(pathOf(request.getResourceDescriptor()));
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "unknown endpoint");
    }
    String origin = request.getFieldValue("Origin");
    if (!origins.allowsWebSocket(origin, request.getFieldValue("Host"))) {
      metrics.frameRejected();
      throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "origin not allowed");
    }
    return b;
  }

  @Override
  public void onOpen(WebSocket ws, ClientHandshake handshake) {
    String path = pathOf(handshake.getResourceDescriptor());
    Connection c = new Connection(new SocketChannel(ws), path, joinRoomFromPath(path), ratePerSecond, burst);
    ws.setAttachment(c);
    handler.onOpen(c);
  }

  @Override
  public void onMessage(WebSocket ws, String message) {
    Connection c = ws.getAttachment();
    if (c != null) {
      handler.onText(c, message);
    }
  }

  @Override
  public void onMessage(WebSocket ws, ByteBuffer message) {
    metrics.frameRejected();
    ws.close(CloseFrame.REFUSE, "binary frames are not supported");
  }

  @Override
  public void onClose(WebSocket ws, int code, String reason, boolean remote) {
    Connection c = ws.getAttachment();
    if (c != null && !c.closed) {
      c.closed = true;
      handler.onClose(c);
    }
  }

  @Override
  public void onError(WebSocket ws, Exception ex) {
    if (ws == null) {
      startError.compareAndSet(null, ex);
      if (started.getCount() == 0) {
        fatal = ex;
      }
      started.countDown();
      LOG.error("websocket server error: {}", ex.toString());
    } else {
      LOG.debug("websocket connection error: {}", ex.toString());
    }
  }

  @Override
  public void stop(int timeout, String message) throws InterruptedException {
    try {
      super.stop(timeout, message);
    } catch (ClosedSelectorException e) {
      // Java-WebSocket's stop() sends close frames to every connection while its selector thread
      // may already have closed the selector (seen with 10,000 connections): the sockets are closed
      // with the selector anyway, and the rest of the server's shutdown (cursor flush, database
      // close) must still run.
      LOG.debug("websocket selector closed while stopping: {}", e.toString());
    } finally {
      gate.close();
      reaper.shutdownNow();
    }
  }

  @Override
  public void onStart() {
    selectorThread = Thread.currentThread();
    started.countDown();
  }

  /** Adapts a Java-WebSocket connection, bounding its otherwise unbounded send queue. */
  private final class SocketChannel implements Channel {
    private final WebSocket ws;
    private final String address;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    SocketChannel(WebSocket ws) {
      this.ws = ws;
      InetSocketAddress a = ws.getRemoteSocketAddress();
      this.address = a == null ? "?" : a.getAddress().getHostAddress();
    }

    @Override
    public void sendText(String frame) {
      enqueue(EncodedText.textFrame(frame.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Override
    public void sendEncoded(EncodedText frame) {
      enqueue(frame.wsFrame()); // the same frame bytes for every recipient
    }

    /**
     * Queues a complete server text frame on the connection's send queue, as the library's own
     * single-frame send does (queue, then write demand), without its per-frame copy of the payload
     * and the log message it formats (a String of the frame's bytes) even when tracing is off.
     */
    private void enqueue(byte[] wsFrame) {
      if (!ws.isOpen()) {
        return;
      }
      long buffered = bufferedBytes();
      // A frame always fits into an empty buffer; otherwise the bound is hard.
      if (buffered > 0 && buffered + wsFrame.length > maxOutboundBytes) {
        LOG.info("closing slow consumer {} ({} bytes buffered)", address, buffered);
        close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound buffer full");
        return;
      }
      WebSocketImpl impl = (WebSocketImpl) ws; // the factory makes only these
      if (impl.getChannel() instanceof CoalescingChannel c) {
        c.enqueued(wsFrame.length);
      }
      impl.outQueue.add(ByteBuffer.wrap(wsFrame));
      onWriteDemand(impl);
    }

    @Override
    public long bufferedBytes() {
      if (!(ws instanceof WebSocketImpl impl)) {
        return 0;
      }
      if (impl.getChannel() instanceof CoalescingChannel c) {
        return c.unwrittenBytes();
      }
      long sum = 0;
      for (ByteBuffer b : impl.outQueue) {
        sum += b.remaining();
      }
      return sum;
    }

    /**
     * Sends a close frame, and drops the TCP connection if the peer has not completed the close
     * handshake within 2 s (a peer that stopped reading never sees the frame, queued behind data).
     */
    @Override
    public void close(int code, String reason) {
      if (!closing.compareAndSet(false, true)) {
        return;
      }
      if (code == CloseCodes.SLOW_CONSUMER) {
        metrics.slowConsumer();
      }
      ws.close(code, reason);
      try {
        reaper.schedule(() -> {
          if (!ws.isClosed()) {
            ws.closeConnection(code, reason);
          }
        }, 2, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        ws.closeConnection(code, reason);
      }
    }

    @Override
    public String remoteAddress() {
      return address;
    }
  }
}
