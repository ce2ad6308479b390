package io.ciphertalk.server.internal.ws;

/** The server side of one client connection, socket or in-memory. Thread-safe, non-blocking. */
public interface Channel {
  /** Queues a text frame; never blocks. */
  void sendText(String frame);

  /** Bytes queued for this client and not yet written (or consumed). */
  long bufferedBytes();

  void close(int code, String reason);

  /** The client's address for rate limiting and logs ("in-memory" for in-process clients). */
  String remoteAddress();
}
