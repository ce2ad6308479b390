package io.ciphertalk.crypto;

import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;

/**
 * ML-KEM-768 (FIPS 203, security category 3) on BouncyCastle's lightweight implementation.
 * Private keys are kept in FIPS 203's 64-byte seed form {@code d || z}. Encapsulation keys are
 * checked as FIPS 203 section 7.2 requires (length and modulus check) before use.
 */
public final class MlKem768 implements Kem<MlKem768.PublicKey> {
  /** Encapsulation (public) key length. */
  public static final int PUBLIC_KEY_LENGTH = 1184;
  /** Ciphertext length. */
  public static final int CIPHERTEXT_LENGTH = 1088;
  /** Seed ({@code d || z}) length. */
  public static final int SEED_LENGTH = 64;
  /** Shared secret length. */
  public static final int SHARED_SECRET_LENGTH = 32;

  private static final MlKem768 INSTANCE = new MlKem768();
  private static final int Q = 3329;

  private MlKem768() {}

  /** The shared, stateless instance. */
  public static MlKem768 instance() {
    return INSTANCE;
  }

  /** Generates a fresh decapsulation key from 64 random seed bytes. */
  public static PrivateKey generate(RandomSource random) {
    return new PrivateKey(random.bytes(SEED_LENGTH));
  }

  @Override
  public Encapsulation encapsulate(PublicKey publicKey, RandomSource random) {
    Objects.requireNonNull(publicKey, "publicKey");
    // m determines the shared secret (FIPS 203: (K, r) = G(m || H(ek))), so it is wiped like it.
    byte[] m = random.bytes(32);
    try {
      return encapsulateDeterministic(publicKey, m);
    } finally {
      Arrays.fill(m, (byte) 0);
    }
  }

  /**
   * FIPS 203 ML-KEM.Encaps_internal with caller-chosen randomness {@code m}; only for test vectors.
   */
  public Encapsulation encapsulateDeterministic(PublicKey publicKey, byte[] m) {
    if (m.length != 32) {
      throw new IllegalArgumentException("m must be 32 bytes");
    }
    SecretWithEncapsulation swe =
        MLKEMGenerator.internalGenerateEncapsulated(publicKey.params, m);
    byte[] secret = swe.getSecret(); // a copy
    byte[] ciphertext = swe.getEncapsulation();
    try {
      swe.destroy(); // zeroes BouncyCastle's own copy of the secret
    } catch (javax.security.auth.DestroyFailedException e) {
      throw new IllegalStateException("cannot wipe the encapsulated secret", e);
    }
    return new Encapsulation(ciphertext, SecretBytes.wrap(secret));
  }

  /** An ML-KEM-768 decapsulation key. Never prints its secret. */
  public static final class PrivateKey {
    private final SecretBytes seed;
    private final MLKEMPrivateKeyParameters params;
    private final PublicKey publicKey;

    private PrivateKey(byte[] seed) {
      this.seed = SecretBytes.wrap(seed);
      this.params = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, seed);
      this.publicKey = new PublicKey(params.getPublicKeyParameters());
    }

    /** Restores a key from its 64-byte seed {@code d || z} (FIPS 203 ML-KEM.KeyGen_internal). */
    public static PrivateKey fromSeed(SecretBytes seed) throws InvalidKeyMaterialException {
      Objects.requireNonNull(seed, "seed");
      if (seed.length() != SEED_LENGTH) {
        throw new InvalidKeyMaterialException("ML-KEM-768 seed must be 64 bytes");
      }
      return new PrivateKey(seed.toByteArray());
    }

    /** The matching encapsulation key. */
    public PublicKey publicKey() {
      return publicKey;
    }

    /** The 64-byte seed, for storage; keep it secret. */
    public SecretBytes seed() {
      return SecretBytes.copyOf(seed.unsafeView());
    }

    /**
     * Recovers the shared secret. ML-KEM uses implicit rejection: a tampered ciphertext of the
     * right length yields an unrelated secret (so the AEAD that follows fails), never an error.
     *
     * @throws InvalidKeyMaterialException if the ciphertext has the wrong length
     * @throws IllegalStateException if the key has been wiped
     */
    public SecretBytes decapsulate(byte[] ciphertext) throws InvalidKeyMaterialException {
      Objects.requireNonNull(ciphertext, "ciphertext");
      if (seed.isWiped()) {
        throw new IllegalStateException("ML-KEM-768 key has been wiped");
      }
      if (ciphertext.length != CIPHERTEXT_LENGTH) {
        throw new InvalidKeyMaterialException(
            "ML-KEM-768 ciphertext must be " + CIPHERTEXT_LENGTH + " bytes, got " + ciphertext.length);
      }
      return SecretBytes.wrap(new MLKEMExtractor(params).extractSecret(ciphertext));
    }

    /**
     * Overwrites the seed; the key can no longer decapsulate. (BouncyCastle's expanded form of the
     * key cannot be zeroed from outside; it becomes garbage with this object.)
     */
    public void wipe() {
      seed.wipe();
    }

    @Override
    public String toString() {
      return "MlKem768.PrivateKey[public=" + publicKey + "]";
    }
  }

  /** An ML-KEM-768 encapsulation key. Equality is by encoding. */
  public static final class PublicKey {
    private final byte[] bytes;
    private final MLKEMPublicKeyParameters params;

    private PublicKey(MLKEMPublicKeyParameters params) {
      this.params = params;
      this.bytes = params.getEncoded();
    }

    /**
     * Parses and checks an encapsulation key (FIPS 203 section 7.2: length and modulus check).
     */
    public static PublicKey of(byte[] encoded) throws InvalidKeyMaterialException {
      Objects.requireNonNull(encoded, "encoded");
      if (encoded.length != PUBLIC_KEY_LENGTH) {
        throw new InvalidKeyMaterialException(
            "ML-KEM-768 public key must be " + PUBLIC_KEY_LENGTH + " bytes, got " + encoded.length);
      }
      // Every 12-bit coefficient of t-hat (first 3 * 384 bytes) must be reduced modulo q.
      for (int i = 0; i < 3 * 384; i += 3) {
        int b0 = encoded[i] & 0xff;
        int b1 = encoded[i + 1] & 0xff;
        int b2 = encoded[i + 2] & 0xff;
        int c0 = b0 | ((b1 & 0x0f) << 8);
        int c1 = (b1 >> 4) | (b2 << 4);
        if (c0 >= Q || c1 >= Q) {
          throw new InvalidKeyMaterialException("ML-KEM-768 public key fails the modulus check");
        }
      }
      return new PublicKey(new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, encoded.clone()));
    }

    /** The 1184-byte encoding (a copy). */
    public byte[] toByteArray() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PublicKey && Arrays.equals(bytes, ((PublicKey) o).bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "MlKem768.PublicKey[" + Hex.encode(bytes, 8) + "...]";
    }
  }

}
