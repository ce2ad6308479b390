package io.ciphertalk.server.internal.http;

import com.sun.net.httpserver.HttpExchange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST listener on Jetty 12 (core API, no servlets), handing each complete request to the
 * routes as an {@link HttpExchange} on the server's bounded request pool.
 *
 * <p>Against slow clients: Jetty parses request headers without blocking a thread, closes a
 * connection idle for {@link HttpLimits#idleTimeout}, refuses headers over
 * {@link HttpLimits#maxHeaderBytes}; this class reads the body asynchronously too, with a size cap and
 * the {@link HttpLimits#requestTimeout} deadline (408), so a handler thread is taken only by a
 * request that has fully arrived. Connections are capped in total ({@link ConnectionLimit}) and per
 * client address. Every limit belongs to this server instance: nothing JVM-wide is set. The blob
 * routes ({@link BlobEndpoints}) are the exception to buffering: their bodies stream on a pool thread.
 *
 * <p>Thread-safe.
 */
final class JettyFront implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JettyFront.class);

  private final Server server;
  private final ServerConnector connector;
  private final ScheduledExecutorScheduler timer = new ScheduledExecutorScheduler("ciphertalk-http-timer", true);

  JettyFront(InetSocketAddress bind, ExecutorService pool, HttpLimits limits, Consumer<HttpExchange> routes,
      BlobEndpoints streaming, StaticFiles web) {
    QueuedThreadPool io = new QueuedThreadPool(16, 2);
    io.setName("ciphertalk-http-io");
    io.setDaemon(true);
    server = new Server(io);
    HttpConfiguration config = new HttpConfiguration();
    config.setRequestHeaderSize(limits.maxHeaderBytes());
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(bind.getAddress().getHostAddress());
    connector.setPort(bind.getPort());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(128);
    connector.addEventListener(new PerAddressLimit(limits.maxConnectionsPerAddress()));
    server.addConnector(connector);
    server.addBean(new ConnectionLimit(limits.maxConnections(), server));
    server.addBean(timer);
    server.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (web != null && StaticFiles.handles(path)) {
          // The web app's files (and refusals of other methods) are read on a pool thread.
          return onPool(pool, response, callback, () -> web.handle(request, response, callback));
        }
        if (streaming != null && BlobEndpoints.handles(path)) {
          // Blob parts and downloads stream through a pool thread instead of being buffered here.
          return onPool(pool, response, callback, () -> streaming.handle(request, response, callback));
        }
        long declared = request.getLength();
        if (declared > limits.maxBodyBytes()) {
          // Answer after reading (and discarding) a moderately oversized body: closing a socket with
          // unread bytes makes TCP reset it, and the client then loses the 413 it should see. A
          // body beyond the drain budget is not worth reading; that client may see a reset.
          Runnable answer = once(() -> error(response, callback, 413, "payload_too_large",
              "body larger than " + limits.maxBodyBytes() + " bytes"));
          if (declared <= DRAIN_BUDGET_BYTES) {
            timer.schedule(answer, limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            discard(request, declared, answer);
          } else {
            answer.run();
          }
          return true;
        }
        CompletableFuture<byte[]> body = Content.Source.asByteArrayAsync(request, limits.maxBodyBytes());
        org.eclipse.jetty.util.thread.Scheduler.Task deadline = timer.schedule(
            () -> body.completeExceptionally(new TimeoutException()), limits.requestTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
        body.whenComplete((bytes, err) -> {
          deadline.cancel();
          if (err != null) {
            Throwable cause = err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
            if (cause instanceof TimeoutException) {
              error(response, callback, 408, "request_timeout", "request body not received in time");
            } else if (cause instanceof IllegalArgumentException) {
              error(response, callback, 413, "payload_too_large", "body larger than " + limits.maxBodyBytes() + " bytes");
            } else {
              callback.failed(cause);
            }
            return;
          }
          try {
            pool.execute(() -> routes.accept(new JettyExchange(request, response, callback, bytes)));
          } catch (RejectedExecutionException e) {
            error(response, callback, 503, "server_busy", "too many requests in progress");
          }
        });
        return true;
      }
    });
  }

  /** Runs an unbuffered route on the request pool, or answers 503 when the pool is full; true (handled). */
  private static boolean onPool(ExecutorService pool, Response response, Callback callback, Runnable route) {
    try {
      pool.execute(route);
    } catch (RejectedExecutionException e) {
      error(response, callback, 503, "server_busy", "too many requests in progress");
    }
    return true;
  }

  /** The most of an oversized request body read and discarded so that its 413 reaches the client. */
  static final long DRAIN_BUDGET_BYTES = 1024 * 1024;

  private static Runnable once(Runnable r) {
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        r.run();
      }
    };
  }

  /** Reads and drops up to {@code budget} bytes of {@code source} without keeping them, then runs {@code done}. */
  private static void discard(Content.Source source, long budget, Runnable done) {
    long left = budget;
    while (true) {
      Content.Chunk chunk = source.read();
      if (chunk == null) {
        long rest = left;
        source.demand(() -> discard(source, rest, done));
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        done.run();
        return;
      }
      left -= chunk.remaining();
      boolean last = chunk.isLast();
      chunk.release();
      if (last || left <= 0) {
        done.run();
        return;
      }
    }
  }

  private static void error(Response response, Callback callback, int status, String code, String message) {
    response.setStatus(status);
    response.getHeaders().put("Content-Type", "application/json");
    response.getHeaders().put("Cache-Control", "no-store");
    if (status == 408 || status == 413) {
      response.getHeaders().put("Connection", "close");
    }
    String json = "{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}";
    response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
  }

  void start() throws Exception {
    server.start();
  }

  int port() {
    return connector.getLocalPort();
  }

  /** True while the listening socket is open and Jetty is running. */
  boolean listening() {
    return server.isRunning() && connector.isOpen();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("http listener did not stop cleanly: {}", e.toString());
    }
  }

  /** Closes a connection at once when its address already has the maximum open. */
  private static final class PerAddressLimit implements Connection.Listener {
    private final int max;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

    PerAddressLimit(int max) {
      this.max = max;
    }

    private static InetAddress address(Connection c) {
      return c.getEndPoint().getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    @Override
    public void onOpened(Connection c) {
      InetAddress a = address(c);
      if (a != null && open.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet() > max) {
        LOG.debug("closing http connection from {}: too many connections from this address", a.getHostAddress());
        // FIN first: the close itself may wait for the selector's next wakeup to reach the socket.
        c.getEndPoint().shutdownOutput();
        c.getEndPoint().close();
      }
    }

    @Override
    public void onClosed(Connection c) {
      InetAddress a = address(c);
      if (a != null) {
        open.computeIfPresent(a, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
      }
    }
  }
}
