package io.ciphertalk.crypto.account;

/**
 * Crockford's base32 (no check symbol): digits and upper-case letters without I, L, O and U, so a
 * code read aloud or typed survives case changes and the usual look-alikes (decoding maps O to 0
 * and I, L to 1, and ignores dashes and spaces).
 */
final class Base32 {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  private Base32() {}

  /** Encodes a multiple of 5 bytes. */
  static String encode(byte[] in) {
    if (in.length % 5 != 0) {
      throw new IllegalArgumentException("base32 input must be a multiple of 5 bytes");
    }
    StringBuilder sb = new StringBuilder(in.length * 8 / 5);
    for (int i = 0; i < in.length; i += 5) {
      long v = 0;
      for (int j = 0; j < 5; j++) {
        v = (v << 8) | (in[i + j] & 0xff);
      }
      for (int shift = 35; shift >= 0; shift -= 5) {
        sb.append(ALPHABET[(int) (v >>> shift) & 31]);
      }
    }
    return sb.toString();
  }

  /** Decodes; returns null if a character is not in the alphabet or the length is not 8k. */
  static byte[] decode(String text) {
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = Character.toUpperCase(text.charAt(i));
      if (c == '-' || c == ' ') {
        continue;
      }
      clean.append(c == 'O' ? '0' : (c == 'I' || c == 'L') ? '1' : c);
    }
    if (clean.length() % 8 != 0) {
      return null;
    }
    byte[] out = new byte[clean.length() * 5 / 8];
    for (int i = 0, o = 0; i < clean.length(); i += 8, o += 5) {
      long v = 0;
      for (int j = 0; j < 8; j++) {
        int d = value(clean.charAt(i + j));
        if (d < 0) {
          return null;
        }
        v = (v << 5) | d;
      }
      for (int j = 4; j >= 0; j--) {
        out[o + j] = (byte) v;
        v >>>= 8;
      }
    }
    return out;
  }

  private static int value(char c) {
    for (int i = 0; i < ALPHABET.length; i++) {
      if (ALPHABET[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
