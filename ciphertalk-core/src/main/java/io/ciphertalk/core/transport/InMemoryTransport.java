package io.ciphertalk.core.transport;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} to a server in the same JVM (an {@link InMemoryEndpoint}), with no sockets:
 * for tests and single-process apps. Frames are delivered to the listener on one dedicated daemon
 * thread per transport, in order. Does not reconnect: once the server closes it, it stays closed.
 * Thread-safe.
 */
public final class InMemoryTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryTransport.class);

  private final InMemoryEndpoint endpoint;
  private final String path;
  private final AtomicReference<TransportState> state = new AtomicReference<>(TransportState.NEW);
  private final AtomicLong pending = new AtomicLong();
  private final ExecutorService events;
  private volatile TransportListener listener;
  private volatile InMemoryEndpoint.Peer server;

  public InMemoryTransport(InMemoryEndpoint endpoint, String path) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.path = Objects.requireNonNull(path, "path");
    this.events = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ciphertalk-inmemory-transport");
      t.setDaemon(true);
      return t;
    });
  }

  /** Connects to the multiplexed endpoint {@code /ws}. */
  public InMemoryTransport(InMemoryEndpoint endpoint) {
    this(endpoint, "/ws");
  }

  @Override
  public void start(TransportListener l) {
    Objects.requireNonNull(l, "listener");
    if (!state.compareAndSet(TransportState.NEW, TransportState.CONNECTING)) {
      throw new IllegalStateException("transport already started or closed: " + state.get());
    }
    this.listener = l;
    InMemoryEndpoint.Peer client = new InMemoryEndpoint.Peer() {
      @Override
      public void receive(String frame) {
        pending.addAndGet(frame.length());
        dispatch(() -> {
          pending.addAndGet(-frame.length());
          listener.onFrame(frame);
        });
      }

      @Override
      public void close(int code, String reason) {
        if (state.getAndSet(TransportState.CLOSED) != TransportState.CLOSED) {
          dispatch(() -> listener.onClosed(code, reason, false));
          events.shutdown();
        }
      }

      @Override
      public long pendingBytes() {
        return pending.get();
      }
    };
    try {
      server = endpoint.open(client, path);
    } catch (RuntimeException e) {
      state.set(TransportState.CLOSED);
      dispatch(() -> l.onClosed(1011, "refused: " + e.getMessage(), false));
      events.shutdown();
      return;
    }
    if (state.compareAndSet(TransportState.CONNECTING, TransportState.OPEN)) {
      dispatch(l::onOpen);
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
    InMemoryEndpoint.Peer s = server;
    if (state.get() != TransportState.OPEN || s == null) {
      return false;
    }
    s.receive(frame);
    return true;
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
    InMemoryEndpoint.Peer s = server;
    if (s != null) {
      s.close(1000, "client closed");
    }
    if (prev != TransportState.NEW) {
      dispatch(() -> listener.onClosed(1000, "client closed", false));
    }
    events.shutdown();
  }
}
