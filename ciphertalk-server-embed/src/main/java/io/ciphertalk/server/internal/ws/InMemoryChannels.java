package io.ciphertalk.server.internal.ws;

import io.ciphertalk.core.transport.InMemoryEndpoint;
import io.ciphertalk.server.internal.metrics.Metrics;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Accepts in-process connections from {@link io.ciphertalk.core.transport.InMemoryTransport}: the
 * same protocol handler and limits as sockets, including the outbound bound (measured as bytes the
 * client side has not consumed yet). Thread-safe.
 */
public final class InMemoryChannels implements InMemoryEndpoint {
  private final Protocol protocol;
  private final long maxOutboundBytes;
  private final double ratePerSecond;
  private final int burst;
  private final Metrics metrics;
  private volatile boolean open = true;

  public InMemoryChannels(Protocol protocol, long maxOutboundBytes, double ratePerSecond, int burst, Metrics metrics) {
    this.protocol = protocol;
    this.maxOutboundBytes = maxOutboundBytes;
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.metrics = metrics;
  }

  public void shutdown() {
    open = false;
  }

  @Override
  public Peer open(Peer client, String path) {
    if (!open) {
      throw new IllegalStateException("server is not running");
    }
    String room = WsServer.joinRoomFromPath(path);
    AtomicBoolean closed = new AtomicBoolean();
    Connection[] self = new Connection[1];
    Channel ch = new Channel() {
      @Override
      public void sendText(String frame) {
        if (closed.get()) {
          return;
        }
        long pending = client.pendingBytes();
        if (pending > 0 && pending + frame.length() > maxOutboundBytes) {
          close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound buffer full");
          return;
        }
        client.receive(frame);
      }

      @Override
      public long bufferedBytes() {
        return client.pendingBytes();
      }

      @Override
      public void close(int code, String reason) {
        if (closed.compareAndSet(false, true)) {
          if (code == CloseCodes.SLOW_CONSUMER) {
            metrics.slowConsumer();
          }
          client.close(code, reason);
          self[0].closed = true;
          protocol.onClose(self[0]);
        }
      }

      @Override
      public String remoteAddress() {
        return "in-memory";
      }
    };
    Connection c = new Connection(ch, path, room, ratePerSecond, burst);
    self[0] = c;
    protocol.onOpen(c);
    return new Peer() {
      @Override
      public void receive(String frame) {
        if (!closed.get()) {
          protocol.onText(c, frame);
        }
      }

      @Override
      public void close(int code, String reason) {
        if (closed.compareAndSet(false, true)) {
          c.closed = true;
          protocol.onClose(c);
        }
      }
    };
  }
}
