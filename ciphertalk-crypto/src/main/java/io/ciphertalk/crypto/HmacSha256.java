package io.ciphertalk.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 (RFC 2104, FIPS 198-1) on the JDK's SunJCE provider. Thread-safe: each thread keeps
 * its own {@link javax.crypto.Mac} instance per key.
 */
public final class HmacSha256 implements Mac {
  /** Tag length in bytes. */
  public static final int TAG_LENGTH = 32;

  private static final String ALGORITHM = "HmacSHA256";

  private static final ThreadLocal<javax.crypto.Mac> MACS =
      ThreadLocal.withInitial(
          () -> {
            try {
              return javax.crypto.Mac.getInstance(ALGORITHM);
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("the JDK lacks HmacSHA256", e);
            }
          });

  private final SecretKeySpec key;

  private HmacSha256(byte[] keyBytes) {
    // HMAC accepts any key length; an empty key is legal (RFC 5869 uses one) but SecretKeySpec
    // refuses it, so map it to the equivalent single zero byte (keys are zero-padded to a block).
    this.key = keySpec(keyBytes);
  }

  /** An HMAC-SHA256 under {@code key} (any length; copied). */
  public static HmacSha256 create(SecretBytes key) {
    Objects.requireNonNull(key, "key");
    byte[] copy = key.toByteArray();
    try {
      return new HmacSha256(copy);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /**
   * One-shot HMAC-SHA256 of {@code data} under {@code key}.
   *
   * <p>Deliberately not named {@code compute}: a static {@code compute(byte[], byte[])} would win
   * overload resolution over {@link #compute(byte[]...)} for an instance call with two parts, and
   * silently MAC the second part under the first as key.
   */
  public static byte[] computeWithKey(byte[] key, byte[] data) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    return initialized(keySpec(key)).doFinal(data);
  }

  @Override
  public int tagLength() {
    return TAG_LENGTH;
  }

  @Override
  public byte[] compute(byte[] data) {
    Objects.requireNonNull(data, "data");
    return initialized(key).doFinal(data);
  }

  /** The tag over the concatenation of {@code parts}, without building the concatenation. */
  public byte[] compute(byte[]... parts) {
    Objects.requireNonNull(parts, "parts");
    javax.crypto.Mac mac = initialized(key);
    for (byte[] part : parts) {
      mac.update(Objects.requireNonNull(part, "part"));
    }
    return mac.doFinal();
  }

  @Override
  public void verify(byte[] tag, byte[] data) throws AuthenticationFailedException {
    Objects.requireNonNull(tag, "tag");
    if (!MessageDigest.isEqual(compute(data), tag)) {
      throw new AuthenticationFailedException("HMAC-SHA256 tag mismatch");
    }
  }

  private static SecretKeySpec keySpec(byte[] keyBytes) {
    return new SecretKeySpec(keyBytes.length == 0 ? new byte[1] : keyBytes, ALGORITHM);
  }

  private static javax.crypto.Mac initialized(SecretKeySpec key) {
    javax.crypto.Mac mac = MACS.get();
    try {
      mac.init(key);
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("unusable HMAC key", e);
    }
    return mac;
  }

  @Override
  public String toString() {
    return "HmacSha256";
  }
}
