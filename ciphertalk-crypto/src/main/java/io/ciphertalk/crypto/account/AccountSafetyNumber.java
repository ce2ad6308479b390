package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.internal.FingerprintDigits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The one safety number of a pair of accounts, over their user ids and account keys: identical on
 * every device of both users, and unchanged when either adds or removes a device (devices are
 * vouched for by the account key, which this number covers). Signal's numeric fingerprint in
 * substance: each account contributes 30 digits from 5,200 iterations of SHA-512; the two halves
 * are put in ascending order, so both sides see the same 60 digits (12 groups of 5), and the same
 * {@link #scannable()} payload for a QR code.
 *
 * <p>Immutable and thread-safe; no argument may be null.
 */
public final class AccountSafetyNumber {
  /** Iterations of SHA-512 per side (as Signal's). */
  public static final int ITERATIONS = 5200;
  /** Version of the number and of the scannable payload. */
  public static final int VERSION = 1;
  /** Length of {@link #scannable()}: {@code u8 version || fingerprint [32] || fingerprint [32]}. */
  public static final int SCANNABLE_LENGTH = 65;
  private static final java.util.regex.Pattern USER_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String SCANNABLE_PREFIX = "ciphertalk-sn:";

  private final String digits;
  private final byte[] scannable;

  private AccountSafetyNumber(String digits, byte[] scannable) {
    this.digits = digits;
    this.scannable = scannable;
  }

  /**
   * The safety number of accounts {@code (userA, keyA)} and {@code (userB, keyB)}, in any order.
   *
   * @throws IllegalArgumentException if a user id is not 1 to 64 characters of [A-Za-z0-9._-]
   */
  public static AccountSafetyNumber of(String userA, AccountKey keyA, String userB,
      AccountKey keyB) {
    checkUser(userA);
    checkUser(userB);
    byte[] a = fingerprint(Objects.requireNonNull(userA, "userA"), Objects.requireNonNull(keyA, "keyA"));
    byte[] b = fingerprint(Objects.requireNonNull(userB, "userB"), Objects.requireNonNull(keyB, "keyB"));
    String da = FingerprintDigits.thirtyDigits(a);
    String db = FingerprintDigits.thirtyDigits(b);
    boolean aFirst = da.compareTo(db) <= 0;
    byte[] scan = new byte[SCANNABLE_LENGTH];
    scan[0] = VERSION;
    System.arraycopy(aFirst ? a : b, 0, scan, 1, 32);
    System.arraycopy(aFirst ? b : a, 0, scan, 33, 32);
    return new AccountSafetyNumber(aFirst ? da + db : db + da, scan);
  }

  private static void checkUser(String userId) {
    if (userId != null && !USER_ID.matcher(userId).matches()) {
      throw new IllegalArgumentException("user id must match [A-Za-z0-9._-]{1,64}: '" + userId + "'");
    }
  }

  /** SHA-512 iterated over the account key; the first 30 bytes make the digits, 32 are scanned. */
  private static byte[] fingerprint(String userId, AccountKey key) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-512", e);
    }
    byte[] k = key.serialize();
    byte[] h = sha.digest(new ByteWriter(128).bytes(Labels.ACCOUNT_SAFETY_NUMBER).u16(VERSION)
        .bytes(k).ascii8(userId).toByteArray());
    for (int i = 1; i < ITERATIONS; i++) {
      sha.update(h);
      sha.update(k);
      h = sha.digest();
    }
    return Arrays.copyOf(h, 32);
  }

  /** The 60 digits without separators. */
  public String digits() {
    return digits;
  }

  /** The payload to show as a QR code (a copy): {@code u8 1 || fingerprint || fingerprint}. */
  public byte[] scannable() {
    return scannable.clone();
  }

  /** {@link #scannable()} as text: {@code "ciphertalk-sn:"} and base64url without padding. */
  public String scannableText() {
    return SCANNABLE_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(scannable);
  }

  /**
   * Whether what the user typed or scanned is this number: 60 digits (spaces and dashes ignored)
   * or the {@link #scannableText()} payload. Constant time in the compared bytes.
   */
  public boolean matches(String seen) {
    String s = Objects.requireNonNull(seen, "seen").strip();
    if (s.startsWith(SCANNABLE_PREFIX)) {
      byte[] b;
      try {
        b = Base64.getUrlDecoder().decode(s.substring(SCANNABLE_PREFIX.length()));
      } catch (IllegalArgumentException e) {
        return false;
      }
      return MessageDigest.isEqual(scannable, b);
    }
    String cleaned = s.replace(" ", "").replace("-", "");
    return MessageDigest.isEqual(digits.getBytes(StandardCharsets.US_ASCII),
        cleaned.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountSafetyNumber && digits.equals(((AccountSafetyNumber) o).digits)
        && Arrays.equals(scannable, ((AccountSafetyNumber) o).scannable);
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
