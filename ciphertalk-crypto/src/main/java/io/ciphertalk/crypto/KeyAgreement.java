package io.ciphertalk.crypto;

/**
 * Diffie-Hellman style key agreement, implemented by a private key.
 *
 * @param <P> the peer's public key type
 */
public interface KeyAgreement<P> {

  /**
   * The raw shared secret with {@code peerPublicKey}. Feed it to a {@link Kdf}; never use it as a
   * key directly.
   *
   * @throws InvalidKeyMaterialException if the peer key is unusable (for X25519, a low-order point
   *     that makes the result all zeros)
   */
  SecretBytes agree(P peerPublicKey) throws InvalidKeyMaterialException;
}
