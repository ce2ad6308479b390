package io.ciphertalk.server.internal.routing;

import io.ciphertalk.server.internal.store.Messages;
import java.util.List;

/**
 * What the router pushes to one connected device; implemented by the protocol layer, which turns
 * each call into a wire frame. Implementations must not block (they only enqueue bytes) and must be
 * safe to call from any thread.
 */
public interface Outbound {
  /** A queued 1:1 envelope; its device-stream sequence number is {@code row.id()}. */
  void deliverDirect(Messages.DirectRow row);

  /** A room timeline entry; its room-stream sequence number is {@code row.seq()}. */
  void deliverRoom(Messages.RoomRow row);

  void presence(String userId, boolean online, long lastSeenMillis);

  void typing(String roomId, String userId, int deviceId, boolean typing);

  void receipt(String roomId, String fromUser, int fromDevice, String status, List<String> messageIds, long at);

  void prekeysLow(int remaining);

  /** The devices of {@code user} changed (a revocation): fetch its bundles again. */
  void devicesChanged(String user);

  /** A linking envelope from another device of this account (live only, never stored). */
  void linkEnvelope(String fromUser, int fromDevice, byte[] envelope);

  /** Another connection of the same device took over; this one is about to close. */
  void sessionReplaced();

  /** A room changed: {@code change} is CREATED, MEMBERS_ADDED, MEMBER_REMOVED, MEMBER_LEFT, ROLE_CHANGED, RENAMED. */
  void roomEvent(ChatService.RoomView room, String change, String actor, List<String> users);

  /** Bytes queued for this connection and not yet written (drives delivery backpressure). */
  long bufferedBytes();

  /** Closes the connection with a WebSocket close code and reason. */
  void close(int code, String reason);
}
