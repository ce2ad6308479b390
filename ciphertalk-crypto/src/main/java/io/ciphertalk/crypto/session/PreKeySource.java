package io.ciphertalk.crypto.session;

import java.util.Optional;

/**
 * Where a responding device finds its own private prekeys when an initial message arrives. The
 * host application implements it over its key store; {@link InMemoryPreKeySource} is the
 * in-memory implementation.
 *
 * <p>Implementations must be thread-safe. Lookups return empty for unknown ids and never null.
 * {@link Session} calls {@link #consumeOneTimePreKey(int)} only after the initial message has
 * decrypted, so a forged message never burns a one-time prekey.
 */
public interface PreKeySource {

  /** The signed prekey with {@code id}, if still held. */
  Optional<SignedPreKey> signedPreKey(int id);

  /** The one-time prekey with {@code id}, if not yet consumed. */
  Optional<OneTimePreKey> oneTimePreKey(int id);

  /**
   * Deletes the one-time prekey with {@code id} (and should wipe it). Returns true only for the one
   * caller that removed it, so two racing initial messages cannot both use it.
   */
  boolean consumeOneTimePreKey(int id);

  /** The signed ML-KEM-768 prekey with {@code id}, if still held. */
  Optional<KemPreKey> kemPreKey(int id);

  /** The signed RSA prekey with {@code id}, if still held. */
  Optional<RsaPreKey> rsaPreKey(int id);
}
