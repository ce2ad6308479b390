package io.ciphertalk.crypto.session;

import java.util.Optional;

/**
 * Where a responding device finds its own private prekeys when an initial message arrives. The
 * host application implements it over its key store; {@link InMemoryPreKeySource} is the
 * in-memory implementation.
 *
 * <p>Implementations must be thread-safe. Lookups return empty for unknown ids and never null.
 * {@link Session} calls {@link #consumeOneTimePreKey(int)} and {@link #consumeKemPreKey(int)} only
 * after the initial message has decrypted, so a forged message never burns a one-time prekey.
 *
 * <p>KEM prekeys come in two kinds, as in libsignal and PQXDH: one-time KEM prekeys (PQOPK), each
 * handed out by the directory at most once and deleted here after its first use, and one
 * last-resort KEM prekey (PQSPK), served when the one-time ones run out and kept until it is
 * rotated out. Both are signed the same way; only this source knows which kind an id is.
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

  /**
   * The signed ML-KEM-768 prekey with {@code id}, one-time or last-resort, if still held (a one-time
   * KEM prekey is gone once consumed).
   */
  Optional<KemPreKey> kemPreKey(int id);

  /**
   * Records that an initial message using the KEM prekey {@code id} decrypted. A one-time KEM
   * prekey is deleted (and should be wiped), returning true only for the one caller that removed
   * it, so a replayed or racing initial message cannot use it again; a last-resort KEM prekey is
   * kept and returns true. Returns false if no such key is held.
   */
  boolean consumeKemPreKey(int id);

  /** The signed RSA prekey with {@code id}, if still held. */
  Optional<RsaPreKey> rsaPreKey(int id);
}
