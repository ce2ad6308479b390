package io.ciphertalk.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256(SHA-256(seed), counter) blocks: a repeatable stream for tests and test vectors.
 *
 * <p>The seed is hashed into the HMAC key rather than used as the key itself: HMAC zero-pads short
 * keys (and hashes long ones), so seeds such as {@code {}}, {@code {0}} and {@code {0, 0}} would
 * otherwise all give the same stream.
 */
final class DeterministicRandomSource implements RandomSource {
  private final HmacSha256 prf;
  private long counter;
  private final byte[] block = new byte[32];
  private int available;

  DeterministicRandomSource(byte[] seed) {
    try {
      this.prf = HmacSha256.create(SecretBytes.wrap(MessageDigest.getInstance("SHA-256").digest(seed)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  @Override
  public synchronized void nextBytes(byte[] out) {
    int off = 0;
    while (off < out.length) {
      if (available == 0) {
        byte[] next = prf.compute(ByteBuffer.allocate(8).putLong(counter++).array());
        System.arraycopy(next, 0, block, 0, 32);
        available = 32;
      }
      int n = Math.min(available, out.length - off);
      System.arraycopy(block, 32 - available, out, off, n);
      available -= n;
      off += n;
    }
  }

  @Override
  public String toString() {
    return "RandomSource.deterministicForTesting(...)";
  }
}
