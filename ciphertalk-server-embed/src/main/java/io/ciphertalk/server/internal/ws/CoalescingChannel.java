package io.ciphertalk.server.internal.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;

/**
 * A connection's socket as Java-WebSocket's selector thread sees it, writing every frame queued
 * for the connection with one gathering {@code write} instead of one system call per frame.
 *
 * <p>The library's writer ({@code SocketChannelIOHelper.batch}) takes the connection's queued
 * frame buffers one at a time, calls {@link #write} with each and drops a buffer once it has no
 * bytes remaining. So while more buffers are queued behind the current one, this channel only
 * keeps a view of it and reports it consumed; with the last queued buffer it writes all kept views
 * and that buffer together. Bytes go out in queue order: a buffer is written only after every kept
 * view before it is on the wire, and a buffer that cannot be written yet stays queued (the library
 * then keeps write interest and calls again). At a fan-out of one frame per connection this is one
 * write per frame, as before; when frames pile up (a room message to a busy connection, a backlog
 * replay) it saves a system call per frame, which is most of the selector thread's cost.
 *
 * <p>Reads pass through the connection's {@link InboundGuard} (when the channel was made by
 * {@link #factory(ConnectionGate, Violations)}): a violation sends its last words if nothing else is
 * half-written, and reads as end-of-stream, so the library closes the connection; the socket then
 * lingers ({@link ConnectionGate#linger}) so the client reads the close frame instead of a reset.
 *
 * <p>Reads and writes run on the selector thread only; {@link #close}, {@link #enqueued} and
 * {@link #unwrittenBytes} may be called from any thread.
 */
public final class CoalescingChannel implements ByteChannel {

  /** Kept views before a write is forced even though more buffers are queued. */
  static final int MAX_HELD_BUFFERS = 64;

  /** Kept bytes before a write is forced even though more buffers are queued. */
  static final int MAX_HELD_BYTES = 256 * 1024;

  private final SocketChannel socket;
  private final Queue<ByteBuffer> queue;
  private final ArrayDeque<ByteBuffer> held = new ArrayDeque<>();
  private long heldBytes;
  /**
   * Bytes of the frames the server queued ({@link #enqueued}) not yet written to the socket; the
   * library's own control frames are not counted, and a write never takes it below zero, so it
   * can only undercount by the few bytes of those frames while they are queued.
   */
  private final AtomicLong unwritten = new AtomicLong();
  /** Null for channels made by {@link #factory()} (no guard). */
  private final InboundGuard guard;
  private final Runnable onClose;
  private final Violations violations;
  /** Takes a refused socket for a lingering close ({@link ConnectionGate#linger}); null: close at once. */
  private final java.util.function.Predicate<SocketChannel> lingerer;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Set by the selector thread when the guard refused the connection; read by {@link #close}. */
  private volatile boolean refused;
  private final AtomicBoolean lingerTaken = new AtomicBoolean();
  private volatile boolean lingering;

  /** Where refused connections are reported (a counter and a rate-limited log line). */
  public interface Violations {
    void refused(String address, int code, String reason);
  }

  /**
   * @param socket the connection's non-blocking socket
   * @param queue the library's send queue of that connection (the buffers {@link #write} is
   *     called with, head first)
   */
  CoalescingChannel(SocketChannel socket, Queue<ByteBuffer> queue) {
    this(socket, queue, null, () -> {}, null, null);
  }

  private CoalescingChannel(SocketChannel socket, Queue<ByteBuffer> queue, InboundGuard guard,
      Runnable onClose, Violations violations, java.util.function.Predicate<SocketChannel> lingerer) {
    this.socket = socket;
    this.queue = queue;
    this.guard = guard;
    this.onClose = onClose;
    this.violations = violations;
    this.lingerer = lingerer;
  }

  /**
   * A factory for {@code WebSocketServer.setWebSocketFactory}: the library's default connections,
   * each on a coalescing channel. (Public for the benchmarks' reference relay, which can run on
   * the same write path for comparison; the package is not exported.)
   */
  public static WebSocketServerFactory factory() {
    return new WebSocketServerFactory() {
      @Override
      public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
        return new WebSocketImpl(a, d);
      }

      @Override
      public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
        return new WebSocketImpl(a, drafts);
      }

      @Override
      public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) {
        // The library registers the key with its connection attached before asking for the channel.
        return new CoalescingChannel(channel, ((WebSocketImpl) key.attachment()).outQueue);
      }

