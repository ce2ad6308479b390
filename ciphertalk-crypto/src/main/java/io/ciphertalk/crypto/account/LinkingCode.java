package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.internal.ByteWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a new device shows to be linked: its device id and a fresh ephemeral X25519 public key. The
 * user copies it (typed as text, or scanned as {@link #qrPayload()}) to a device already in the
 * account, which encrypts the account's secrets to that key. The code never passes through the
 * server, so the server cannot substitute the key.
 *
 * <p>Encoding, version 1 ({@link #toBytes()}, 40 bytes):
 * {@code u8 1 || u32 deviceId || ephemeral X25519 public [32] || checksum [3]}, where the checksum
 * is the first 3 bytes of {@code SHA-256("CipherTalk/1/link/code" || the 37 bytes before it)}; as
 * text, 64 characters of Crockford base32 shown in groups of four. The checksum makes a mistyped
 * code fail at once with a clear error instead of sending the secrets to a key nobody holds.
 *
 * <p>Immutable and thread-safe.
 */
public final class LinkingCode {
  /** The only format version. */
  public static final int VERSION = 1;
  /** Length of {@link #toBytes()}. */
  public static final int LENGTH = 40;
  private static final String QR_PREFIX = "ciphertalk-link:";

  private final int deviceId;
  private final X25519.PublicKey ephemeralKey;
  private final byte[] encoded;

  private LinkingCode(int deviceId, X25519.PublicKey ephemeralKey, byte[] encoded) {
    this.deviceId = deviceId;
    this.ephemeralKey = ephemeralKey;
    this.encoded = encoded;
  }

  static LinkingCode of(int deviceId, X25519.PublicKey ephemeralKey) {
    if (deviceId < 1) {
      throw new IllegalArgumentException("device id must be positive: " + deviceId);
    }
    byte[] body = new ByteWriter(LENGTH).u8(VERSION).u32(deviceId)
        .bytes(ephemeralKey.toByteArray()).toByteArray();
    byte[] enc = Arrays.copyOf(body, LENGTH);
    System.arraycopy(checksum(body), 0, enc, body.length, 3);
    return new LinkingCode(deviceId, ephemeralKey, enc);
  }

  /**
   * Parses a code as the user typed it (case, dashes and spaces do not matter) or as scanned
   * ({@link #qrPayload()}). Checks, in order: the characters and length, the checksum, the version,
   * the device id.
   *
   * @throws InvalidLinkException naming what is wrong (a typo shows as a checksum failure)
   */
  public static LinkingCode parse(String text) throws InvalidLinkException {
    String t = Objects.requireNonNull(text, "text").strip();
    if (t.startsWith(QR_PREFIX)) {
      t = t.substring(QR_PREFIX.length());
    }
    if (t.length() > 200) {
      throw new InvalidLinkException("linking code is too long");
    }
    byte[] b = Base32.decode(t);
    if (b == null || b.length != LENGTH) {
      throw new InvalidLinkException(
          "not a linking code: expected 64 characters of 0-9 and A-Z (without I, L, O, U)");
    }
    return fromBytes(b);
  }

  /** Parses the 40-byte encoding; the checks of {@link #parse}. */
  public static LinkingCode fromBytes(byte[] b) throws InvalidLinkException {
    Objects.requireNonNull(b, "b");
    if (b.length != LENGTH) {
      throw new InvalidLinkException("linking code must be " + LENGTH + " bytes, got " + b.length);
    }
    byte[] body = Arrays.copyOf(b, LENGTH - 3);
    if (!MessageDigest.isEqual(checksum(body), Arrays.copyOfRange(b, LENGTH - 3, LENGTH))) {
      throw new InvalidLinkException("linking code checksum does not match: was it mistyped?");
    }
    if (b[0] != VERSION) {
      throw new InvalidLinkException("unknown linking code version " + (b[0] & 0xff));
    }
    int device = ByteWriter.getU32(b, 1);
    if (device < 1) {
      throw new InvalidLinkException("linking code names an invalid device id " + device);
    }
    try {
      return new LinkingCode(device, X25519.PublicKey.of(Arrays.copyOfRange(b, 5, 37)), b.clone());
    } catch (InvalidKeyMaterialException e) {
      throw new InvalidLinkException("linking code key is invalid", e);
    }
  }

  private static byte[] checksum(byte[] body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Labels.LINK_CODE_CHECKSUM);
      return Arrays.copyOf(sha.digest(body), 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** The id the new device will have in the account. */
  public int deviceId() {
    return deviceId;
  }

  /** The new device's ephemeral key, which the linking envelope is encrypted to. */
  public X25519.PublicKey ephemeralKey() {
    return ephemeralKey;
  }

  /** The 40-byte encoding (a copy). */
  public byte[] toBytes() {
    return encoded.clone();
  }

  /** The code as shown: 16 groups of 4 base32 characters separated by dashes. */
  public String text() {
    String s = Base32.encode(encoded);
    StringBuilder sb = new StringBuilder(79);
    for (int i = 0; i < s.length(); i += 4) {
      if (i > 0) {
        sb.append('-');
      }
      sb.append(s, i, i + 4);
    }
    return sb.toString();
  }

  /** The same code for a QR code: {@code "ciphertalk-link:"} and the 64 characters. */
  public String qrPayload() {
    return QR_PREFIX + Base32.encode(encoded);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LinkingCode && Arrays.equals(encoded, ((LinkingCode) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return text();
  }
}
