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
    metrics.gauge("ciphertalk.ws.open.sockets", "WebSocket sockets open, including those still in the handshake.",
        () -> server.gate().openSockets());
    metrics.gauge("ciphertalk.ws.inbound.buffered.bytes",
        "Bytes reserved for unfinished upgrade requests and messages.", () -> server.gate().bufferedBytes());
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
