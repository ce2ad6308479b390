package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;

/**
 * Bytes handed to the group API (a group message, a sender-key distribution message or a saved
 * room state) are malformed, of an unsupported version, or beyond a documented limit. Nothing was
 * changed.
 */
public final class InvalidGroupMessageException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidGroupMessageException(String message) {
    super(message);
  }
}
