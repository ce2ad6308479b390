package io.ciphertalk.core.transport;

/**
 * Carries protocol frames (JSON text, see docs/protocol.md) between one client and a server. A
 * transport knows nothing about the protocol: it connects, delivers inbound frames to its listener
 * in order, and sends outbound frames. Implementations that reconnect do so by themselves and
 * report each open and close to the listener; the client re-authenticates on every
 * {@link TransportListener#onOpen()}.
 *
 * <p>Implementations are thread-safe: {@link #send} may be called from any thread. Listener
 * callbacks for one transport are never concurrent and never run on the caller's thread of
 * {@link #send}. Null is rejected everywhere with {@link NullPointerException}.
 */
public interface Transport extends AutoCloseable {
  /**
   * Starts connecting; returns immediately. Events go to {@code listener}.
   *
   * @throws IllegalStateException if already started or closed
   */
  void start(TransportListener listener);

  /**
   * Sends one text frame if the transport is open.
   *
   * @return true if the frame was handed to the connection, false if not open (nothing sent; the
   *     caller keeps it, e.g. in its outbox)
   */
  boolean send(String frame);

  /** The current state. */
  TransportState state();

  /** Closes the connection and stops reconnecting. Idempotent. */
  @Override
  void close();
}
