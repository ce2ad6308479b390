package io.ciphertalk.core.transport;

/**
 * Receives a transport's events. Callbacks for one transport are serialised. An exception thrown by
 * a callback is caught and logged by the transport; it never kills the connection.
 */
public interface TransportListener {
  /** The connection is open; frames can be sent (authenticate first). */
  default void onOpen() {}

  /** One inbound text frame, in arrival order. */
  void onFrame(String frame);

  /**
   * The connection closed.
   *
   * @param code the WebSocket close code (1000 normal, 4xxx server-defined, see docs/server-guide.md)
   * @param reason the close reason, possibly empty
   * @param willReconnect true if the transport will try again after a backoff
   */
  default void onClosed(int code, String reason, boolean willReconnect) {}
}
