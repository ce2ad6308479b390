package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.crypto.HmacSha256;
import io.ciphertalk.crypto.SecretBytes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A keyed digest of the set of protected rows (table, row identity, sealed value), kept sealed in
 * {@code store_meta} and updated in the same transaction as every write to those rows: the
 * incremental multiset hash MSet-Add-Hash (Clarke, Devadas, van Dijk, Gassend and Suh, ASIACRYPT
 * 2003) over HMAC-SHA256 terms, i.e. the sum modulo 2^256 of HMAC(k, table || row || sealed value).
 * Every sealed value carries a fresh random nonce, so an older copy of a row, another row's value,
 * a deleted or an inserted row all change the sum; without the key nobody can compute a term to
 * compensate. A writer must read the old value and replace its term, which costs one HMAC each.
 *
 * <p>Also makes the keyed tags under which seen message ids are stored. Thread-safe.
 */
final class RowSetDigest {
  static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(256);
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final HmacSha256 mac;

  RowSetDigest(SecretBytes key) {
    this.mac = HmacSha256.create(key);
  }

  /** The term of one row; {@code sealed} null means no row (term zero). */
  BigInteger term(String table, String row, String sealed) {
    if (sealed == null) {
      return BigInteger.ZERO;
    }
    byte[] t = mac.compute(("ciphertalk-store/rowset/1\0" + table + "\0" + row + "\0" + sealed)
        .getBytes(StandardCharsets.UTF_8));
    return new BigInteger(1, t);
  }

  /** {@code sum - term(old) + term(new)} modulo 2^256. */
  BigInteger replace(BigInteger sum, String table, String row, String oldSealed, String newSealed) {
    return sum.subtract(term(table, row, oldSealed)).add(term(table, row, newSealed)).mod(MODULUS);
  }

  static byte[] encode(BigInteger sum) {
    byte[] raw = sum.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  static BigInteger decode(byte[] encoded) {
    return new BigInteger(1, encoded);
  }

  /**
   * The stored form of a seen message id: {@code "m:"} and 128 bits of HMAC-SHA256 of the id, so a
   * file writer can neither mark a chosen message as already seen (to suppress it) nor read which
   * ids were seen.
   */
  String seenTag(String messageId) {
    byte[] t = mac.compute(("ciphertalk-store/seen/1\0" + messageId).getBytes(StandardCharsets.UTF_8));
    try {
      return "m:" + B64URL.encodeToString(Arrays.copyOf(t, 16));
    } finally {
      Arrays.fill(t, (byte) 0);
    }
  }
}
