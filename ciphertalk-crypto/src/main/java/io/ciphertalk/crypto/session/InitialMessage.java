package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.Aead;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.internal.ByteWriter;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * The message an initiator sends until the responder has replied: the handshake fields the
 * responder needs, followed by an ordinary ratchet body and ciphertext. Layout: {@code u8 version
 * || u8 type=1 || u8 suite || initiator identity key (128) || base key EK_A (32) || u32
 * signed-prekey id || u32 one-time-prekey id (0 = none) || suite fields || ratchet body ||
 * ciphertext and tag}, where suite fields are empty (X3DH), {@code u32 kem-prekey id ||
 * ML-KEM-768 ciphertext (1088)} (PQXDH) or {@code u32 rsa-prekey id || u16 n || RSA-OAEP
 * ciphertext (n)} (RSA_OAEP). Every byte before the ciphertext is associated data.
 * Immutable and thread-safe.
 */
public final class InitialMessage implements EncryptedMessage {
  static final int FIXED_PREFIX = 3 + IdentityKey.ENCODED_LENGTH + 32 + 4 + 4;

  private final byte[] bytes;
  private final HandshakeSuite suite;
  private final IdentityKey senderIdentity;
  private final byte[] baseKey;
  private final int signedPreKeyId;
  private final int oneTimePreKeyId;
  private final int suitePreKeyId;
  private final byte[] suiteCiphertext;
  private final int bodyOffset;
  private final MessageCodec.Body body;

  private InitialMessage(byte[] bytes, IdentityKey knownSender) throws InvalidMessageException {
    this.bytes = bytes;
    this.suite = MessageCodec.suite(bytes);
    if (knownSender != null) {
      this.senderIdentity = knownSender; // our own message: the key is ours, already verified
    } else {
      try {
        this.senderIdentity = IdentityKey.deserialize(Arrays.copyOfRange(bytes, 3, 131));
      } catch (InvalidKeyMaterialException e) {
        throw new InvalidMessageException("bad sender identity key: " + e.getMessage(), e);
      }
    }
    this.baseKey = Arrays.copyOfRange(bytes, 131, 163);
    this.signedPreKeyId = ByteWriter.getU32(bytes, 163);
    this.oneTimePreKeyId = ByteWriter.getU32(bytes, 167);
    if (signedPreKeyId < 1 || oneTimePreKeyId < 0) {
      throw new InvalidMessageException("bad prekey id");
    }
    int off = FIXED_PREFIX;
    switch (suite) {
      case PQXDH:
        need(bytes, off + 4 + MlKem768.CIPHERTEXT_LENGTH);
        suitePreKeyId = ByteWriter.getU32(bytes, off);
        suiteCiphertext = Arrays.copyOfRange(bytes, off + 4, off + 4 + MlKem768.CIPHERTEXT_LENGTH);
        off += 4 + MlKem768.CIPHERTEXT_LENGTH;
        break;
      case RSA_OAEP:
        need(bytes, off + 6);
        suitePreKeyId = ByteWriter.getU32(bytes, off);
        int n = ((bytes[off + 4] & 0xff) << 8) | (bytes[off + 5] & 0xff);
        if (n < 384 || n > 512) {
          throw new InvalidMessageException("RSA ciphertext length " + n + " out of range");
        }
        need(bytes, off + 6 + n);
        suiteCiphertext = Arrays.copyOfRange(bytes, off + 6, off + 6 + n);
        off += 6 + n;
        break;
      default:
        suitePreKeyId = 0;
        suiteCiphertext = null;
    }
    if (suite != HandshakeSuite.X3DH && suitePreKeyId < 1) {
      throw new InvalidMessageException("bad suite prekey id");
    }
    need(bytes, off + MessageCodec.BODY_LENGTH + Aead.TAG_LENGTH);
    this.bodyOffset = off;
    this.body = new MessageCodec.Body(bytes, off);
  }

  private static void need(byte[] bytes, int length) throws InvalidMessageException {
    if (bytes.length < length) {
      throw new InvalidMessageException("initial message truncated");
    }
  }

  /** Wraps a message this device just built; {@code sender} is the key written at offset 3. */
  static InitialMessage wrap(byte[] bytes, IdentityKey sender) throws InvalidMessageException {
    return new InitialMessage(bytes, sender);
  }

  /** Parses an initial message and verifies the embedded identity key's self-signature. */
  public static InitialMessage deserialize(byte[] bytes) throws InvalidMessageException {
    MessageCodec.checkCommon(bytes, MessageCodec.TYPE_INITIAL,
        FIXED_PREFIX + MessageCodec.BODY_LENGTH + Aead.TAG_LENGTH);
    return new InitialMessage(bytes.clone(), null);
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

  /** The initiator's identity key (self-signature verified; trust is checked by the session). */
  public IdentityKey senderIdentity() {
    return senderIdentity;
  }

  /** The responder's signed prekey this handshake used. */
  public int signedPreKeyId() {
    return signedPreKeyId;
  }

  /** The responder's one-time prekey this handshake used, if any. */
  public OptionalInt oneTimePreKeyId() {
    return oneTimePreKeyId == 0 ? OptionalInt.empty() : OptionalInt.of(oneTimePreKeyId);
  }

  @Override
  public byte[] serialize() {
    return bytes.clone();
  }

  byte[] view() {
    return bytes;
  }

  byte[] baseKey() {
    return baseKey;
  }

  int suitePreKeyId() {
    return suitePreKeyId;
  }

  byte[] suiteCiphertext() {
    return suiteCiphertext;
  }

  MessageCodec.Body body() {
    return body;
  }

  int headerLength() {
    return bodyOffset + MessageCodec.BODY_LENGTH;
  }

  @Override
  public String toString() {
    return "InitialMessage[" + suite + ", id=" + body.messageId + ", spk=" + signedPreKeyId
        + (oneTimePreKeyId != 0 ? ", opk=" + oneTimePreKeyId : "") + ", " + bytes.length
        + " bytes]";
  }
}
