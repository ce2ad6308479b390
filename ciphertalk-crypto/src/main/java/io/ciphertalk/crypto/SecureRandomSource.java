package io.ciphertalk.crypto;

import java.security.SecureRandom;

/** {@link RandomSource#secure()}: a shared, thread-safe {@link SecureRandom}. */
final class SecureRandomSource implements RandomSource {
  static final SecureRandomSource INSTANCE = new SecureRandomSource();

  final SecureRandom random = new SecureRandom();

  private SecureRandomSource() {}

  @Override
  public void nextBytes(byte[] out) {
    random.nextBytes(out);
  }

  @Override
  public String toString() {
    return "RandomSource.secure()";
  }
}
