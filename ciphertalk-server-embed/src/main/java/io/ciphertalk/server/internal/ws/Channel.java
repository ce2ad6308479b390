package io.ciphertalk.server.internal.ws;

/** The server side of one client connection, socket or in-memory. Thread-safe, non-blocking. */
public interface Channel {
  /** Queues a text frame; never blocks. */
  void sendText(String frame);

  /**
   * Queues a text frame encoded once for many channels (a group delivery goes to every member
   * device with the same bytes). Never blocks.
   */
  default void sendEncoded(EncodedText frame) {
    sendText(frame.text());
  }

  /** Bytes queued for this client and not yet written (or consumed). */
  long bufferedBytes();

  void close(int code, String reason);

  /** The client's address for rate limiting and logs ("in-memory" for in-process clients). */
  String remoteAddress();
}
