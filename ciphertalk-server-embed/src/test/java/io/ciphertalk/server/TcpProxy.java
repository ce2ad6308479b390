package io.ciphertalk.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay between the servers under test and a shared engine (PostgreSQL, Redis), so
 * a test can take the engine away from them without stopping the engine other tests use:
 * {@link #cut()} closes every relayed connection and stops listening (new connections are refused,
 * like a stopped server's port), {@link #restore()} listens on the same port again. Thread-safe.
 */
final class TcpProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket listener;

  TcpProxy(String targetHost, int targetPort) throws IOException {
    this.target = new InetSocketAddress(targetHost, targetPort);
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = s.getLocalPort();
    listen(s);
  }

  int port() {
    return port;
  }

  private void listen(ServerSocket s) {
    listener = s;
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try {
          Socket client = s.accept();
          Socket upstream = new Socket();
          try {
            upstream.connect(target, 5_000);
          } catch (IOException e) {
            client.close();
            continue;
          }
          open.add(client);
          open.add(upstream);
          pump(client, upstream);
          pump(upstream, client);
        } catch (IOException e) {
          // closed by cut() or close()
        }
      }
    }, "tcp-proxy-accept-" + port);
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // either side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pump-" + port);
    t.setDaemon(true);
    t.start();
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** The engine "goes down": relayed connections are closed and new ones refused. */
  void cut() throws IOException {
    ServerSocket s = listener;
    if (s != null) {
      s.close();
    }
    for (Socket c : open) {
      closeQuietly(c);
    }
  }

  /** The engine "comes back" on the same port. */
  void restore() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    listen(s);
  }

  @Override
  public void close() throws IOException {
    cut();
  }
}
