package io.ciphertalk.server.internal.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import io.ciphertalk.crypto.RandomSource;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (RFC 9106) with BouncyCastle's lightweight API, encoded in the PHC
 * string format {@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}. The parameters are stored in each
 * hash, so verification always uses the parameters the hash was made with. Defaults are the OWASP
 * Password Storage Cheat Sheet's minimum: m = 19 MiB, t = 2, p = 1. Thread-safe.
 */
public final class PasswordHasher {
  /** OWASP: 19 MiB memory. */
  public static final int OWASP_MEMORY_KIB = 19 * 1024;
  /** OWASP: 2 iterations. */
  public static final int OWASP_ITERATIONS = 2;

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final int memoryKib;
  private final int iterations;
  private final RandomSource random;

  public PasswordHasher(int memoryKib, int iterations, RandomSource random) {
    if (memoryKib < 8 || iterations < 1) {
      throw new IllegalArgumentException("argon2 parameters too small: m=" + memoryKib + " t=" + iterations);
    }
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.random = Objects.requireNonNull(random, "random");
  }

  public static PasswordHasher owasp(RandomSource random) {
    return new PasswordHasher(OWASP_MEMORY_KIB, OWASP_ITERATIONS, random);
  }

  public String hash(char[] password) {
    byte[] salt = random.bytes(SALT_BYTES);
    byte[] out = derive(password, salt, memoryKib, iterations, 1, HASH_BYTES);
    return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=1$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(out);
  }

  /** Verifies in constant time with respect to the hash bytes; false for any malformed stored hash. */
  public boolean verify(char[] password, String encoded) {
    String[] parts = encoded.split("\\$");
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      return false;
    }
    int m = 0, t = 0, p = 0;
    for (String kv : parts[3].split(",")) {
      String[] pair = kv.split("=", 2);
      if (pair.length != 2) {
        return false;
      }
      int value;
      try {
        value = Integer.parseInt(pair[1]);
      } catch (NumberFormatException e) {
        return false;
      }
      switch (pair[0]) {
        case "m" -> m = value;
        case "t" -> t = value;
        case "p" -> p = value;
        default -> {
          return false;
        }
      }
    }
    // Stored hashes are trusted input, but bound them anyway so a corrupted row cannot exhaust memory.
    if (m < 8 || m > 1 << 20 || t < 1 || t > 16 || p < 1 || p > 8) {
      return false;
    }
    byte[] salt;
    byte[] expected;
    try {
      salt = B64D.decode(parts[4]);
      expected = B64D.decode(parts[5]);
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] actual = derive(password, salt, m, t, p, expected.length);
    return MessageDigest.isEqual(actual, expected);
  }

  /** Whether a stored hash was made with weaker parameters than the current ones. */
  public boolean needsRehash(String encoded) {
    return !encoded.contains("$m=" + memoryKib + ",t=" + iterations + ",p=1$");
  }

  private static byte[] derive(char[] password, byte[] salt, int m, int t, int p, int len) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(m)
            .withIterations(t)
            .withParallelism(p)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[len];
    try {
      gen.generateBytes(pw, out);
    } finally {
      java.util.Arrays.fill(pw, (byte) 0);
    }
    return out;
  }
}
