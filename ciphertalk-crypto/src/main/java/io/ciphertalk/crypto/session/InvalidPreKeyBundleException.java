package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;

/**
 * A prekey bundle that is incomplete, malformed, carries a signature that does not verify, or
 * lacks the prekey the chosen {@link HandshakeSuite} needs.
 */
public final class InvalidPreKeyBundleException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidPreKeyBundleException(String message) {
    super(message);
  }

  public InvalidPreKeyBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
