package io.ciphertalk.crypto;

import java.security.SecureRandom;

/** Adapts a {@link RandomSource} to APIs that take a {@link SecureRandom}. */
final class DelegatingSecureRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final transient RandomSource source;

  DelegatingSecureRandom(RandomSource source) {
    super(new byte[0]);
    this.source = source;
  }

  @Override
  public void nextBytes(byte[] bytes) {
    source.nextBytes(bytes);
  }

  @Override
  public byte[] generateSeed(int numBytes) {
    byte[] b = new byte[numBytes];
    source.nextBytes(b);
    return b;
  }

  @Override
  public void setSeed(long seed) {
    // The delegate owns its state; SecureRandom's constructor calls this before source is set.
  }

  @Override
  public void setSeed(byte[] seed) {
    // See setSeed(long).
  }
}
