package io.ciphertalk.server.internal.ws;

import java.time.Duration;

/**
 * The WebSocket listener's resource limits (docs/server-guide.md, "Limits"). Immutable.
 *
 * @param maxMessageBytes largest message after authentication, summed over all its fragments
 * @param preAuthMessageBytes largest message before {@code hello} succeeded (a {@code hello} is a few hundred bytes)
 * @param maxHandshakeBytes largest HTTP upgrade request
 * @param inboundBufferBytes bytes all authenticated connections together may hold in unfinished messages
 * @param preAuthBufferBytes bytes all unauthenticated connections together may hold in unfinished handshakes
 *     and messages (a separate pool, so an unauthenticated flood cannot starve signed-in users)
 * @param handshakeTimeout time from TCP accept to a complete upgrade request
 * @param maxConnections open sockets, including ones still in the handshake
 * @param maxConnectionsPerAddress open sockets from one client address, including ones still in the handshake
 */
public record WsLimits(
    int maxMessageBytes, int preAuthMessageBytes, int maxHandshakeBytes, long inboundBufferBytes,
    long preAuthBufferBytes, Duration handshakeTimeout, int maxConnections, int maxConnectionsPerAddress) {

  public WsLimits {
    if (maxMessageBytes < 1 || preAuthMessageBytes < 1 || maxHandshakeBytes < 256 || inboundBufferBytes < 1
        || preAuthBufferBytes < 1 || maxConnections < 1 || maxConnectionsPerAddress < 1
        || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException("invalid websocket limits: " + this);
    }
  }
}
