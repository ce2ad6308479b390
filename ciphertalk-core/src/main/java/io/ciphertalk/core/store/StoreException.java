package io.ciphertalk.core.store;

/**
 * A local store could not complete an operation: the database failed, or a stored row failed its
 * integrity check (see {@link StoreCorruptedException}). Unchecked, like Jdbi's exceptions, because
 * every store call could fail this way and the caller's only sensible reaction is to report it; the
 * failures a caller is expected to handle (a wrong store key) have checked exceptions.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
