package io.ciphertalk.client;

/**
 * The root of the checked exceptions the client SDK throws for failures the app must handle
 * (authentication, a request the server refused, a timeout). Misuse (null, closed client) throws
 * {@link IllegalArgumentException} or {@link IllegalStateException} instead.
 */
public class CipherTalkException extends Exception {
  private static final long serialVersionUID = 1L;

  public CipherTalkException(String message) {
    super(message);
  }

  public CipherTalkException(String message, Throwable cause) {
    super(message, cause);
  }
}
