package io.ciphertalk.core.store.jdbi;

/**
 * Argon2id (RFC 9106) cost parameters for deriving the store key from a passphrase. They are saved
 * in the database with the salt, so a store always reopens with the parameters it was created
 * with. Immutable.
 *
 * @param memoryKiB memory in KiB, at least {@code 8 * parallelism}
 * @param iterations passes over memory, at least 1
 * @param parallelism lanes, 1 to 16
 */
public record Argon2Settings(int memoryKiB, int iterations, int parallelism) {
  public Argon2Settings {
    if (parallelism < 1 || parallelism > 16) {
      throw new IllegalArgumentException("parallelism must be 1 to 16: " + parallelism);
    }
    if (iterations < 1 || iterations > 100) {
      throw new IllegalArgumentException("iterations must be 1 to 100: " + iterations);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024) {
      throw new IllegalArgumentException("memoryKiB must be 8*parallelism to 4 GiB: " + memoryKiB);
    }
  }

  /**
   * The default for new passphrase stores: 64 MiB, 3 iterations, 1 lane (RFC 9106, section 4,
   * second recommended option's memory and passes; one lane because the SDK derives the key on
   * the caller's thread). A store key guards every secret on the device, so it gets more than a
   * server's per-login password hash.
   */
  public static Argon2Settings recommended() {
    return new Argon2Settings(64 * 1024, 3, 1);
  }

  /**
   * The OWASP Password Storage Cheat Sheet's first Argon2id recommendation: 19 MiB, 2 iterations,
   * 1 lane (the default before version 1.1; stores created with it still open, because each store
   * keeps its own parameters).
   */
  public static Argon2Settings owasp() {
    return new Argon2Settings(19 * 1024, 2, 1);
  }
}
