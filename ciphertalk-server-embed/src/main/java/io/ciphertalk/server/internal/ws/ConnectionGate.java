package io.ciphertalk.server.internal.ws;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-wide admission for the WebSocket listener: the socket count (half-open handshakes
 * included) in total and per client address, the inbound buffer budgets, and an accept path that
 * survives file-descriptor exhaustion.
 *
 * <p>Descriptor exhaustion: Java-WebSocket closes its listening socket for good when
 * {@code accept} fails (its selector loop treats the {@code IOException} like a broken connection).
 * So the gate keeps one spare descriptor and frees it just before each accept; the accepted socket
 * takes it, and the gate opens a new spare right after. If that fails, the process is out of
 * descriptors: the new socket is closed at once (its descriptor becomes the spare again) and
 * accepting pauses with exponential backoff (50 ms to 1 s). The listener stays open throughout.
 * Another thread of the process could still take the freed descriptor in the few microseconds
 * between the two calls; the connection caps, sized below the descriptor limit, keep that from
 * arising in the first place.
 *
 * <p>Thread-safe: accept-side methods run on the selector thread; counters are atomic.
 */
final class ConnectionGate {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 1000;

  /** Why a socket was turned away at accept. */
  enum Refusal {
    SERVER_FULL("too many connections"),
    ADDRESS_FULL("too many connections from this address"),
    NO_DESCRIPTORS("out of file descriptors");

    final String reason;

    Refusal(String reason) {
      this.reason = reason;
    }
  }

  private final WsLimits limits;
  private final ScheduledExecutorService scheduler;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final AtomicLong preAuthHeld = new AtomicLong();
  private final AtomicLong mainHeld = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong descriptorExhaustions = new AtomicLong();
  private final java.util.Set<java.io.Closeable> live = ConcurrentHashMap.newKeySet();
  private DatagramChannel spare;
  private volatile SelectionKey acceptKey;
  private long backoffMs = MIN_BACKOFF_MS;
  private final Runnable reenable;

  ConnectionGate(WsLimits limits, ScheduledExecutorService scheduler) {
    this.limits = limits;
    this.scheduler = scheduler;
    this.spare = openSpare();
    // Loading a class can need a file descriptor (a class file on a directory class path): load
    // now what the out-of-descriptors path runs, so it cannot fail with NoClassDefFoundError then.
    Refusal.values();
    reenable = () -> {
      SelectionKey key = acceptKey;
      if (key != null && key.isValid()) {
        key.interestOps(SelectionKey.OP_ACCEPT);
        key.selector().wakeup();
      }
    };
    httpResponse(503, "Service Unavailable");
    LOG.isDebugEnabled();
  }

  WsLimits limits() {
    return limits;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  // ---------------------------------------------------------------- accept (selector thread)

  /** Called just before the library accepts: frees the spare descriptor for the new socket. */
  void beforeAccept(SelectionKey key) {
    acceptKey = key;
    if (spare == null) {
      spare = openSpare();
    }
    closeSpare();
  }

  /**
   * Admits an accepted socket or says why not. An admitted socket must be passed to
   * {@link #closed} exactly once.
   */
  Refusal admit(SocketChannel socket) {
    spare = openSpare();
    if (spare == null) {
      descriptorExhaustions.incrementAndGet();
      refused.incrementAndGet();
      pauseAccepting();
      return Refusal.NO_DESCRIPTORS;
    }
    backoffMs = MIN_BACKOFF_MS;
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      refused.incrementAndGet();
      return Refusal.SERVER_FULL;
    }
    InetAddress a = addressOf(socket);
    AtomicInteger n = perAddress.computeIfAbsent(a, k -> new AtomicInteger());
    if (n.incrementAndGet() > limits.maxConnectionsPerAddress()) {
      release(a);
      open.decrementAndGet();
      refused.incrementAndGet();
      return Refusal.ADDRESS_FULL;
    }
    return null;
  }

  /** After a {@link Refusal#NO_DESCRIPTORS} socket was closed: take its descriptor as the spare. */
  void afterRefusedClose() {
    if (spare == null) {
      spare = openSpare();
    }
  }

  /** An admitted socket closed. Any thread. */
  void closed(InetAddress address) {
    open.decrementAndGet();
    release(address);
  }

