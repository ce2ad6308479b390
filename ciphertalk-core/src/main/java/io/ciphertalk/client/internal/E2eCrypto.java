package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Instant;
import java.util.List;

/**
 * The client engine's seam to the end-to-end cryptography of this device: identity and prekeys,
 * pairwise sessions (X3DH/PQXDH/RSA-OAEP + Double Ratchet) and Sender Keys. Implementations keep
 * their state in the device's store and must be thread-safe (the engine calls from one thread).
 * Associated data binds the message id and the expiry (null = none) given here.
 */
public interface E2eCrypto {
  /** This device's address. */
  DeviceAddress self();

  /** Generates the identity if needed; returns the keys to publish with {@code count} one-time prekeys. */
  ServerLink.KeyUpload keysToPublish(int oneTimeCount) throws CryptoException;

  /** Generates {@code count} more one-time prekeys; returns them with the current signed keys. */
  ServerLink.KeyUpload refillOneTimePrekeys(int count) throws CryptoException;

  /** Replaces the signed prekey(s); returns the keys to publish (without one-time prekeys). */
  ServerLink.KeyUpload rotateSignedPrekey() throws CryptoException;

  boolean hasSession(DeviceAddress peer);

  /**
   * Starts a session from a fetched bundle, checking every signature.
   *
   * @throws IdentityChangedException if the peer user's identity differs from the trusted one
   */
  void startSession(ServerLink.DeviceBundle bundle) throws CryptoException;

  byte[] encrypt(DeviceAddress peer, byte[] plaintext, MessageId id, Instant expiresAt)
      throws CryptoException;

  /**
   * Decrypts a pairwise message; the session state changes only on success.
   *
   * @throws IdentityChangedException if it comes from an identity other than the trusted one
   */
  byte[] decrypt(DeviceAddress peer, byte[] ciphertext, MessageId id, Instant expiresAt)
      throws CryptoException;

  /** Accepts the current identity keys of {@code userId}'s devices as trusted (after a change). */
  void trust(String userId);

  /**
   * Devices first trusted since the last call that belong to a user who already had a trusted
   * device (own devices excluded), with their safety numbers; the list is cleared.
   */
  List<NewDevice> takeNewDevices();

  /** A newly trusted device of an already known user. */
  record NewDevice(DeviceAddress address, String safetyNumber) {}

  /** The safety number this device shares with {@code userId}'s current identity, if known. */
  String safetyNumber(String userId);

  /** The group (Sender Keys) half of this device's crypto. */
  GroupKeys groups();

  /** A peer's identity differs from the trusted one (trust on first use). */
  final class IdentityChangedException extends CryptoException {
    private static final long serialVersionUID = 1L;
    private final DeviceAddress address;
    private final String newSafetyNumber;

    public IdentityChangedException(DeviceAddress address, String newSafetyNumber) {
      super("identity key of " + address + " changed");
      this.address = address;
      this.newSafetyNumber = newSafetyNumber;
    }

    public DeviceAddress address() {
      return address;
    }

    public String newSafetyNumber() {
      return newSafetyNumber;
    }
  }

  /** A group message's sender is not (yet) in this device's member set for the room. */
  final class UnknownGroupMemberException extends CryptoException {
    private static final long serialVersionUID = 1L;

    public UnknownGroupMemberException(String message) {
      super(message);
    }
  }

  /** A group message arrived before the sender key it needs. */
  final class NoSenderKeyException extends CryptoException {
    private static final long serialVersionUID = 1L;

    public NoSenderKeyException(String message) {
      super(message);
    }
  }
}
