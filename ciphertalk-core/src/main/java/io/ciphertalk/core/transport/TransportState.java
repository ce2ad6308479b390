package io.ciphertalk.core.transport;

/** Lifecycle of a {@link Transport}. */
public enum TransportState {
  /** Created, not started. */
  NEW,
  /** A connection attempt is in progress. */
  CONNECTING,
  /** Connected: frames can be sent. */
  OPEN,
  /** Disconnected and waiting (backoff) before the next attempt. */
  WAITING,
  /** Closed by {@link Transport#close()} or permanently refused; never reopens. */
  CLOSED
}
