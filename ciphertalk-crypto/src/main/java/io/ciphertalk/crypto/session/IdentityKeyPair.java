package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.internal.SessionReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.util.Arrays;
import java.util.Objects;

/**
 * A device's long-term identity: an Ed25519 signing key (RFC 8032) and an X25519 key (RFC 7748)
 * whose public half is signed by the signing key. The public half is {@link #publicKey()}.
 *
 * <p>Signatures this key makes are always domain-separated by a label (see docs/protocol.md), so
 * a prekey signature can never be mistaken for another kind. Thread-safe; {@link #wipe()} must not
 * race with use. No method accepts null. {@code toString} never prints secrets.
 */
public final class IdentityKeyPair {
  private static final int FORMAT_VERSION = 1;

  private final Ed25519.PrivateKey signingKey;
  private final X25519.PrivateKey agreementKey;
  private final IdentityKey publicKey;

  private IdentityKeyPair(Ed25519.PrivateKey signingKey, X25519.PrivateKey agreementKey) {
    this.signingKey = signingKey;
    this.agreementKey = agreementKey;
    byte[] x = agreementKey.publicKey().toByteArray();
    byte[] sig = signingKey.sign(Kdfs.concat(Kdfs.SIG_IDENTITY, x));
    this.publicKey = IdentityKey.of(signingKey.publicKey(), agreementKey.publicKey(), sig);
  }

  /** Generates a fresh identity. */
  public static IdentityKeyPair generate(RandomSource random) {
    Objects.requireNonNull(random, "random");
    return new IdentityKeyPair(Ed25519.generate(random), X25519.generate(random));
  }

  /** The public identity to publish. */
  public IdentityKey publicKey() {
    return publicKey;
  }

  /** Signs {@code label || data}; package-private so only protocol labels are ever signed. */
  byte[] sign(byte[] label, byte[] data) {
    return signingKey.sign(Kdfs.concat(label, data));
  }

  X25519.PrivateKey agreementKey() {
    return agreementKey;
  }

  /**
   * Secret encoding for storage: {@code u8 version=1 || ed25519 seed (32) || x25519 private (32)}.
   * Keep it secret (encrypt it at rest).
   */
  public SecretBytes serialize() {
    byte[] seed = signingKey.seed().toByteArray();
    byte[] x = agreementKey.secret().toByteArray();
    byte[] out = new ByteWriter(65).u8(FORMAT_VERSION).bytes(seed).bytes(x).toByteArray();
    Arrays.fill(seed, (byte) 0);
    Arrays.fill(x, (byte) 0);
    return SecretBytes.wrap(out);
  }

  /** Restores an identity from {@link #serialize()}. */
  public static IdentityKeyPair deserialize(SecretBytes encoded) throws InvalidKeyMaterialException {
    Objects.requireNonNull(encoded, "encoded");
    byte[] b = encoded.toByteArray();
    try {
      SessionReader r = new SessionReader(b);
      if (r.u8() != FORMAT_VERSION) {
        throw new InvalidKeyMaterialException("unknown identity key pair format");
      }
      byte[] seed = r.bytes(32);
      byte[] x = r.bytes(32);
      r.expectEnd();
      try {
        return new IdentityKeyPair(
            Ed25519.PrivateKey.fromSeed(SecretBytes.wrap(seed)),
            X25519.PrivateKey.of(SecretBytes.wrap(x)));
      } finally {
        Arrays.fill(seed, (byte) 0);
        Arrays.fill(x, (byte) 0);
      }
    } catch (SessionReader.Truncated e) {
      throw new InvalidKeyMaterialException("malformed identity key pair: " + e.getMessage());
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  /** Overwrites both private keys; the pair can no longer be used. */
  public void wipe() {
    signingKey.wipe();
    agreementKey.wipe();
  }

  @Override
  public String toString() {
    return "IdentityKeyPair[public=" + publicKey + "]";
  }
}
