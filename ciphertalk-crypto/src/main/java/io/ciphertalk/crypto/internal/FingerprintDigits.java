package io.ciphertalk.crypto.internal;

/**
 * The numeric-fingerprint encoding shared by the safety numbers (Signal's style): 30 digits from
 * the first 30 bytes of a fingerprint, and the 60-digit number shown in twelve groups of five.
 */
public final class FingerprintDigits {
  private FingerprintDigits() {}

  /** Six 5-byte big-endian chunks of {@code h}, each reduced mod 100,000 to five digits. */
  public static String thirtyDigits(byte[] h) {
    if (h.length < 30) {
      throw new IllegalArgumentException("a fingerprint needs 30 bytes, got " + h.length);
    }
    StringBuilder sb = new StringBuilder(30);
    for (int chunk = 0; chunk < 6; chunk++) {
      long v = 0;
      for (int j = 0; j < 5; j++) {
        v = (v << 8) | (h[chunk * 5 + j] & 0xff);
      }
      sb.append(String.format("%05d", v % 100000));
    }
    return sb.toString();
  }

  /** Sixty digits as twelve groups of five separated by spaces, for display. */
  public static String grouped(String sixtyDigits) {
    StringBuilder sb = new StringBuilder(71);
    for (int i = 0; i < 60; i += 5) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(sixtyDigits, i, i + 5);
    }
    return sb.toString();
  }
}
