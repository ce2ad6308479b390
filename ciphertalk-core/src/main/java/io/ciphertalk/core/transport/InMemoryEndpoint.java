package io.ciphertalk.core.transport;

/**
 * A server that accepts in-process connections; the embeddable server provides one. Lets
 * {@link InMemoryTransport} connect a client to a server in the same JVM without sockets.
 * Implementations are thread-safe.
 */
public interface InMemoryEndpoint {
  /**
   * Opens a server-side connection.
   *
   * @param client the client's side, which the server sends frames to
   * @param path the request path, e.g. {@code /ws} or {@code /ws/chat/room1/}
   * @return the server's side, which the client sends frames to
   * @throws IllegalStateException if the server refuses (stopped, full)
   */
  Peer open(Peer client, String path);

  /** One side of an in-memory connection. Methods never block. */
  interface Peer {
    /** Delivers one text frame to this side. */
    void receive(String frame);

    /** Closes this side with a WebSocket close code. */
    void close(int code, String reason);

    /** Bytes handed to this side and not yet processed (lets the sender bound its buffer). */
    default long pendingBytes() {
      return 0;
    }
  }
}
