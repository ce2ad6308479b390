package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.Aead;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.group.internal.GroupReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One encrypted, signed group message, as sent once to the whole room (docs/protocol.md, "Groups
 * (Sender Keys)", group message format v2; v1 is still parsed and decrypted).
 *
 * <pre>
 *   u8 version (2) | u8 type (0x11) | room id (u8 length + ASCII) | u64 epoch | sender address
 *   | u32 chain id | u32 iteration | 16-byte message id | u64 expiry (Unix ms, 0 = none)
 *   | 12-byte random nonce (v2 only)
 *   | u32 ciphertext length | AES-256-GCM ciphertext and tag | 64-byte Ed25519 signature
 * </pre>
 *
 * The bytes before the ciphertext length are the AEAD associated data; the signature covers the
 * label ({@value #SIGNATURE_LABEL} for v2, {@value #SIGNATURE_LABEL_V1} for v1) followed by every
 * byte before it. The v2 nonce is fresh randomness per message, so restoring an older sender state
 * never repeats a (key, nonce) pair. The header fields are readable
 * without a key (a server routes on the room id and sender), but changing any byte makes the
 * signature check fail. Parsing checks structure only; {@link GroupSession#decrypt} checks the
 * signature. Immutable and thread-safe; never null-tolerant.
 */
public final class GroupMessage {
  /** Format version byte written by {@link GroupSession#encrypt}. */
  public static final int VERSION = 2;
  /** The previous format version, still accepted by {@link #parse} and {@link GroupSession#decrypt}. */
  public static final int VERSION_1 = 1;
  /** Length of the v2 random nonce. */
  public static final int NONCE_LENGTH = 12;
  /**
   * Type byte (0x11). Group types are 0x10 to 0x12 so they never collide with the 1:1 message types
   * (1 and 2) that share the version-then-type layout.
   */
  public static final int TYPE = 0x11;
  /** Expiry value meaning "does not expire" (as in the 1:1 sessions). */
  public static final long NO_EXPIRY = 0L;
  /** Length of a message id. */
  public static final int MESSAGE_ID_LENGTH = 16;
  /** Domain-separation prefix of the signed bytes (v2). */
  public static final String SIGNATURE_LABEL = "CipherTalk group v2 message signature";
  /** Domain-separation prefix of the signed bytes (v1). */
  public static final String SIGNATURE_LABEL_V1 = "CipherTalk group v1 message signature";

  static final byte[] SIGNATURE_LABEL_BYTES = SIGNATURE_LABEL.getBytes(StandardCharsets.US_ASCII);
  static final byte[] SIGNATURE_LABEL_V1_BYTES = SIGNATURE_LABEL_V1.getBytes(StandardCharsets.US_ASCII);
  /** Largest accepted encoding: header bound + ciphertext bound + signature. */
  static final int MAX_ENCODED_LENGTH = 512 + GroupSession.MAX_PLAINTEXT_LENGTH + Aead.TAG_LENGTH + 64;

  private final int version;
  private final String roomId;
  private final long epoch;
  private final DeviceAddress sender;
  private final int chainId;
  private final int iteration;
  private final byte[] messageId;
  private final long expiresAtMillis;
  private final byte[] nonce;
  private final byte[] encoded;
  private final int headerLength;
  private final int ciphertextOffset;
  private final int ciphertextLength;

  private GroupMessage(
      int version, String roomId, long epoch, DeviceAddress sender, int chainId, int iteration,
      byte[] messageId, long expiresAtMillis, byte[] nonce, byte[] encoded, int headerLength,
      int ciphertextOffset, int ciphertextLength) {
    this.version = version;
    this.nonce = nonce;
    this.roomId = roomId;
    this.epoch = epoch;
    this.sender = sender;
    this.chainId = chainId;
    this.iteration = iteration;
    this.messageId = messageId;
    this.expiresAtMillis = expiresAtMillis;
    this.encoded = encoded;
    this.headerLength = headerLength;
    this.ciphertextOffset = ciphertextOffset;
    this.ciphertextLength = ciphertextLength;
  }

  /** Writes the v2 header (the associated data) of a message. */
  static byte[] header(
      String roomId, long epoch, DeviceAddress sender, int chainId, int iteration, byte[] messageId,
      long expiresAtMillis, byte[] nonce) {
    return new ByteWriter(112)
        .u8(VERSION)
        .u8(TYPE)
        .ascii8(roomId)
        .u64(epoch)
        .address(sender)
        .u32(chainId)
        .u32(iteration)
        .bytes(messageId)
        .u64(expiresAtMillis)
        .bytes(nonce)
        .toByteArray();
  }

  /**
   * Parses an encoded group message, checking structure and limits (not the signature).
   *
   * @throws InvalidGroupMessageException if the bytes are malformed, of another version or type, or
   *     too long
   */
  public static GroupMessage parse(byte[] encoded) throws InvalidGroupMessageException {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length > MAX_ENCODED_LENGTH) {
      throw new InvalidGroupMessageException("group message longer than " + MAX_ENCODED_LENGTH + " bytes");
    }
    GroupReader r = new GroupReader(encoded, "group message");
    int version = r.u8();
    if (version != VERSION && version != VERSION_1) {
      throw new InvalidGroupMessageException("unsupported group message version");
    }
    if (r.u8() != TYPE) {
      throw new InvalidGroupMessageException("not a group message");
    }
    String roomId = r.roomId();
    long epoch = r.u64();
    if (epoch < 0 || epoch > GroupSession.MAX_EPOCH) {
      throw new InvalidGroupMessageException("group message epoch out of range");
    }
    DeviceAddress sender = r.address();
    int chainId = r.u32();
    int iteration = r.u32();
    if (iteration < 0 || iteration == Integer.MAX_VALUE) {
      throw new InvalidGroupMessageException("group message iteration out of range");
    }
    byte[] messageId = r.bytes(MESSAGE_ID_LENGTH);
    long expires = r.u64();
    if (expires < 0) {
      throw new InvalidGroupMessageException("group message expiry out of range");
    }
    byte[] nonce = version == VERSION ? r.bytes(NONCE_LENGTH) : null;
    int headerLength = r.position();
    int ctLength = r.u32();
    if (ctLength < Aead.TAG_LENGTH || ctLength > GroupSession.MAX_PLAINTEXT_LENGTH + Aead.TAG_LENGTH) {
      throw new InvalidGroupMessageException("group message ciphertext length out of range");
    }
    int ctOffset = r.position();
    r.bytes(ctLength);
    r.bytes(Ed25519.SIGNATURE_LENGTH);
    r.expectEnd();
    return new GroupMessage(version, roomId, epoch, sender, chainId, iteration, messageId, expires,
        nonce, encoded.clone(), headerLength, ctOffset, ctLength);
  }

  /** Builds a message from freshly produced parts (used by {@link GroupSession#encrypt}). */
  static GroupMessage assemble(byte[] header, byte[] ciphertext, Ed25519.PrivateKey signer)
      throws InvalidGroupMessageException {
    ByteWriter w = new ByteWriter(header.length + 4 + ciphertext.length + 64);
    w.bytes(header).u32(ciphertext.length).bytes(ciphertext);
    byte[] body = w.toByteArray();
    byte[] sig = signer.sign(signedInput(SIGNATURE_LABEL_BYTES, body, body.length));
    byte[] all = Arrays.copyOf(body, body.length + sig.length);
    System.arraycopy(sig, 0, all, body.length, sig.length);
    return parse(all);
  }

  static byte[] signedInput(byte[] label, byte[] encoded, int length) {
    byte[] in = new byte[label.length + length];
    System.arraycopy(label, 0, in, 0, label.length);
    System.arraycopy(encoded, 0, in, label.length, length);
    return in;
  }

  /** The label of this message's version followed by every byte before the signature. */
  byte[] signedInput() {
    return signedInput(version == VERSION ? SIGNATURE_LABEL_BYTES : SIGNATURE_LABEL_V1_BYTES,
        encoded, encoded.length - Ed25519.SIGNATURE_LENGTH);
  }

  byte[] signature() {
    return Arrays.copyOfRange(encoded, encoded.length - Ed25519.SIGNATURE_LENGTH, encoded.length);
  }

  byte[] associatedData() {
    return Arrays.copyOf(encoded, headerLength);
  }

  byte[] ciphertext() {
    return Arrays.copyOfRange(encoded, ciphertextOffset, ciphertextOffset + ciphertextLength);
  }

  /** The encoding (a copy). */
  public byte[] toByteArray() {
    return encoded.clone();
  }

  /** The format version: {@link #VERSION} or {@link #VERSION_1}. */
  public int version() {
    return version;
  }

  /** The v2 random nonce (a copy), or empty for a v1 message (whose nonce is derived). */
  public java.util.Optional<byte[]> nonce() {
    return nonce == null ? java.util.Optional.empty() : java.util.Optional.of(nonce.clone());
  }

  /** The room the message was sent to. */
  public String roomId() {
    return roomId;
  }

  /** The sender's epoch when sending. */
  public long epoch() {
    return epoch;
  }

  /** The sending device (authenticated only once {@link GroupSession#decrypt} succeeds). */
  public DeviceAddress sender() {
    return sender;
  }

  /** The sender chain's id. */
  public int chainId() {
    return chainId;
  }

  /** The message's position in the sender chain. */
  public int iteration() {
    return iteration;
  }

  /** The 16-byte message id (a copy). */
  public byte[] messageId() {
    return messageId.clone();
  }

  /** Expiry in Unix epoch milliseconds, or {@link #NO_EXPIRY}. */
  public long expiresAtEpochMillis() {
    return expiresAtMillis;
  }

  /** Equal when the encodings are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof GroupMessage && Arrays.equals(encoded, ((GroupMessage) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "GroupMessage[room=" + roomId + ", epoch=" + epoch + ", sender=" + sender + ", iteration="
        + iteration + ", " + encoded.length + " bytes]";
  }
}
