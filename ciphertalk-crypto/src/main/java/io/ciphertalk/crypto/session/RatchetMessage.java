package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.Aead;

/**
 * A Double Ratchet message: {@code u8 version || u8 type=2 || u8 suite || ratchet key (32) || u32
 * previous chain length || u32 counter || message id (16) || i64 expiry || nonce (12) ||
 * AES-256-GCM ciphertext and tag}. Immutable and thread-safe.
 */
public final class RatchetMessage implements EncryptedMessage {
  private final byte[] bytes;
  private final HandshakeSuite suite;
  private final MessageCodec.Body body;

  private RatchetMessage(byte[] bytes, HandshakeSuite suite) {
    this.bytes = bytes;
    this.suite = suite;
    this.body = new MessageCodec.Body(bytes, 3);
  }

  static RatchetMessage wrap(byte[] bytes, HandshakeSuite suite) {
    return new RatchetMessage(bytes, suite);
  }

  /** Parses a ratchet message. */
  public static RatchetMessage deserialize(byte[] bytes) throws InvalidMessageException {
    MessageCodec.checkCommon(bytes, MessageCodec.TYPE_RATCHET,
        MessageCodec.RATCHET_HEADER_LENGTH + Aead.TAG_LENGTH);
    return new RatchetMessage(bytes.clone(), MessageCodec.suite(bytes));
  }

  @Override
  public HandshakeSuite suite() {
    return suite;
  }

  @Override
  public MessageId messageId() {
    return body.messageId;
  }

  @Override
  public long expiresAtEpochMillis() {
    return body.expiresAt;
  }

  /** The sender's message counter within its current chain. */
  public int counter() {
    return body.counter;
  }

  @Override
  public byte[] serialize() {
    return bytes.clone();
  }

  byte[] view() {
    return bytes;
  }

  MessageCodec.Body body() {
    return body;
  }

  int headerLength() {
    return MessageCodec.RATCHET_HEADER_LENGTH;
  }

  @Override
  public String toString() {
    return "RatchetMessage[" + suite + ", id=" + body.messageId + ", n=" + body.counter + ", "
        + bytes.length + " bytes]";
  }
}
