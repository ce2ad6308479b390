package io.ciphertalk.client;

/**
 * The root of every exception the client SDK throws for a failure the app must handle
 * (authentication, a request the server refused, a timeout, a room that went away). Unchecked, like
 * Jdbi's {@code JdbiException}, so it can also come out of the methods that never touch the network
 * ({@link Room#send}); the methods that talk to the server still declare it, as documentation. An
 * app that wants one guard around every SDK call catches this type.
 *
 * <p>Misuse (null, closed client, bad argument) throws {@link IllegalArgumentException} or
 * {@link IllegalStateException} instead.
 *
 * <p>Subtypes: {@link AuthenticationException}, {@link RequestFailedException},
 * {@link RoomUnavailableException}, {@link TransferFailedException}.
 */
public class CipherTalkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CipherTalkException(String message) {
    super(message);
  }

  public CipherTalkException(String message, Throwable cause) {
    super(message, cause);
  }
}