      @Override
      public void close() {
        // holds nothing
      }
    };
  }

  /**
   * The server's factory: every accepted socket passes the {@link ConnectionGate} (refused ones
   * get an HTTP 503 and are closed at once), reads through an {@link InboundGuard}, and is closed
   * if its upgrade request is not complete within {@link WsLimits#handshakeTimeout}.
   */
  static WebSocketServerFactory factory(ConnectionGate gate, Violations violations) {
    return new WebSocketServerFactory() {
      @Override
      public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
        return new WebSocketImpl(a, d);
      }

      @Override
      public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
        return new WebSocketImpl(a, drafts);
      }

      @Override
      public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) {
        WebSocketImpl impl = (WebSocketImpl) key.attachment();
        java.net.InetAddress address = ConnectionGate.addressOf(channel);
        ConnectionGate.Refusal refusal = gate.admit(channel);
        if (refusal != null) {
          ConnectionGate.refuse(channel, ConnectionGate.httpResponse(503, "Service Unavailable"));
          if (refusal == ConnectionGate.Refusal.NO_DESCRIPTORS) {
            gate.afterRefusedClose();
          }
          violations.refused(address.getHostAddress(), 503, refusal.reason);
          return new CoalescingChannel(channel, impl.outQueue);
        }
        InboundGuard guard = new InboundGuard(gate.limits(), gate,
            () -> impl.getAttachment() instanceof Connection c && c.authenticated());
        CoalescingChannel[] self = new CoalescingChannel[1];
        CoalescingChannel ch = new CoalescingChannel(channel, impl.outQueue, guard, () -> {
          guard.release();
          gate.closed(address);
          gate.untrack(self[0]);
        }, violations, gate::linger);
        self[0] = ch;
        gate.track(ch);
        try {
          gate.scheduler().schedule(() -> {
            if (impl.getReadyState() == ReadyState.NOT_YET_CONNECTED) {
              ch.lastWords(ConnectionGate.httpResponse(408, "Request Timeout"));
              violations.refused(address.getHostAddress(), 408, "upgrade request not complete in time");
              impl.closeConnection(CloseFrame.NEVER_CONNECTED, "handshake timeout");
            }
          }, gate.limits().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // shutting down: the library closes every socket
        }
        return ch;
      }

      @Override
      public void close() {
        gate.close();
      }
    };
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int n = src.remaining();
    boolean moreQueued = queue.size() > 1;
    if (moreQueued && held.size() < MAX_HELD_BUFFERS && heldBytes + n <= MAX_HELD_BYTES) {
      held.add(src.duplicate());
      heldBytes += n;
      src.position(src.limit());
      return n;
    }
    if (held.isEmpty()) {
      int k = socket.write(src);
      written(k);
      return k;
    }
    ByteBuffer[] all = held.toArray(new ByteBuffer[held.size() + 1]);
    all[held.size()] = src;
    written(socket.write(all));
    long still = 0;
    while (!held.isEmpty() && !held.peek().hasRemaining()) {
      held.poll();
    }
    for (ByteBuffer b : held) {
      still += b.remaining();
    }
    heldBytes = still;
    return n - src.remaining();
  }

  /** Bytes reported written to the library but still waiting for the socket (selector thread). */
  long heldBytes() {
    return heldBytes;
  }

  private void written(long k) {
    if (k > 0) {
      unwritten.updateAndGet(v -> Math.max(0, v - k));
    }
  }

  /** Counts {@code n} bytes the server is about to queue for this connection. Any thread. */
  public void enqueued(long n) {
    unwritten.addAndGet(n);
  }

  /** Bytes the server queued for this connection and the socket has not taken yet. Any thread. */
  public long unwrittenBytes() {
    return unwritten.get();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int from = dst.position();
    int n = socket.read(dst);
    if (n <= 0 || guard == null) {
      return n;
    }
    InboundGuard.Violation v = guard.scan(dst, from, from + n);
    if (v == null) {
      return n;
    }
    dst.position(from);
    if (queue.isEmpty() && held.isEmpty()) {
      lastWords(v.lastWords());
    }
    violations.refused(remote(), v.closeCode(), v.reason());
    refused = true;
    return -1; // the library closes the connection as if the peer had gone (a lingering close)
  }

  /** Best effort, without blocking: bytes for a connection about to be closed. */
  void lastWords(byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    try {
      socket.write(ByteBuffer.wrap(bytes));
    } catch (IOException e) {
      // the peer is gone already
    }
  }

  private String remote() {
    return ConnectionGate.addressOf(socket).getHostAddress();
  }

  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  @Override
  public void close() throws IOException {
    try {
      if (refused && lingerer != null && lingerTaken.compareAndSet(false, true) && socket.isOpen()
          && lingerer.test(socket)) {
        lingering = true; // the gate closes it once drained
      }
      if (!lingering) {
        socket.close();
      }
    } finally {
      if (closed.compareAndSet(false, true)) {
        onClose.run();
      }
    }
  }
}
