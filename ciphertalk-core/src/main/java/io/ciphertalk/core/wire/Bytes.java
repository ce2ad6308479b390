package io.ciphertalk.core.wire;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * An immutable byte string carried in a frame (keys, signatures, ciphertext); on the wire it is
 * unpadded base64url (RFC 4648 section 5).
 *
 * <p>Instances copy on the way in ({@link #of}) and out ({@link #toByteArray}); {@code equals} and
 * {@code hashCode} compare contents (not in constant time: these are public values or
 * ciphertext). {@code toString} prints only the length. Thread-safe.
 */
public final class Bytes {
  private static final Bytes EMPTY = new Bytes(new byte[0]);
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final byte[] bytes;

  private Bytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code bytes}. */
  public static Bytes of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
  }

  /** The empty byte string. */
  public static Bytes empty() {
    return EMPTY;
  }

  /**
   * Decodes unpadded base64url in its canonical form (unused bits of the last character zero).
   *
   * @throws IllegalArgumentException if {@code text} is not unpadded base64url
   */
  public static Bytes fromBase64Url(String text) {
    Objects.requireNonNull(text, "text");
    if (text.indexOf('=') >= 0) {
      throw new IllegalArgumentException("base64url must be unpadded");
    }
    // The JDK decoder rejects characters outside the URL alphabet, including whitespace, and
    // impossible lengths; it accepts non-zero unused bits in the last character, which would give
    // one value several encodings, so those are refused here.
    byte[] decoded = DECODER.decode(text);
    int rem = text.length() % 4;
    if (rem != 0) {
      int last = sextet(text.charAt(text.length() - 1));
      int unusedMask = rem == 2 ? 0x0F : 0x03;
      if ((last & unusedMask) != 0) {
        throw new IllegalArgumentException("base64url has non-zero padding bits");
      }
    }
    return new Bytes(decoded);
  }

  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : 63;
  }

  /** Takes ownership of {@code bytes}: for the codec, which never touches the array again. */
  static Bytes adopt(byte[] bytes) {
    return new Bytes(bytes);
  }

  /** Number of bytes. */
  public int length() {
    return bytes.length;
  }

  /** A copy of the contents. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The contents as unpadded base64url. */
  public String toBase64Url() {
    return ENCODER.encodeToString(bytes);
  }

  /** The backing array, for the codec only: callers must not modify it. */
  byte[] unsafeArray() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** {@code Bytes[n]}: never the content. */
  @Override
  public String toString() {
    return "Bytes[" + bytes.length + "]";
  }
}
