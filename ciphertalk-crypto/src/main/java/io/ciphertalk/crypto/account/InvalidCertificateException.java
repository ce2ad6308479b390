package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.CryptoException;

/**
 * A device certificate or revocation that is malformed, of an unknown version, signed by another
 * account key than expected, issued for another address, or whose signature does not verify.
 */
public final class InvalidCertificateException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public InvalidCertificateException(String message) {
    super(message);
  }

  public InvalidCertificateException(String message, Throwable cause) {
    super(message, cause);
  }
}
