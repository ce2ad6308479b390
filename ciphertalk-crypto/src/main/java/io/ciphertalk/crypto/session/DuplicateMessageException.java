package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;
import java.util.Objects;

/**
 * A message whose key has already been used (a replay or a duplicate delivery). The session is
 * unchanged. {@link #messageId()} is the id from the (unauthenticated) header: the original message
 * with that id was delivered earlier, so a caller can simply drop this copy.
 */
public final class DuplicateMessageException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final transient MessageId messageId;

  public DuplicateMessageException(MessageId messageId) {
    super("duplicate message " + Objects.requireNonNull(messageId, "messageId"));
    this.messageId = messageId;
  }

  /** The duplicated message's id. */
  public MessageId messageId() {
    return messageId;
  }
}
