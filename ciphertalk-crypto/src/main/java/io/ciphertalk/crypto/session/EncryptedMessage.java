package io.ciphertalk.crypto.session;

import java.util.Objects;

/**
 * An encrypted 1:1 message as it travels: either an {@link InitialMessage} (sent by the initiator
 * until the responder has replied; it carries what the responder needs to run the handshake) or a
 * {@link RatchetMessage}. Byte layouts are in docs/protocol.md ("Message formats"). The message id
 * and expiry are readable by the server (for deduplication and purging) but bound into the
 * associated data, so changing them makes decryption fail.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public sealed interface EncryptedMessage permits InitialMessage, RatchetMessage {
  /** Largest accepted serialized message (header, 1 MiB plaintext, tag). */
  int MAX_LENGTH = Session.MAX_PLAINTEXT_LENGTH + 2048;

  /** The suite of the session the message belongs to. */
  HandshakeSuite suite();

  /** The sender's message id. */
  MessageId messageId();

  /** Expiry in epoch milliseconds, or {@link Session#NO_EXPIRY}. */
  long expiresAtEpochMillis();

  /** The serialized form (a copy). */
  byte[] serialize();

  /**
   * Parses either message type (the second byte says which).
   *
   * @throws InvalidMessageException if the bytes are malformed, too long, or of an unknown version,
   *     type or suite
   */
  static EncryptedMessage deserialize(byte[] bytes) throws InvalidMessageException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < 2) {
      throw new InvalidMessageException("message too short");
    }
    switch (bytes[1]) {
      case MessageCodec.TYPE_INITIAL:
        return InitialMessage.deserialize(bytes);
      case MessageCodec.TYPE_RATCHET:
        return RatchetMessage.deserialize(bytes);
      default:
        throw new InvalidMessageException("unknown message type " + (bytes[1] & 0xff));
    }
  }
}
