package io.ciphertalk.crypto;

import java.nio.ByteBuffer;

/** HMAC-SHA256(seed, counter) blocks: a repeatable stream for tests and test vectors. */
final class DeterministicRandomSource implements RandomSource {
  private final HmacSha256 prf;
  private long counter;
  private final byte[] block = new byte[32];
  private int available;

  DeterministicRandomSource(byte[] seed) {
    this.prf = HmacSha256.create(SecretBytes.copyOf(seed.length == 0 ? new byte[1] : seed));
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
