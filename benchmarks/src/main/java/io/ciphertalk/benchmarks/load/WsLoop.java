package io.ciphertalk.benchmarks.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread that drives many client WebSocket connections ({@link WsConnection}): a
 * minimal RFC 6455 client written for the load generator so that thousands of simulated clients
 * cost a few threads and a few kilobytes each (Java-WebSocket's client needs two threads per
 * connection, the JDK's {@code HttpClient} cannot bind a local address on Java 17).
 *
 * <p>Thread-safe: {@link #connect} and {@link WsConnection#send} may be called from any thread;
 * handler callbacks run on this loop's thread and must not block.
 */
final class WsLoop implements AutoCloseable {

  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<WsConnection> toRegister = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;

  WsLoop(String name) throws IOException {
    this.selector = Selector.open();
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** The loop's thread (its CPU time is the generator's, not the server's). */
  Thread thread() {
    return thread;
  }

  /**
   * Starts connecting to a {@code ws://} URL; {@link WsConnection.Handler#onOpen} follows once the
   * handshake succeeded, {@link WsConnection.Handler#onClose} if anything failed.
   *
   * @param uri a {@code ws://} URL whose host must be a loopback address
   * @param localAddress the local address to bind, or null for any
   * @param headers extra handshake headers (may be empty)
   */
  WsConnection connect(URI uri, InetAddress localAddress, Map<String, String> headers,
      WsConnection.Handler handler) throws IOException {
    if (!"ws".equals(uri.getScheme())) {
      throw new IllegalArgumentException("only ws:// URLs are supported: " + uri);
    }
    InetAddress host = InetAddress.getByName(uri.getHost());
    if (!host.isLoopbackAddress()) {
      throw new IllegalArgumentException("the load generator only targets loopback addresses: " + uri);
    }
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (localAddress != null) {
        ch.bind(new InetSocketAddress(localAddress, 0));
      }
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) {
        path += "?" + uri.getRawQuery();
      }
      WsConnection conn = new WsConnection(this, ch, uri.getHost() + ":" + port, path, headers, handler);
      ch.connect(new InetSocketAddress(host, port));
      toRegister.add(conn);
      selector.wakeup();
      return conn;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  void wakeup() {
    selector.wakeup();
  }

  /** How often open connections get {@link WsConnection#onTick}. */
  private static final long TICK_NANOS = 5_000_000;

  private void run() {
    long nextTick = System.nanoTime() + TICK_NANOS;
    try {
      while (running) {
        selector.select(TICK_NANOS / 1_000_000);
        WsConnection pending;
        while ((pending = toRegister.poll()) != null) {
          try {
            pending.register(selector);
          } catch (IOException | RuntimeException e) {
            pending.fail("connect failed: " + e.getMessage());
          }
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          WsConnection conn = (WsConnection) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          try {
            if (key.isConnectable()) {
              conn.onConnectable();
            }
            if (key.isValid() && key.isWritable()) {
              conn.onWritable();
            }
            if (key.isValid() && key.isReadable()) {
              conn.onReadable();
            }
          } catch (IOException | RuntimeException e) {
            conn.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
          }
        }
        long now = System.nanoTime();
        if (now - nextTick >= 0) {
          nextTick = now + TICK_NANOS;
          for (SelectionKey key : selector.keys()) {
            if (key.isValid()) {
              ((WsConnection) key.attachment()).onTick(now);
            }
          }
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      running = false;
    } finally {
      for (SelectionKey key : selectorKeysSafely()) {
        ((WsConnection) key.attachment()).fail("loop closed");
      }
    }
  }

  private java.util.Set<SelectionKey> selectorKeysSafely() {
    try {
      return new java.util.HashSet<>(selector.keys());
    } catch (ClosedSelectorException e) {
      return java.util.Set.of();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    selector.wakeup();
    thread.join(5000);
    try {
      selector.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
