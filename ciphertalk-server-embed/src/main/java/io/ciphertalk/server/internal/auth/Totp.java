package io.ciphertalk.server.internal.auth;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords per RFC 6238 (TOTP) over RFC 4226 (HOTP): HMAC-SHA1, 30-second
 * steps, 6 digits by default, accepting one step of clock skew either way. Stateless and
 * thread-safe. Secrets are 20 random bytes, shown to users in Base32 (RFC 4648) for authenticator
 * apps.
 */
public final class Totp {
  public static final int STEP_SECONDS = 30;
  private static final int[] POW10 = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

  private Totp() {}

  /** The code for the time step containing {@code epochSeconds} (RFC 6238 section 4). */
  public static String code(byte[] secret, long epochSeconds, int digits) {
    return hotp(secret, Math.floorDiv(epochSeconds, STEP_SECONDS), digits);
  }

  /** RFC 4226 section 5.3: dynamic truncation of HMAC-SHA1(secret, counter). */
  public static String hotp(byte[] secret, long counter, int digits) {
    if (digits < 6 || digits > 8) {
      throw new IllegalArgumentException("digits must be 6..8: " + digits);
    }
    byte[] h;
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      h = mac.doFinal(ByteBuffer.allocate(8).putLong(counter).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
    int offset = h[h.length - 1] & 0x0f;
    int bin =
        ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
            | (h[offset + 3] & 0xff);
    String s = Integer.toString(bin % POW10[digits]);
    return "0".repeat(digits - s.length()) + s;
  }

  /** Checks a 6-digit code against the current step and one step either side, in constant time. */
  public static boolean verify(byte[] secret, String candidate, long epochSeconds) {
    return matchStep(secret, candidate, epochSeconds) >= 0;
  }

  /**
   * The time step (counter) a 6-digit code matches, checking the current step and one either side
   * with constant-time comparisons, or -1 if none. Callers reject a step already used (RFC 6238
   * section 5.2: a verifier must not accept the same OTP twice).
   */
  public static long matchStep(byte[] secret, String candidate, long epochSeconds) {
    if (candidate == null || candidate.length() != 6) {
      return -1;
    }
    long now = Math.floorDiv(epochSeconds, STEP_SECONDS);
    long match = -1;
    for (int skew = -1; skew <= 1; skew++) {
      String expected = hotp(secret, now + skew, 6);
      if (MessageDigest.isEqual(
          expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          candidate.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
        match = now + skew;
      }
    }
    return match;
  }

  private static final char[] B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  /** RFC 4648 Base32 without padding. */
  public static String base32(byte[] data) {
    StringBuilder sb = new StringBuilder();
    int buffer = 0, bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(B32[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(B32[(buffer << (5 - bits)) & 31]);
    }
    return sb.toString();
  }

  /** The otpauth URI authenticator apps read from a QR code. */
  public static String uri(String issuer, String account, byte[] secret) {
    String enc = java.net.URLEncoder.encode(issuer, java.nio.charset.StandardCharsets.UTF_8);
    String acc = java.net.URLEncoder.encode(account, java.nio.charset.StandardCharsets.UTF_8);
    return "otpauth://totp/" + enc + ":" + acc + "?secret=" + base32(secret) + "&issuer=" + enc
        + "&algorithm=SHA1&digits=6&period=30";
  }
}
