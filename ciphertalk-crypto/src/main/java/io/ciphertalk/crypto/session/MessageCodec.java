package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.Aead;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.util.Arrays;

/** Layout constants and the ratchet-body codec shared by both message types. */
final class MessageCodec {
  private MessageCodec() {}

  static final byte TYPE_INITIAL = 1;
  static final byte TYPE_RATCHET = 2;

  /** Ratchet body: ratchet key (32) || u32 pn || u32 n || message id (16) || i64 expiry || nonce (12). */
  static final int BODY_LENGTH = 32 + 4 + 4 + MessageId.LENGTH + 8 + Aead.NONCE_LENGTH;
  /** Ratchet message header: version || type || suite || body. */
  static final int RATCHET_HEADER_LENGTH = 3 + BODY_LENGTH;

  /** The parsed ratchet body; {@code offset} is where it starts in the message. */
  static final class Body {
    final byte[] ratchetKey;
    final int previousCounter;
    final int counter;
    final MessageId messageId;
    final long expiresAt;
    final byte[] nonce;

    Body(byte[] msg, int off) {
      this.ratchetKey = Arrays.copyOfRange(msg, off, off + 32);
      this.previousCounter = ByteWriter.getU32(msg, off + 32);
      this.counter = ByteWriter.getU32(msg, off + 36);
      this.messageId = MessageId.of(Arrays.copyOfRange(msg, off + 40, off + 56));
      this.expiresAt = ByteWriter.getU64(msg, off + 56);
      this.nonce = Arrays.copyOfRange(msg, off + 64, off + 76);
    }
  }

  /** Writes a ratchet body at {@code off}. */
  static void writeBody(byte[] dst, int off, byte[] ratchetKey, int pn, int n, MessageId id,
      long expiresAt, byte[] nonce) {
    System.arraycopy(ratchetKey, 0, dst, off, 32);
    ByteWriter.putU32(dst, off + 32, pn);
    ByteWriter.putU32(dst, off + 36, n);
    System.arraycopy(id.view(), 0, dst, off + 40, MessageId.LENGTH);
    ByteWriter.putU64(dst, off + 56, expiresAt);
    System.arraycopy(nonce, 0, dst, off + 64, Aead.NONCE_LENGTH);
  }

  static void checkCommon(byte[] bytes, byte type, int minLength) throws InvalidMessageException {
    if (bytes.length > EncryptedMessage.MAX_LENGTH) {
      throw new InvalidMessageException("message longer than " + EncryptedMessage.MAX_LENGTH);
    }
    if (bytes.length < minLength) {
      throw new InvalidMessageException("message too short");
    }
    if ((bytes[0] & 0xff) != Kdfs.PROTOCOL_VERSION) {
      throw new InvalidMessageException("unsupported protocol version " + (bytes[0] & 0xff));
    }
    if (bytes[1] != type) {
      throw new InvalidMessageException("wrong message type " + (bytes[1] & 0xff));
    }
  }

  static HandshakeSuite suite(byte[] bytes) throws InvalidMessageException {
    HandshakeSuite s = HandshakeSuite.fromCode(bytes[2] & 0xff);
    if (s == null) {
      throw new InvalidMessageException("unknown suite " + (bytes[2] & 0xff));
    }
    return s;
  }
}
