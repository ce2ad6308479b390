package io.ciphertalk.benchmarks.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * The reference relay: a bare Java-WebSocket broadcast server with no authentication, persistence
 * or cryptography, used as the machine's practical limit that CipherTalk is measured against.
 *
 * <p>Protocol: the first text frame a client sends is {@code join <room>}; the relay answers
 * {@code joined <room>}. Every later frame (text or binary) is broadcast unchanged to the other
 * members of that room, encoded once for all of them. A client leaves its room when it disconnects.
 *
 * <p>Thread-safe; one instance serves until {@link #close()}. Binds to a loopback address only.
 */
public final class ReferenceRelay implements AutoCloseable {

  /** Largest frame the relay accepts (guards against a tiny frame declaring a huge length). */
  public static final int MAX_FRAME_BYTES = 1 << 20;

  private final Server server;

  private ReferenceRelay(Server server) {
    this.server = server;
  }

  /**
   * Starts a relay on {@code 127.0.0.1:port} ({@code 0} for an ephemeral port) and waits until it
   * listens.
   *
   * @param port the TCP port, 0 for any free port
   * @param workers Java-WebSocket decoder threads (at least 1)
   */
  public static ReferenceRelay start(int port, int workers) throws InterruptedException {
    return start(port, workers, false);
  }

  /**
   * Like {@link #start(int, int)}; with {@code coalescedWrites} the relay's sockets write every
   * frame queued for a connection in one system call, as CipherTalk's server does
   * ({@code CoalescingChannel}), so the relay can also be measured on the same write path.
   */
  public static ReferenceRelay start(int port, int workers, boolean coalescedWrites) throws InterruptedException {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1: " + workers);
    }
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    Server server = new Server(address, workers);
    if (coalescedWrites) {
      server.setWebSocketFactory(io.ciphertalk.server.internal.ws.CoalescingChannel.factory());
    }
    server.start();
    if (!server.started.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("relay did not start within 10 s");
    }
    if (server.startError != null) {
      throw new IllegalStateException("relay failed to start", server.startError);
    }
    return new ReferenceRelay(server);
  }

  /** The bound TCP port. */
  public int port() {
    return server.getPort();
  }

  /** The WebSocket URL clients connect to. */
  public String url() {
    return "ws://127.0.0.1:" + port() + "/";
  }

  /** Current number of open connections. */
  public int connections() {
    return server.getConnections().size();
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(2000);
  }

  private static final class Server extends WebSocketServer {
    private final ConcurrentHashMap<String, Set<WebSocket>> rooms = new ConcurrentHashMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Exception startError;

    Server(InetSocketAddress address, int workers) {
      super(address, workers, List.<Draft>of(new Draft_6455(Collections.emptyList(), MAX_FRAME_BYTES)));
      setReuseAddr(true);
      setTcpNoDelay(true);
      setDaemon(true);
      setMaxPendingConnections(1024); // the default backlog of 50 drops SYNs under a connect burst
      setConnectionLostTimeout(0);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      // The room is named by the first frame.
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      String room = conn.getAttachment();
      if (room != null) {
        Set<WebSocket> members = rooms.get(room);
        if (members != null) {
          members.remove(conn);
        }
      }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      String room = conn.getAttachment();
      if (room == null) {
        if (!message.startsWith("join ") || message.length() > 256) {
          conn.close(1008, "first frame must be 'join <room>'");
          return;
        }
        String name = message.substring(5);
        conn.setAttachment(name);
        rooms.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(conn);
        conn.send("joined " + name);
        return;
      }
      broadcast(message, others(room, conn));
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
      String room = conn.getAttachment();
      if (room == null) {
        conn.close(1008, "first frame must be 'join <room>'");
        return;
      }
      broadcast(message, others(room, conn));
    }

    private List<WebSocket> others(String room, WebSocket sender) {
      Set<WebSocket> members = rooms.get(room);
      if (members == null) {
        return List.of();
      }
      java.util.ArrayList<WebSocket> out = new java.util.ArrayList<>(members.size());
      for (WebSocket m : members) {
        if (m != sender) {
          out.add(m);
        }
      }
      return out;
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
      if (conn == null) {
        startError = ex;
        started.countDown();
      }
    }

    @Override
    public void onStart() {
      started.countDown();
    }
  }
}
