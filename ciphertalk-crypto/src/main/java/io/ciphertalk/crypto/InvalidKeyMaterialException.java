package io.ciphertalk.crypto;

/**
 * Key bytes were malformed or unsafe: wrong length, a non-canonical or invalid point encoding, or a
 * public key that yields an all-zero (low-order) Diffie-Hellman result.
 */
public final class InvalidKeyMaterialException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidKeyMaterialException(String message) {
    super(message);
  }

  public InvalidKeyMaterialException(String message, Throwable cause) {
    super(message, cause);
  }
}
