package io.ciphertalk.server.internal.ws;

import io.ciphertalk.server.internal.metrics.Metrics;
import java.net.InetSocketAddress;

/** Creates and stops the socket listener; keeps {@link WsServer}'s constructor package-private. */
public final class WebSocketFront implements AutoCloseable {
  private final WsServer server;

  public WebSocketFront(
      InetSocketAddress bind, WsLimits limits, Protocol protocol, io.ciphertalk.server.internal.OriginPolicy origins, long maxOutboundBytes,
      double ratePerSecond, int burst, int pingIntervalSeconds, Metrics metrics) {
    this.server = new WsServer(bind, limits, protocol, origins, maxOutboundBytes,
        ratePerSecond, burst, pingIntervalSeconds, metrics);
    metrics.gauge("ciphertalk_ws_open_sockets", () -> server.gate().openSockets());
    metrics.gauge("ciphertalk_ws_inbound_buffered_bytes", () -> server.gate().bufferedBytes());
  }

  /** True while the listener accepts connections (selector thread alive, listening socket open). */
  public boolean listening() {
    return server.listening();
  }

  public void start() throws Exception {
    server.startAndAwait();
  }

  public int port() {
    return server.getPort();
  }

  public int connections() {
    return server.getConnections().size();
  }

  @Override
  public void close() {
    try {
      server.stop(2000, "server shutting down");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
