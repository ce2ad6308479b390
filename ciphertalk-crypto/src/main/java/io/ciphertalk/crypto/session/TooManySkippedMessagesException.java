package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;

/**
 * A message whose counter is further ahead of its chain than {@link Session#MAX_SKIP} allows
 * (or a previous-chain length that would require that). The session is unchanged. A genuine peer
 * that dropped this many messages must start a new session.
 */
public final class TooManySkippedMessagesException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public TooManySkippedMessagesException(String message) {
    super(message);
  }

  public TooManySkippedMessagesException(String message, Throwable cause) {
    super(message, cause);
  }
}
