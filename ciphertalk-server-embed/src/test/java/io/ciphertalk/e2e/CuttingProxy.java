package io.ciphertalk.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of the server's HTTP port that can cut connections in the middle of a
 * transfer, the way a flaky network, a load balancer or a crashing server front does: armed with
 * {@link #cutUploadsAfter} or {@link #cutDownloadsAfter}, it resets (TCP RST) the connection that
 * carries byte N of the client-to-server or server-to-client stream, counted from the arming.
 * It also records the request line and {@code Range} header of every HTTP request it forwards,
 * so a test can see what a client asked for after the cut. Test code; thread-safe.
 */
final class CuttingProxy implements AutoCloseable {
  /** One HTTP request as seen on the wire. */
  record Request(String method, String target, String range) {}

  private static final Pattern REQUEST = Pattern.compile(
      "(GET|PUT|POST|HEAD|DELETE|OPTIONS) (/\\S*) HTTP/1\\.1\r\n((?:[!-~][^\r\n]*\r\n){0,64})\r\n");
  private static final Pattern RANGE = Pattern.compile("(?im)^range:\\s*(\\S+)\\s*$");

  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  /** Bytes still to pass before a cut, per direction; negative = not armed. */
  private final AtomicLong uploadBudget = new AtomicLong(-1);
  private final AtomicLong downloadBudget = new AtomicLong(-1);
  private final AtomicLong cuts = new AtomicLong();
  private volatile int cutsLeftUp;
  private volatile int cutsLeftDown;
  private volatile long reArmUp;
  private volatile long reArmDown;

  CuttingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "cutting-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Cuts {@code times} connections: the first after {@code bytes} more client-to-server bytes, each next one {@code bytes} after the previous cut. */
  void cutUploadsAfter(long bytes, int times) {
    reArmUp = bytes;
    cutsLeftUp = times;
    uploadBudget.set(bytes);
  }

  /** As {@link #cutUploadsAfter}, server-to-client. */
  void cutDownloadsAfter(long bytes, int times) {
    reArmDown = bytes;
    cutsLeftDown = times;
    downloadBudget.set(bytes);
  }

  /** Connections cut so far. */
  long cuts() {
    return cuts.get();
  }

  /** Every request forwarded so far, in order. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(server);
        pump(client, server, true);
        pump(server, client, false);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to, boolean upstream) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      String carry = "";
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          AtomicLong budget = upstream ? uploadBudget : downloadBudget;
          long left = budget.get();
          if (left >= 0 && n > left) {
            out.write(buf, 0, (int) left);
            out.flush();
            cut(from, to, upstream);
            return;
          }
          if (left >= 0) {
            budget.addAndGet(-n);
          }
          if (upstream) {
            carry = record(carry, new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side went away: close both below
      }
      closeQuietly(from);
      closeQuietly(to);
    }, "cutting-proxy-" + (upstream ? "up" : "down"));
    t.setDaemon(true);
    t.start();
  }

  private synchronized void cut(Socket a, Socket b, boolean upstream) {
    cuts.incrementAndGet();
    if (upstream) {
      uploadBudget.set(--cutsLeftUp > 0 ? reArmUp : -1);
    } else {
      downloadBudget.set(--cutsLeftDown > 0 ? reArmDown : -1);
    }
    for (Socket s : List.of(a, b)) {
      try {
        s.setSoLinger(true, 0); // a reset, not an orderly end: the peer sees a broken connection
      } catch (SocketException ignored) {
        // already closed
      }
      closeQuietly(s);
    }
  }

  /** Records the requests completed in {@code carry + text}; returns the tail to carry over. */
  private String record(String carry, String text) {
    String all = carry + text;
    Matcher m = REQUEST.matcher(all);
    while (m.find()) {
      if (m.end() > carry.length()) {
        Matcher r = RANGE.matcher(m.group(3));
        requests.add(new Request(m.group(1), m.group(2), r.find() ? r.group(1) : null));
      }
    }
    return all.length() > 4096 ? all.substring(all.length() - 4096) : all;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
