package io.ciphertalk.core.store;

import io.ciphertalk.crypto.DeviceAddress;
import java.util.Optional;

/**
 * Sender-key state per (room, sending device), as opaque bytes defined by the group layer: this
 * device's own sending chain (keyed by its own address) and the receiving chains of other members.
 * Thread-safe; arguments must not be null; arrays are copied. Failures are {@link StoreException}s.
 */
public interface SenderKeyStore {

  /** The state for {@code sender} in {@code roomId}, if any. */
  Optional<byte[]> loadSenderKey(String roomId, DeviceAddress sender);

  /** Saves (or replaces) the state for {@code sender} in {@code roomId}. */
  void storeSenderKey(String roomId, DeviceAddress sender, byte[] state);

  /** Deletes one sender's state; true if present. */
  boolean deleteSenderKey(String roomId, DeviceAddress sender);

  /** Deletes every sender key of {@code roomId} (e.g. on a new epoch); returns how many. */
  int deleteSenderKeys(String roomId);
}
