package io.ciphertalk.crypto;

import java.security.GeneralSecurityException;

/**
 * Root of every checked failure raised by CipherTalk cryptography. Callers that do not care which
 * check failed catch this one type; callers that can recover catch a subclass.
 */
public class CryptoException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  public CryptoException(String message) {
    super(message);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
