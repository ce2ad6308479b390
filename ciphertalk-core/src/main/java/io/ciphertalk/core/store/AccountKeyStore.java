package io.ciphertalk.core.store;

import io.ciphertalk.crypto.SecretBytes;
import java.util.List;
import java.util.Optional;

/**
 * The account-level keys a device keeps (docs/protocol.md, "Accounts and devices"): the account key
 * pair it holds (created on the account's first device, or received when linked), its own device
 * certificate, the account key it pinned for each peer user (trust on first use per account), and
 * the device revocations it accepted. Values are opaque encodings of {@code
 * io.ciphertalk.crypto.account}. Thread-safe; arguments must not be null; arrays are copied.
 * Failures are {@link StoreException}s.
 */
public interface AccountKeyStore {

  /** This account's key pair ({@code AccountKeyPair.serialize()}), if this device holds it. */
  Optional<SecretBytes> accountKeyPair();

  /** Saves (or replaces) this account's key pair. */
  void saveAccountKeyPair(SecretBytes keyPair);

  /** This device's own certificate, if it has one. */
  Optional<byte[]> ownCertificate();

  /** Saves (or replaces) this device's own certificate. */
  void saveOwnCertificate(byte[] certificate);

  /** The account key pinned for {@code userId}, if any. */
  Optional<byte[]> pinnedAccountKey(String userId);

  /** Pins {@code accountKey} for {@code userId}, replacing any other. */
  void pinAccountKey(String userId, byte[] accountKey);

  /** The verified revocations of {@code userId}'s devices, oldest first. */
  List<byte[]> revocations(String userId);

  /** Records a verified revocation of one of {@code userId}'s devices; duplicates are ignored. */
  void addRevocation(String userId, byte[] revocation);
}
