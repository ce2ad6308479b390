package io.ciphertalk.core.store;

import io.ciphertalk.crypto.DeviceAddress;
import java.util.List;
import java.util.Optional;

/**
 * Pairwise session state per peer device, as opaque versioned bytes defined by the session layer.
 * Callers decrypt on a copy of the state and store the new state only on success. Thread-safe;
 * arguments must not be null; arrays are copied. Failures are {@link StoreException}s.
 */
public interface SessionStore {

  /** The session state with {@code peer}, if any. */
  Optional<byte[]> loadSession(DeviceAddress peer);

  /** Saves (or replaces) the session state with {@code peer}. */
  void storeSession(DeviceAddress peer, byte[] state);

  /** Deletes the session with {@code peer}; true if there was one. */
  boolean deleteSession(DeviceAddress peer);

  /** The devices of {@code userId} this device has sessions with, sorted by device id. */
  List<DeviceAddress> sessionDevices(String userId);

  /** Deletes every session with {@code userId}'s devices; returns how many. */
  int deleteAllSessions(String userId);

  /** Every device this device has a session with, sorted by user id then device id. */
  List<DeviceAddress> allSessionDevices();
}
