package io.ciphertalk.server.internal.ws;

/** The server side of one client connection, socket or in-memory. Thread-safe, non-blocking. */
public interface Channel {
  /** Queues a text frame; never blocks. */
  void sendText(String frame);

  /**
   * Queues a text frame already encoded as UTF-8 ({@code utf8} are the bytes of {@code text}; the
   * array is shared between channels and never modified). Lets one encoding of a group delivery be
   * reused for every recipient. Never blocks.
   */
  default void sendEncoded(String text, byte[] utf8) {
    sendText(text);
  }

  /** Bytes queued for this client and not yet written (or consumed). */
  long bufferedBytes();

  void close(int code, String reason);

  /** The client's address for rate limiting and logs ("in-memory" for in-process clients). */
  String remoteAddress();
}
