package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.internal.FingerprintDigits;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A 60-digit number two users compare out of band (read aloud, or scan) to confirm that neither
 * device's identity key was substituted. It depends only on the two (address, identity key) pairs,
 * not on who computes it. Construction follows Signal's numeric fingerprint in substance: each side
 * contributes 30 digits from 5,200 iterations of SHA-512 over its identity key and address; the two
 * halves are ordered so both devices display the same number (docs/protocol.md).
 *
 * <p>Immutable and thread-safe; arguments must not be null.
 */
public final class SafetyNumber {
  /** Iterations of SHA-512 per side (as Signal's). */
  public static final int ITERATIONS = 5200;
  private static final int VERSION = 1;

  private final String digits;

  private SafetyNumber(String digits) {
    this.digits = digits;
  }

  /** The safety number for the pair {@code (local, localKey)} and {@code (remote, remoteKey)}. */
  public static SafetyNumber of(
      DeviceAddress local, IdentityKey localKey, DeviceAddress remote, IdentityKey remoteKey) {
    String a = half(Objects.requireNonNull(local, "local"), Objects.requireNonNull(localKey, "localKey"));
    String b = half(Objects.requireNonNull(remote, "remote"), Objects.requireNonNull(remoteKey, "remoteKey"));
    return new SafetyNumber(a.compareTo(b) <= 0 ? a + b : b + a);
  }

  private static String half(DeviceAddress address, IdentityKey key) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-512", e);
    }
    byte[] k = key.keyBytesView();
    byte[] h =
        sha.digest(new ByteWriter(128).bytes(Kdfs.SAFETY_NUMBER_LABEL).u16(VERSION).bytes(k)
            .bytes(address.encode()).toByteArray());
    for (int i = 1; i < ITERATIONS; i++) {
      sha.update(h);
      sha.update(k);
      h = sha.digest();
    }
    return FingerprintDigits.thirtyDigits(h);
  }

  /** The 60 digits without separators. */
  public String digits() {
    return digits;
  }

  /** Whether {@code other} (digits, spaces ignored) equals this number; constant time. */
  public boolean matches(String other) {
    String cleaned = Objects.requireNonNull(other, "other").replace(" ", "");
    return MessageDigest.isEqual(
        digits.getBytes(StandardCharsets.US_ASCII), cleaned.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SafetyNumber && digits.equals(((SafetyNumber) o).digits);
  }

  @Override
  public int hashCode() {
    return digits.hashCode();
  }

  /** Twelve groups of five digits separated by spaces, for display. */
  @Override
  public String toString() {
    return FingerprintDigits.grouped(digits);
  }
}
