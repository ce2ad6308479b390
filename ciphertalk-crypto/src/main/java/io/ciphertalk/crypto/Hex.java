package io.ciphertalk.crypto;

/** Lower-case hex for log-safe fingerprints of public values. Never use it on secrets. */
final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  static String encode(byte[] bytes, int maxBytes) {
    int n = Math.min(bytes.length, maxBytes);
    char[] out = new char[n * 2];
    for (int i = 0; i < n; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
