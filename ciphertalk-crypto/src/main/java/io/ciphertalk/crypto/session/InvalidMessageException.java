package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;

/**
 * A message that is malformed, forged, altered in transit, for another session or for an
 * unsupported version or suite. The session that rejected it is unchanged, so the next genuine
 * message still decrypts.
 */
public final class InvalidMessageException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidMessageException(String message) {
    super(message);
  }

  public InvalidMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
