package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.util.Objects;

/**
 * An account's long-term Ed25519 signing key pair. It is created on the account's first device
 * and handed to each newly linked device inside the encrypted {@link LinkEnvelope} (as Signal shares
 * one account identity between linked devices), so that any device of the account can certify a
 * device it links and revoke a lost one. docs/protocol.md explains this choice against a Matrix-style
 * signing sub-key.
 *
 * <p>Storage encoding ({@link #serialize()}, secret): {@code u8 1 || Ed25519 seed [32]}. Never
 * prints its secret. Thread-safe; no method accepts null.
 */
public final class AccountKeyPair {
  private static final int VERSION = 1;
  /** Length of {@link #serialize()}. */
  public static final int ENCODED_LENGTH = 1 + Ed25519.PRIVATE_KEY_LENGTH;

  private final Ed25519.PrivateKey key;
  private final AccountKey publicKey;

  private AccountKeyPair(Ed25519.PrivateKey key) {
    this.key = key;
    this.publicKey = new AccountKey(key.publicKey());
  }

  /** A fresh account key. */
  public static AccountKeyPair generate(RandomSource random) {
    return new AccountKeyPair(Ed25519.generate(Objects.requireNonNull(random, "random")));
  }

  /** Restores a key pair from its 32-byte Ed25519 seed (copied). */
  public static AccountKeyPair fromSeed(SecretBytes seed) throws InvalidKeyMaterialException {
    return new AccountKeyPair(Ed25519.PrivateKey.fromSeed(Objects.requireNonNull(seed, "seed")));
  }

  /**
   * Parses {@link #serialize()}'s output.
   *
   * @throws InvalidKeyMaterialException if the length or version is wrong
   */
  public static AccountKeyPair deserialize(SecretBytes encoded) throws InvalidKeyMaterialException {
    Objects.requireNonNull(encoded, "encoded");
    byte[] b = encoded.toByteArray();
    try {
      if (b.length != ENCODED_LENGTH || b[0] != VERSION) {
        throw new InvalidKeyMaterialException("account key pair must be version 1 and "
            + ENCODED_LENGTH + " bytes");
      }
      SecretBytes seed = SecretBytes.copyOf(java.util.Arrays.copyOfRange(b, 1, ENCODED_LENGTH));
      try {
        return fromSeed(seed);
      } finally {
        seed.wipe();
      }
    } finally {
      java.util.Arrays.fill(b, (byte) 0);
    }
  }

  /** The public account key, the one contacts pin. */
  public AccountKey publicKey() {
    return publicKey;
  }

  /** The 32-byte Ed25519 seed (a copy; keep it secret). */
  public SecretBytes seed() {
    return key.seed();
  }

  /** {@code u8 1 || seed [32]}, for storage (keep it secret). */
  public SecretBytes serialize() {
    SecretBytes seed = key.seed();
    byte[] out = new byte[ENCODED_LENGTH];
    out[0] = VERSION;
    byte[] s = seed.toByteArray();
    System.arraycopy(s, 0, out, 1, Ed25519.PRIVATE_KEY_LENGTH);
    java.util.Arrays.fill(s, (byte) 0);
    seed.wipe();
    return SecretBytes.wrap(out);
  }

  byte[] sign(byte[] data) {
    return key.sign(data);
  }

  /** Wipes the private key. */
  public void wipe() {
    key.wipe();
  }

  @Override
  public String toString() {
    return "AccountKeyPair[public=" + publicKey + "]";
  }
}
