package io.ciphertalk.server.internal.ws;

/** Protocol logic behind a connection; called from network threads, so implementations must not block. */
interface FrameHandler {
  void onOpen(Connection c);

  void onText(Connection c, String frame);

  void onClose(Connection c);
}
