package io.ciphertalk.core.transport;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongUnaryOperator;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over WebSocket (Java-WebSocket client, RFC 6455, no permessage-deflate) that
 * reconnects by itself: after any unexpected close it waits an exponentially growing delay with
 * full jitter (delay = random(0, min(max, initial * 2^attempt))) and tries again, until
 * {@link #close()}. Close codes 4001 (authentication failed), 4003 (forbidden), 4010 (session
 * replaced by another connection of the same device) and 4011 (device revoked) stop reconnecting.
 *
 * <p>Several server nodes (docs/scaling.md): {@link Builder#failover} adds further URIs; after each
 * unexpected close the next reconnect goes to the next URI in turn, so a client whose node died
 * reaches a surviving one.
 *
 * <p>Inbound frames are delivered to the listener on one event thread per transport, in order.
 * Thread-safe. Build with {@link #builder(URI)}.
 */
public final class WebSocketTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
  /**
   * Close codes after which reconnecting cannot help or would do harm: 4001 authentication failed,
   * 4003 forbidden, 4010 another connection of this device replaced this one (reconnecting would
   * evict it in turn), 4011 this device was revoked.
   */
  private static final List<Integer> FATAL = List.of(4001, 4003, 4010, 4011);

  /** The primary URI and the failover URIs, tried in turn (index confined to the scheduler thread). */
  private final List<URI> uris;
  private int uriIndex;
  private final Map<String, String> headers;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final int maxFrameBytes;
  private final int connectTimeoutSeconds;
  private final LongUnaryOperator jitter;
  private final AtomicReference<TransportState> state = new AtomicReference<>(TransportState.NEW);
  private final ScheduledExecutorService scheduler;
  private final ExecutorService events;
  private volatile TransportListener listener;
  private volatile WebSocketClient client;
  private int attempt;

  private WebSocketTransport(Builder b) {
    List<URI> all = new java.util.ArrayList<>();
    all.add(b.uri);
    all.addAll(b.failover);
    this.uris = List.copyOf(all);
    this.headers = Map.copyOf(b.headers);
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxFrameBytes = b.maxFrameBytes;
    this.connectTimeoutSeconds = (int) Math.max(1, b.connectTimeout.toSeconds());
    this.jitter = b.jitter;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ciphertalk-ws-reconnect"));
    this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "ciphertalk-ws-events"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /** The delay before reconnect attempt {@code attempt} (0-based), before jitter. Visible for tests. */
  static long backoffCeilingMillis(long initialMillis, long maxMillis, int attempt) {
    long ceiling = initialMillis << Math.min(attempt, 30);
    return ceiling <= 0 || ceiling > maxMillis ? maxMillis : ceiling;
  }

  /** The jittered delay for an attempt. */
  long delayMillis(int attemptNumber) {
    long ceiling = backoffCeilingMillis(initialBackoff.toMillis(), maxBackoff.toMillis(), attemptNumber);
    return Math.max(0, Math.min(ceiling, jitter.applyAsLong(ceiling)));
  }

  @Override
  public void start(TransportListener l) {
    Objects.requireNonNull(l, "listener");
    if (!state.compareAndSet(TransportState.NEW, TransportState.CONNECTING)) {
      throw new IllegalStateException("transport already started or closed: " + state.get());
    }
    this.listener = l;
    scheduler.execute(this::connect);
  }

  private void connect() {
    if (state.get() == TransportState.CLOSED) {
      return;
    }
    state.set(TransportState.CONNECTING);
    URI target = uris.get(uriIndex);
    WebSocketClient c = new WebSocketClient(target, new Draft_6455(List.of(), maxFrameBytes), headers,
        connectTimeoutSeconds * 1000) {
      @Override
      public void onOpen(ServerHandshake handshake) {
        if (client != this) {
          return;
        }
        if (!state.compareAndSet(TransportState.CONNECTING, TransportState.OPEN)) {
          close();
          return;
        }
        scheduler.execute(() -> attempt = 0);
        dispatch(listener::onOpen);
      }

      @Override
      public void onMessage(String message) {
        if (client == this) {
          dispatch(() -> listener.onFrame(message));
        }
      }

      @Override
      public void onClose(int code, String reason, boolean remote) {
        if (client == this) {
          disconnected(code, reason == null ? "" : reason);
        }
      }

      @Override
      public void onError(Exception ex) {
        LOG.debug("websocket error on {}: {}", target.getPath(), ex.toString());
      }
    };
    c.setConnectionLostTimeout(30);
    // Frames are small requests waiting for answers: with Nagle's algorithm each one could sit
    // behind the peer's delayed ACK (~40 ms), which capped a device at about 25 round trips a second.
    c.setTcpNoDelay(true);
    client = c;
    try {
      c.connect();
    } catch (RuntimeException e) {
      disconnected(1006, e.toString());
    }
  }

  private void disconnected(int code, String reason) {
    boolean fatal = FATAL.contains(code);
    TransportState prev = state.get();
    if (prev == TransportState.CLOSED) {
      return;
    }
    if (fatal) {
      state.set(TransportState.CLOSED);
      dispatch(() -> listener.onClosed(code, reason, false));
      shutdownExecutors();
      return;
    }
    state.set(TransportState.WAITING);
    dispatch(() -> listener.onClosed(code, reason, true));
    try {
      scheduler.execute(() -> {
        uriIndex = (uriIndex + 1) % uris.size();
        long delay = delayMillis(attempt);
        attempt++;
        scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("reconnect after close dropped");
    }
  }

  private void dispatch(Runnable r) {
    try {
      events.execute(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("transport listener threw", e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("event after close dropped");
    }
  }

  @Override
  public boolean send(String frame) {
    Objects.requireNonNull(frame, "frame");
    WebSocketClient c = client;
    if (state.get() != TransportState.OPEN || c == null || !c.isOpen()) {
      return false;
    }
    try {
      c.send(frame);
      return true;
    } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
      return false;
    }
  }

  @Override
  public TransportState state() {
    return state.get();
  }

  @Override
  public void close() {
    TransportState prev = state.getAndSet(TransportState.CLOSED);
    if (prev == TransportState.CLOSED) {
      return;
    }
    WebSocketClient c = client;
    if (c != null) {
      c.close(1000, "client closed");
    }
    if (prev != TransportState.NEW) {
      dispatch(() -> listener.onClosed(1000, "client closed", false));
    }
    shutdownExecutors();
  }

  private void shutdownExecutors() {
    scheduler.shutdownNow();
    events.shutdown();
  }

  /** Builder for {@link WebSocketTransport}. Not thread-safe. */
  public static final class Builder {
    private final URI uri;
    private final List<URI> failover = new java.util.ArrayList<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration initialBackoff = Duration.ofMillis(250);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxFrameBytes = 1 << 20;
    private LongUnaryOperator jitter =
        ceiling -> java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling + 1);

    private Builder(URI uri) {
      Objects.requireNonNull(uri, "uri");
      if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
        throw new IllegalArgumentException("uri must be ws:// or wss://: " + uri);
      }
      this.uri = uri;
    }

    /**
     * Further server URIs (other nodes of the same cluster, ws:// or wss://), tried in turn after
     * the primary one whenever a connection fails or drops.
     */
    public Builder failover(List<URI> uris) {
      for (URI u : Objects.requireNonNull(uris, "uris")) {
        Objects.requireNonNull(u, "uri");
        if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme())) {
          throw new IllegalArgumentException("uri must be ws:// or wss://: " + u);
        }
        failover.add(u);
      }
      return this;
    }

    /** Adds a handshake header (e.g. {@code Origin}). */
    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** First reconnect delay ceiling (default 250 ms) and the cap (default 30 s). */
    public Builder backoff(Duration initial, Duration max) {
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Replaces the jitter function: maps the current delay ceiling (ms) to the delay. Default: a
     * uniformly random value in [0, ceiling] ("full jitter").
     */
    public Builder jitter(LongUnaryOperator jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Largest inbound frame accepted (default 1 MiB); larger frames close the connection (1009). */
    public Builder maxFrameBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("max frame bytes must be >= 1024: " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    public WebSocketTransport build() {
      return new WebSocketTransport(this);
    }
  }
}
