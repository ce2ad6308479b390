package io.ciphertalk.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * Ed25519 signatures (RFC 8032, pure variant) on BouncyCastle's lightweight implementation, which
 * rejects non-canonical point and scalar encodings. No JCA provider is registered.
 */
public final class Ed25519 {
  /** Public key length in bytes. */
  public static final int PUBLIC_KEY_LENGTH = 32;
  /** Private key (seed) length in bytes. */
  public static final int PRIVATE_KEY_LENGTH = 32;
  /** Signature length in bytes. */
  public static final int SIGNATURE_LENGTH = 64;

  private Ed25519() {}

  /** Generates a fresh key pair. */
  public static PrivateKey generate(RandomSource random) {
    byte[] seed = random.bytes(PRIVATE_KEY_LENGTH);
    return new PrivateKey(seed);
  }

  /** An Ed25519 private key (the 32-byte seed) and its public key. Never prints its secret. */
  public static final class PrivateKey implements Signer {
    private final SecretBytes seed;
    private final PublicKey publicKey;

    private PrivateKey(byte[] seed) {
      this.seed = SecretBytes.wrap(seed);
      byte[] pub = new byte[PUBLIC_KEY_LENGTH];
      org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pub, 0);
      this.publicKey = new PublicKey(pub, null);
    }

    /** Restores a private key from its 32-byte seed (copied). */
    public static PrivateKey fromSeed(SecretBytes seed) throws InvalidKeyMaterialException {
      Objects.requireNonNull(seed, "seed");
      if (seed.length() != PRIVATE_KEY_LENGTH) {
        throw new InvalidKeyMaterialException("Ed25519 seed must be 32 bytes, got " + seed.length());
      }
      return new PrivateKey(seed.toByteArray());
    }

    /** The matching public key. */
    public PublicKey publicKey() {
      return publicKey;
    }

    /** The 32-byte seed, for storage; keep it secret. */
    public SecretBytes seed() {
      return SecretBytes.copyOf(seed.unsafeView());
    }

    @Override
    public byte[] sign(byte[] data) {
      Objects.requireNonNull(data, "data");
      byte[] sig = new byte[SIGNATURE_LENGTH];
      org.bouncycastle.math.ec.rfc8032.Ed25519.sign(
          seed.unsafeView(), 0, publicKey.bytes, 0, data, 0, data.length, sig, 0);
      return sig;
    }

    /** Overwrites the seed; the key can no longer sign. */
    public void wipe() {
      seed.wipe();
    }

    @Override
    public String toString() {
      return "Ed25519.PrivateKey[public=" + publicKey + "]";
    }
  }

  /**
   * An Ed25519 public key. Equality is by encoding. The decoded point is cached so repeated
   * verifications skip point decompression.
   */
  public static final class PublicKey implements Verifier {
    private final byte[] bytes;
    private volatile org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point;

    private PublicKey(
        byte[] bytes, org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point) {
      this.bytes = bytes;
      this.point = point;
    }

    /**
     * Parses a 32-byte encoded public key.
     *
     * @throws InvalidKeyMaterialException if the length is wrong or the encoding is not a valid,
     *     canonical curve point
     */
    public static PublicKey of(byte[] encoded) throws InvalidKeyMaterialException {
      Objects.requireNonNull(encoded, "encoded");
      if (encoded.length != PUBLIC_KEY_LENGTH) {
        throw new InvalidKeyMaterialException(
            "Ed25519 public key must be 32 bytes, got " + encoded.length);
      }
      org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint p =
          org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(encoded, 0);
      if (p == null) {
        throw new InvalidKeyMaterialException("not a valid Ed25519 public key encoding");
      }
      return new PublicKey(encoded.clone(), p);
    }

    /** The 32-byte encoding (a copy). */
    public byte[] toByteArray() {
      return bytes.clone();
    }

    @Override
    public void verify(byte[] signature, byte[] data) throws InvalidSignatureException {
      Objects.requireNonNull(signature, "signature");
      Objects.requireNonNull(data, "data");
      if (signature.length != SIGNATURE_LENGTH) {
        throw new InvalidSignatureException("Ed25519 signature must be 64 bytes");
      }
      org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint p = point;
      if (p == null) {
        p = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(bytes, 0);
        point = p;
      }
      boolean ok =
          p != null
              && org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
                  signature, 0, p, data, 0, data.length);
      if (!ok) {
        throw new InvalidSignatureException("Ed25519 signature does not verify");
      }
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
      return "Ed25519.PublicKey[" + Hex.encode(bytes, 8) + "...]";
    }
  }
}