  private void release(InetAddress a) {
    perAddress.computeIfPresent(a, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
  }

  static InetAddress addressOf(SocketChannel socket) {
    try {
      if (socket.getRemoteAddress() instanceof InetSocketAddress isa) {
        return isa.getAddress();
      }
    } catch (IOException e) {
      // closed already: count it under the unspecified address
    }
    return InetAddress.getLoopbackAddress();
  }

  private void pauseAccepting() {
    SelectionKey key = acceptKey;
    if (key == null || !key.isValid()) {
      return;
    }
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    LOG.warn("out of file descriptors: refusing new websocket connections for {} ms", delay);
    try {
      key.interestOps(0);
      scheduler.schedule(reenable, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException | java.nio.channels.CancelledKeyException e) {
      // shutting down
    }
  }

  private static DatagramChannel openSpare() {
    try {
      return DatagramChannel.open();
    } catch (IOException e) {
      return null;
    }
  }

  private void closeSpare() {
    if (spare != null) {
      try {
        spare.close();
      } catch (IOException e) {
        // nothing to do
      }
      spare = null;
    }
  }

  /** Best effort: tells a refused client why (a fresh socket's send buffer always takes this), then closes. */
  static void refuse(SocketChannel socket, byte[] lastWords) {
    try {
      if (lastWords.length > 0) {
        socket.configureBlocking(false);
        socket.write(ByteBuffer.wrap(lastWords));
      }
    } catch (IOException e) {
      // the peer is gone already
    }
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  static byte[] httpResponse(int status, String text) {
    return ("HTTP/1.1 " + status + " " + text + "\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- inbound budget (any thread)

  boolean reserve(long n, boolean preAuth) {
    AtomicLong pool = preAuth ? preAuthHeld : mainHeld;
    long max = preAuth ? limits.preAuthBufferBytes() : limits.inboundBufferBytes();
    if (pool.addAndGet(n) > max) {
      pool.addAndGet(-n);
      return false;
    }
    return true;
  }

  void release(long n, boolean preAuth) {
    if (n > 0) {
      (preAuth ? preAuthHeld : mainHeld).addAndGet(-n);
    }
  }

  // ---------------------------------------------------------------- observation

  /** False once the listening socket was closed (before the first accept the key is not known yet). */
  boolean listenerOpen() {
    SelectionKey k = acceptKey;
    return k == null || k.channel().isOpen();
  }

  int openSockets() {
    return open.get();
  }

  long bufferedBytes() {
    return preAuthHeld.get() + mainHeld.get();
  }

  long refusedConnections() {
    return refused.get();
  }

  long descriptorExhaustions() {
    return descriptorExhaustions.get();
  }

  // ---------------------------------------------------------------- lingering close (any thread)

  /** Refused sockets draining at once, at most; beyond it a refused socket is closed at once. */
  static final int MAX_LINGERING = 64;
  /** How long a refused socket's input is drained after its close frame, at most. */
  static final long LINGER_MILLIS = 2_000;
  /** Bytes drained from one refused socket, at most. */
  static final long LINGER_BYTES = 8L << 20;
  private static final long LINGER_POLL_MILLIS = 20;
  private final AtomicInteger lingering = new AtomicInteger();

  /**
   * Closes a socket refused mid-stream the way a client can hear why: its output is shut down
   * after the close frame already written (a FIN, not a reset), and its input is read and
   * discarded until the client closes, {@link #LINGER_MILLIS} pass or {@link #LINGER_BYTES} were
   * read; then it is closed. Closing at once while the client is still sending (the rest of an
   * oversized message) makes the kernel answer with a reset, and the client then sees an abnormal
   * closure (1006) instead of the close frame's code, or loses the close frame altogether. At most
   * {@link #MAX_LINGERING} sockets linger at once, so floods cannot hold descriptors with it.
   *
   * @return false if the socket was not taken (the caller closes it now)
   */
  boolean linger(SocketChannel socket) {
    if (lingering.incrementAndGet() > MAX_LINGERING) {
      lingering.decrementAndGet();
      return false;
    }
    Drain d = new Drain(socket);
    try {
      socket.shutdownOutput();
      live.add(socket);
      scheduler.schedule(d, LINGER_POLL_MILLIS, TimeUnit.MILLISECONDS);
    } catch (IOException | RejectedExecutionException e) {
      d.end();
    }
    return true;
  }

  /** Sockets lingering now (tests). */
  int lingering() {
    return lingering.get();
  }

  /** Reads and discards a refused socket's input, one non-blocking pass per poll, then closes it. */
  private final class Drain implements Runnable {
    private final SocketChannel socket;
    private final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
    private final ByteBuffer scratch = ByteBuffer.allocate(16 * 1024);
    private final AtomicBoolean ended = new AtomicBoolean();
    private long drained;

    Drain(SocketChannel socket) {
      this.socket = socket;
    }

    @Override
    public void run() {
      try {
        for (int n = 1; n > 0; ) {
          scratch.clear();
          n = socket.read(scratch);
          if (n < 0 || (drained += n) > LINGER_BYTES) {
            end();
            return;
          }
        }
      } catch (IOException | RuntimeException e) {
        end(); // closed by shutdown, or reset by the client
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        end();
        return;
      }
      try {
        scheduler.schedule(this, LINGER_POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        end();
      }
    }

    void end() {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      live.remove(socket);
      lingering.decrementAndGet();
    }
  }

  /** Remembers an admitted socket, so {@link #close} can close the ones the library never opened. */
  void track(java.io.Closeable socket) {
    live.add(socket);
  }

  void untrack(java.io.Closeable socket) {
    live.remove(socket);
  }

  /** Closes the spare descriptor and every socket still open (half-open ones are not the library's). */
  void close() {
    for (java.io.Closeable c : live) {
      try {
        c.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    closeSpare();
  }
}
