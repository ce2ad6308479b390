package io.ciphertalk.crypto;

/**
 * An authenticated ciphertext or MAC did not verify: the data, tag, nonce or associated data was
 * altered, truncated, or sealed under another key. Nothing about the plaintext is revealed.
 */
public final class AuthenticationFailedException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public AuthenticationFailedException(String message) {
    super(message);
  }

  public AuthenticationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
