package io.ciphertalk.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * X25519 Diffie-Hellman (RFC 7748) on BouncyCastle's lightweight implementation. An agreement
 * whose result is all zeros (the peer sent a low-order point) is rejected, as RFC 7748 section 6.1
 * allows and the Signal protocols require.
 */
public final class X25519 {
  /** Key and shared-secret length in bytes. */
  public static final int KEY_LENGTH = 32;

  private X25519() {}

  /** Generates a fresh key pair. */
  public static PrivateKey generate(RandomSource random) {
    byte[] k = random.bytes(KEY_LENGTH);
    org.bouncycastle.math.ec.rfc7748.X25519.clampPrivateKey(k);
    return new PrivateKey(k);
  }

  /** An X25519 private scalar with its public key. Never prints its secret. */
  public static final class PrivateKey implements KeyAgreement<PublicKey> {
    private final SecretBytes scalar;
    private final PublicKey publicKey;

    private PrivateKey(byte[] scalar) {
      this.scalar = SecretBytes.wrap(scalar);
      byte[] pub = new byte[KEY_LENGTH];
      org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(scalar, 0, pub, 0);
      this.publicKey = new PublicKey(pub);
    }

    /** Restores a private key from its 32 bytes (copied; clamping happens inside X25519). */
    public static PrivateKey of(SecretBytes scalar) throws InvalidKeyMaterialException {
      Objects.requireNonNull(scalar, "scalar");
      if (scalar.length() != KEY_LENGTH) {
        throw new InvalidKeyMaterialException("X25519 private key must be 32 bytes");
      }
      return new PrivateKey(scalar.toByteArray());
    }

    /** The matching public key. */
    public PublicKey publicKey() {
      return publicKey;
    }

    /** The 32 private bytes, for storage; keep them secret. */
    public SecretBytes secret() {
      return SecretBytes.copyOf(scalar.unsafeView());
    }

    @Override
    public SecretBytes agree(PublicKey peer) throws InvalidKeyMaterialException {
      Objects.requireNonNull(peer, "peer");
      byte[] out = new byte[KEY_LENGTH];
      boolean nonZero =
          org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(
              scalar.unsafeView(), 0, peer.bytes, 0, out, 0);
      if (!nonZero) {
        throw new InvalidKeyMaterialException("X25519 agreement produced all zeros (low-order point)");
      }
      return SecretBytes.wrap(out);
    }

    /** Overwrites the scalar. */
    public void wipe() {
      scalar.wipe();
    }

    @Override
    public String toString() {
      return "X25519.PrivateKey[public=" + publicKey + "]";
    }
  }

  /** An X25519 public key (any 32 bytes, per RFC 7748). Equality is by encoding. */
  public static final class PublicKey {
    private final byte[] bytes;

    private PublicKey(byte[] bytes) {
      this.bytes = bytes;
    }

    /** Parses a 32-byte public key. */
    public static PublicKey of(byte[] encoded) throws InvalidKeyMaterialException {
      Objects.requireNonNull(encoded, "encoded");
      if (encoded.length != KEY_LENGTH) {
        throw new InvalidKeyMaterialException(
            "X25519 public key must be 32 bytes, got " + encoded.length);
      }
      return new PublicKey(encoded.clone());
    }

    /** The 32-byte encoding (a copy). */
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
      return "X25519.PublicKey[" + Hex.encode(bytes, 8) + "...]";
    }
  }
}
