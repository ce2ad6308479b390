package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.RandomSource;
import java.util.Arrays;
import java.util.Objects;

/**
 * A 16-byte message identifier chosen by the sender (random, or a UUID's bytes). It travels in the
 * message header, is bound into the associated data, and identifies duplicates. Immutable value;
 * equality by bytes.
 */
public final class MessageId {
  /** Length in bytes. */
  public static final int LENGTH = 16;

  private final byte[] bytes;

  private MessageId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps a copy of exactly 16 bytes. */
  public static MessageId of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("message id must be 16 bytes, got " + bytes.length);
    }
    return new MessageId(bytes.clone());
  }

  /** A fresh random id. */
  public static MessageId random(RandomSource random) {
    return new MessageId(random.bytes(LENGTH));
  }

  /** The 16 bytes (a copy). */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  byte[] view() {
    return bytes;
  }

  /** Lower-case hex (32 characters). */
  public String toHex() {
    StringBuilder sb = new StringBuilder(32);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageId && Arrays.equals(bytes, ((MessageId) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
