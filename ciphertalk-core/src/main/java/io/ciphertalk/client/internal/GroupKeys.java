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
   * This device's sender key for a room: the epoch it belongs to and its distribution message.
   * The message is made (and signed, Ed25519) when {@code message} is called, only when a device
   * still needs it: before most group sends every member has it already. Call it before the next
   * encryption in the room (it describes the chain state at the time of the call).
   */
  record Distribution(long epoch, java.util.function.Supplier<byte[]> message) {}

  /**
   * This device's current sender-key distribution message for a room, ready for {@code members}:
   * joins the room if needed; if any device of the current epoch is missing from {@code members}
   * (removed, left, unlinked), first moves to the next epoch with fresh keys; then adds member
   * devices not yet known (they receive the current chain state, nothing earlier). The result is
   * persisted before it is returned, so the decision to rotate is a function of saved state and
   * the server's membership and survives any crash.
   *
   * @throws io.ciphertalk.crypto.group.EpochOutOfRangeException if a rotation is needed but the
   *     epoch space is exhausted: the caller must not send
   */
  Distribution distribution(String roomId, Set<DeviceAddress> members) throws CryptoException;

  /**
   * Whether accepting {@code distribution} would move this device to a newer epoch (the caller
   * then refreshes the room's membership first). False for anything unparseable.
   */
  boolean announcesNewerEpoch(String roomId, byte[] distribution);

  /**
   * Accepts another device's distribution message, delivered over an authenticated session from
   * {@code from}. It must name {@code roomId} and {@code from}, {@code from} must be in {@code
   * members}, and its epoch within {@link io.ciphertalk.crypto.group.GroupSession#MAX_EPOCH_STEP};
   * the state changes only if it installs.
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

  /**
   * Moves the room, if this device holds its sender keys, to the next epoch with the same member
   * devices: this device's old sender key is wiped and the new one goes out with the next group
   * message, to member devices whose certificates check. Used when a store from before accounts
   * upgrades: its old key may have been handed to a device no account certified.
   *
   * @throws io.ciphertalk.crypto.group.EpochOutOfRangeException if the room cannot move on
   */
  void rotate(String roomId) throws CryptoException;

  /** See {@link E2eCrypto#beginBatch}: room states changed by decryption are written at the end. */
  void beginBatch();

  /** See {@link E2eCrypto#endBatch}. */
  void endBatch();

  /** See {@link E2eCrypto#abortBatch}: every loaded room state is dropped and read back later. */
  void abortBatch();
}
