package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.CryptoException;

/**
 * A linking code or linking envelope that is malformed, mistyped (its checksum fails), meant for
 * another device, already used, or that does not decrypt under the code's ephemeral key.
 */
public final class InvalidLinkException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidLinkException(String message) {
    super(message);
  }

  public InvalidLinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
