package io.ciphertalk.core.store;

/**
 * The key or passphrase given to open an encrypted store is not the one it was created with.
 * Nothing was read or changed.
 */
public final class InvalidStoreKeyException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidStoreKeyException(String message) {
    super(message);
  }
}
