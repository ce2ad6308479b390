package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;

/**
 * Serialized session state that is malformed, truncated or of an unknown version.
 */
public final class InvalidSessionStateException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidSessionStateException(String message) {
    super(message);
  }

  public InvalidSessionStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
