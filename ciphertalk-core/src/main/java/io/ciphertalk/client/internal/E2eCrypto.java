package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.account.AccountKeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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

  /**
   * Accepts {@code userId}'s changed account key if {@code seenSafetyNumber} is exactly the new
   * safety number (digits or scanned payload) the user compared; returns whether it did.
   */
  boolean trust(String userId, String seenSafetyNumber);

  /** The safety number with {@code userId}'s changed account key, while one waits for a decision. */
  Optional<String> pendingSafetyNumber(String userId);

  /**
   * Devices first used since the last call that belong to a user who already had a device in use
   * (or to this account); the list is cleared.
   */
  List<NewDevice> takeNewDevices();

  /** A newly certified device of an already known account. */
  record NewDevice(DeviceAddress address, String safetyNumber) {}

  /**
   * The safety number of this account and {@code userId}'s pinned account key (12 groups of 5
   * digits).
   *
   * @throws IllegalArgumentException if no account key is known for that user yet
   */
  String safetyNumber(String userId);

  /** The same number as a scannable payload ({@code ciphertalk-sn:...}). */
  String safetyNumberPayload(String userId);

  /** Whether this device holds its account key (it is the first device, or was linked). */
  boolean hasAccountKey();

  /**
   * Creates the account key: this is the account's first device. A store from before accounts
   * loses its pairwise sessions here (see {@link #holdsPreAccountSessions()}).
   */
  void createAccount();

  /** Takes the account key received by linking; pre-account sessions are deleted as above. */
  void adoptAccount(AccountKeyPair account);

  /**
   * Whether this store predates accounts: it holds pairwise sessions but no account key. Those
   * sessions were set up before certificates existed, so no certificate ever vouched for their
   * peers; they are deleted when this device gets its account key, and every peer is reached again
   * through a new, certificate-checked handshake.
   */
  boolean holdsPreAccountSessions();

  /** This account's key pair (to link another device). */
  AccountKeyPair accountKeyPair();

  /** Where certificates of senders of initial messages are looked up. */
  void certificateSource(CertificateSource source);

  /** The directory's certificates, unverified. */
  @FunctionalInterface
  interface CertificateSource {
    Optional<byte[]> certificate(DeviceAddress device, boolean fresh) throws CryptoException;
  }

  /**
   * Signs the revocation of this account's device {@code deviceId}, whose certificate (as the
   * directory serves it) is {@code certificate}, and applies it here; returns its encoding.
   */
  byte[] revoke(int deviceId, byte[] certificate) throws CryptoException;

  /**
   * Applies a revocation (verified against the pinned, or this account's, key): the device's
   * session is deleted and it is never used again. Returns whether it was new.
   */
  boolean acceptRevocation(byte[] revocation) throws CryptoException;

  /** Whether a revocation of {@code device} was accepted. */
  boolean isRevoked(DeviceAddress device);

  /** The group (Sender Keys) half of this device's crypto. */
  GroupKeys groups();

  /**
   * Opens an inbound batch (which the engine runs in one store transaction): until {@link
   * #endBatch}, state changed by decryption is kept in memory and written once per session or room
   * at the end, instead of after every message. Encryption is refused inside a batch
   * ({@link IllegalStateException}). Also opens the batch of {@link #groups()}.
   *
   * @throws IllegalStateException if a batch is already open
   */
  void beginBatch();

  /** Writes what changed in the batch (inside the batch's transaction) and closes it. */
  void endBatch();

  /**
   * The batch's transaction failed and was rolled back: closes the batch and drops every cached
   * state (sessions, group rooms, verified devices), so it is read back from the store and never
   * disagrees with it. Redelivered messages then decrypt as the first time.
   */
  void abortBatch();

  /** A peer user's account key differs from the pinned one (trust on first use per account). */
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

  /**
   * A device that may not be used: it has no certificate that verifies under its account key (the
   * one pinned for its user, or this account's for own devices), or it was revoked.
   */
  final class UncertifiedDeviceException extends CryptoException {
    private static final long serialVersionUID = 1L;
    private final DeviceAddress address;

    public UncertifiedDeviceException(DeviceAddress address, String reason) {
      super(address + " is not a certified device of its account: " + reason);
      this.address = address;
    }

    public DeviceAddress address() {
      return address;
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
