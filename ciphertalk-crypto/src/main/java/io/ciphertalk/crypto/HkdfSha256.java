package io.ciphertalk.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): extract-then-expand. Stateless and thread-safe.
 */
public final class HkdfSha256 implements Kdf {
  /** Hash output length in bytes. */
  public static final int HASH_LENGTH = 32;
  /** RFC 5869 limit: 255 blocks of output. */
  public static final int MAX_OUTPUT_LENGTH = 255 * HASH_LENGTH;

  private static final HkdfSha256 INSTANCE = new HkdfSha256();

  private HkdfSha256() {}

  /** The shared instance. */
  public static HkdfSha256 instance() {
    return INSTANCE;
  }

  @Override
  public byte[] derive(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
    byte[] prk = extract(salt, inputKeyMaterial);
    try {
      return expand(prk, info, length);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /** HKDF-Extract: {@code PRK = HMAC-SHA256(salt, IKM)}; an empty salt means 32 zero bytes. */
  public static byte[] extract(byte[] salt, byte[] inputKeyMaterial) {
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(inputKeyMaterial, "inputKeyMaterial");
    return HmacSha256.computeWithKey(salt.length == 0 ? new byte[HASH_LENGTH] : salt, inputKeyMaterial);
  }

  /** HKDF-Expand: {@code T(1) || T(2) || ...} truncated to {@code length} bytes. */
  public static byte[] expand(byte[] prk, byte[] info, int length) {
    Objects.requireNonNull(prk, "prk");
    Objects.requireNonNull(info, "info");
    if (length < 0 || length > MAX_OUTPUT_LENGTH) {
      throw new IllegalArgumentException(
          "HKDF-SHA256 output length must be 0.." + MAX_OUTPUT_LENGTH + ", got " + length);
    }
    SecretBytes key = SecretBytes.copyOf(prk);
    HmacSha256 mac = HmacSha256.create(key);
    key.wipe();
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int off = 0;
    for (int i = 1; off < length; i++) {
      byte[] previous = t;
      t = mac.compute(previous, info, new byte[] {(byte) i});
      // Every block T(i) is output key material (e.g. the new root key of KDF_RK), not just the last.
      Arrays.fill(previous, (byte) 0);
      int n = Math.min(HASH_LENGTH, length - off);
      System.arraycopy(t, 0, out, off, n);
      off += n;
    }
    Arrays.fill(t, (byte) 0);
    return out;
  }

  @Override
  public String toString() {
    return "HkdfSha256";
  }
}
