package io.ciphertalk.server.internal.routing;

import io.ciphertalk.server.internal.store.Messages;

/**
 * What the router pushes to one connected device; implemented by the protocol layer, which turns
 * each call into a wire frame. Implementations must not block (they only enqueue bytes) and must be
 * safe to call from any thread.
 */
public interface Outbound {
  void deliverDirect(Messages.DirectRow row);

  void deliverRoom(Messages.RoomRow row);

  void presence(String userId, boolean online, long lastSeenMillis);

  void typing(String roomId, String userId, int deviceId, boolean typing, long expiresAtMillis);

  void prekeysLow(int remaining, int threshold);

  /** A membership or room change the device should know about (invited, removed, left, role, renamed). */
  void roomEvent(String roomId, String event, String actor, String subject);

  /** Closes the connection with a WebSocket close code and reason. */
  void close(int code, String reason);
}
