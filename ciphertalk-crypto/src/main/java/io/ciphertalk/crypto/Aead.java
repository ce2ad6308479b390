package io.ciphertalk.crypto;

/**
 * Authenticated encryption with associated data.
 *
 * <p>Security guarantee: IND-CCA2 confidentiality of the plaintext and integrity of plaintext and
 * associated data, provided a (key, nonce) pair is never used to seal two different messages.
 * Implementations are thread-safe. Arguments must not be null; pass an empty array for "no
 * associated data".
 */
public interface Aead {

  /** Nonce length in bytes (96 bits, NIST SP 800-38D's recommended size). */
  int NONCE_LENGTH = 12;

  /** Authentication tag length in bytes (128 bits). */
  int TAG_LENGTH = 16;

  /** Returns {@code ciphertext || tag} for {@code plaintext}, bound to {@code associatedData}. */
  byte[] seal(byte[] nonce, byte[] plaintext, byte[] associatedData) throws CryptoException;

  /**
   * Verifies and decrypts {@code ciphertext || tag}.
   *
   * @throws AuthenticationFailedException if anything was altered, truncated or sealed under
   *     another key, nonce or associated data
   */
  byte[] open(byte[] nonce, byte[] ciphertextAndTag, byte[] associatedData) throws CryptoException;

  /** Seals under a fresh random nonce and returns {@code nonce || ciphertext || tag}. */
  default byte[] sealWithRandomNonce(byte[] plaintext, byte[] associatedData, RandomSource random)
      throws CryptoException {
    byte[] nonce = random.bytes(NONCE_LENGTH);
    byte[] sealed = seal(nonce, plaintext, associatedData);
    byte[] out = new byte[NONCE_LENGTH + sealed.length];
    System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
    System.arraycopy(sealed, 0, out, NONCE_LENGTH, sealed.length);
    return out;
  }

  /** Opens the output of {@link #sealWithRandomNonce}. */
  default byte[] openWithPrefixedNonce(byte[] nonceCiphertextAndTag, byte[] associatedData)
      throws CryptoException {
    if (nonceCiphertextAndTag.length < NONCE_LENGTH + TAG_LENGTH) {
      throw new AuthenticationFailedException("ciphertext too short");
    }
    byte[] nonce = java.util.Arrays.copyOfRange(nonceCiphertextAndTag, 0, NONCE_LENGTH);
    byte[] rest =
        java.util.Arrays.copyOfRange(nonceCiphertextAndTag, NONCE_LENGTH, nonceCiphertextAndTag.length);
    return open(nonce, rest, associatedData);
  }
}
