package io.ciphertalk.crypto;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Where every random byte in CipherTalk comes from. Production code uses {@link #secure()}; tests
 * and published test vectors use {@link #deterministicForTesting(byte[])} so runs are repeatable.
 *
 * <p>Implementations must be safe for use from several threads.
 */
@FunctionalInterface
public interface RandomSource {

  /** Fills {@code out} with random bytes. */
  void nextBytes(byte[] out);

  /** The operating system's cryptographically strong generator ({@link SecureRandom}). */
  static RandomSource secure() {
    return SecureRandomSource.INSTANCE;
  }

  /**
   * A repeatable stream derived from {@code seed} with HMAC-SHA256 in counter mode. Never use it
   * for real keys: anyone who knows the seed knows every byte.
   */
  static RandomSource deterministicForTesting(byte[] seed) {
    return new DeterministicRandomSource(Objects.requireNonNull(seed, "seed"));
  }

  /** Returns {@code length} fresh random bytes. */
  default byte[] bytes(int length) {
    byte[] b = new byte[length];
    nextBytes(b);
    return b;
  }

  /**
   * A {@link SecureRandom} view of this source, for APIs (JCA, BouncyCastle) that insist on one.
   */
  default SecureRandom asSecureRandom() {
    if (this == SecureRandomSource.INSTANCE) {
      return SecureRandomSource.INSTANCE.random;
    }
    return new DelegatingSecureRandom(this);
  }
}
