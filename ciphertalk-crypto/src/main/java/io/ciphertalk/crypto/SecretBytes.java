package io.ciphertalk.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Secret key material: never printed, compared only in constant time, and wipeable.
 *
 * <p>Instances copy their input and hand out copies, so a caller cannot alias the secret. After
 * {@link #wipe()} every accessor throws {@link IllegalStateException}. Thread-safe for reads;
 * {@code wipe()} must not race with readers. {@code equals} is identity: use
 * {@link #equalsConstantTime(SecretBytes)} to compare contents.
 */
public final class SecretBytes {
  private final byte[] bytes;
  private volatile boolean wiped;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies {@code bytes} into a new secret. */
  public static SecretBytes copyOf(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return new SecretBytes(bytes.clone());
  }

  /** Takes ownership of {@code bytes} without copying; the caller must not use the array again. */
  public static SecretBytes wrap(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return new SecretBytes(bytes);
  }

  /** A fresh secret of {@code length} bytes drawn from {@code random}. */
  public static SecretBytes random(int length, RandomSource random) {
    if (length <= 0) {
      throw new IllegalArgumentException("length must be positive: " + length);
    }
    byte[] b = new byte[length];
    random.nextBytes(b);
    return new SecretBytes(b);
  }

  /** Number of bytes in the secret. */
  public int length() {
    return bytes.length;
  }

  /** A copy of the secret; the caller should wipe it ({@code Arrays.fill}) when done. */
  public byte[] toByteArray() {
    checkLive();
    return bytes.clone();
  }

  /** Compares contents in time that depends only on the lengths. */
  public boolean equalsConstantTime(SecretBytes other) {
    Objects.requireNonNull(other, "other");
    checkLive();
    other.checkLive();
    return MessageDigest.isEqual(bytes, other.bytes);
  }

  /** Overwrites the secret with zeros. Idempotent. */
  public void wipe() {
    Arrays.fill(bytes, (byte) 0);
    wiped = true;
  }

  /** Whether {@link #wipe()} has been called. */
  public boolean isWiped() {
    return wiped;
  }

  /** Package-private zero-copy view for primitives in this module. */
  byte[] unsafeView() {
    checkLive();
    return bytes;
  }

  private void checkLive() {
    if (wiped) {
      throw new IllegalStateException("secret has been wiped");
    }
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes]";
  }
}
