package io.ciphertalk.client;

/** The state of a client's connection to the server. */
public enum ConnectionState {
  /** Not connected; sends go to the outbox. A reconnect may be scheduled. */
  DISCONNECTED,
  /** A connection attempt is in progress. */
  CONNECTING,
  /** Connected and authenticated; the outbox has been flushed in order. */
  CONNECTED,
  /** {@link CipherTalkClient#close()} was called; the client is unusable. */
  CLOSED
}
