package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Instant;
import java.util.Set;

/**
 * The seam to Sender Keys for one device: its own sender key per room and epoch, and the keys
 * received from other member devices. {@code members} is always the room's complete member device
 * set including this device. Thread-safe. The associated data binds room, epoch, sender, message id
 * and expiry (null = none).
 */
public interface GroupKeys {
  /**
   * This device's current sender-key distribution message for a room: joins the room if needed and
   * adds member devices not yet known (they receive the current chain state, nothing earlier).
   */
  byte[] distribution(String roomId, Set<DeviceAddress> members) throws CryptoException;

  /** Starts a new epoch with fresh keys (after a member was removed or left). */
  void rotate(String roomId, Set<DeviceAddress> members) throws CryptoException;

  /**
   * Accepts another device's distribution message, delivered over an authenticated session.
   *
   * @return true if this device moved to a newer epoch to follow it, so its own new sender key
   *     must be distributed to every member again
   */
  boolean accept(String roomId, DeviceAddress from, byte[] distribution,
      Set<DeviceAddress> members) throws CryptoException;

  byte[] encrypt(String roomId, byte[] plaintext, MessageId id, Instant expiresAt)
      throws CryptoException;

  /**
   * @throws E2eCrypto.NoSenderKeyException if the sender's key for that epoch is not known yet
   * @throws E2eCrypto.UnknownGroupMemberException if the sender is not in this device's member set
   */
  byte[] decrypt(String roomId, DeviceAddress from, byte[] ciphertext, MessageId id,
      Instant expiresAt) throws CryptoException;

  /** Forgets the room (this device left or was removed). */
  void leave(String roomId);
}
