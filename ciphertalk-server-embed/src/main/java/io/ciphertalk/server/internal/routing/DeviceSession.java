package io.ciphertalk.server.internal.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivery state of one authenticated connection of one device: what has been pushed on this
 * connection and not yet acknowledged, and how far each room timeline was pushed. Guarded by its
 * own monitor; the router is the only user.
 */
public final class DeviceSession {
  final String userId;
  final int deviceId;
  final Outbound out;
  final long connectedAt;

  /** Device-stream sequence numbers (direct_queue ids) pushed on this connection and not yet acknowledged. */
  final java.util.NavigableSet<Long> inflightIds = new java.util.TreeSet<>();
  /** room id -> highest timeline sequence pushed (or skipped) on this connection. */
  final Map<String, Long> roomSent = new HashMap<>();
  /** room id -> the room's last sequence when the cluster's catch-up poll last asked for a drain of it. */
  final Map<String, Long> roomPolled = new HashMap<>();
  /** The highest queue id the cluster's catch-up poll last saw for this device (0: none). */
  long directPolled;
  /** Users this device's user has blocked: their messages are skipped. */
  volatile Set<String> blocked = Set.of();
  final Set<String> typingRooms = ConcurrentHashMap.newKeySet();

  /** Set once the client was welcomed; no push may precede the welcome. */
  boolean active;
  boolean draining;
  /** When deliveries started waiting for the client to read (System.nanoTime), or 0. */
  long stalledSinceNanos;
  boolean dirty;
  /** True when the last drain left nothing behind, so live messages may be pushed directly. */
  boolean synced;
  volatile boolean closed;
  /** This connection's entry in the cluster-wide connection count, or null (single node, Redis away). */
  volatile String clusterMember;

  DeviceSession(String userId, int deviceId, Outbound out, long connectedAt) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.out = out;
    this.connectedAt = connectedAt;
  }

  public String userId() {
    return userId;
  }

  public int deviceId() {
    return deviceId;
  }

  public Outbound out() {
    return out;
  }

  @Override
  public String toString() {
    return userId + "." + deviceId;
  }
}
