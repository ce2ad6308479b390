package io.ciphertalk.core.store;

/**
 * A sealed value in the store failed authentication: it was altered, moved to another row, or
 * sealed under another key. The value is not returned.
 */
public final class StoreCorruptedException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreCorruptedException(String message, Throwable cause) {
    super(message, cause);
  }
}
