package io.ciphertalk.crypto;

/** A signature did not verify under the given public key, or was not a well-formed signature. */
public final class InvalidSignatureException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidSignatureException(String message) {
    super(message);
  }
}
