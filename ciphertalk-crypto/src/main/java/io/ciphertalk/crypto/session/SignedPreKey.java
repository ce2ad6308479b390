package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.util.Objects;

/**
 * A medium-term X25519 prekey (X3DH's SPK) with its id and the identity's Ed25519 signature over
 * {@code "CipherTalk/1/sig/signed-prekey" || u32 id || public key}. This object holds the private
 * key: keep it on the device; publish {@link #publicKey()}, {@link #id()} and {@link #signature()}
 * through a {@link PreKeyBundle}. Rotate it periodically (Signal suggests every week or month).
 *
 * <p>Thread-safe; {@link #wipe()} must not race with use. No method accepts null.
 */
public final class SignedPreKey {
  private final int id;
  private final X25519.PrivateKey key;
  private final byte[] signature;

  private SignedPreKey(int id, X25519.PrivateKey key, byte[] signature) {
    this.id = id;
    this.key = key;
    this.signature = signature;
  }

  /** Generates a new signed prekey with the given positive id, signed by {@code identity}. */
  public static SignedPreKey generate(IdentityKeyPair identity, int id, RandomSource random) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(random, "random");
    PreKeys.checkId(id);
    X25519.PrivateKey k = X25519.generate(random);
    byte[] sig = identity.sign(Kdfs.SIG_SIGNED_PREKEY, idAndKey(id, k.publicKey().toByteArray()));
    return new SignedPreKey(id, k, sig);
  }

  private static byte[] idAndKey(int id, byte[] pub) {
    return new ByteWriter(36).u32(id).bytes(pub).toByteArray();
  }

  /** The prekey id (positive). */
  public int id() {
    return id;
  }

  /** The public key to publish. */
  public X25519.PublicKey publicKey() {
    return key.publicKey();
  }

  /** The 64-byte Ed25519 signature (a copy). */
  public byte[] signature() {
    return signature.clone();
  }

  X25519.PrivateKey privateKey() {
    return key;
  }

  /** Secret encoding: {@code u8 1 || u32 id || x25519 private (32) || signature (64)}. */
  public SecretBytes serialize() {
    return PreKeys.encodeSigned(id, key.secret().toByteArray(), signature);
  }

  /** Restores a prekey from {@link #serialize()}. */
  public static SignedPreKey deserialize(SecretBytes encoded) throws InvalidKeyMaterialException {
    return PreKeys.decodeSigned(encoded, 32, "signed prekey",
        (id, s, sig) -> new SignedPreKey(id, X25519.PrivateKey.of(SecretBytes.wrap(s)), sig));
  }

  /** Overwrites the private key. */
  public void wipe() {
    key.wipe();
  }

  @Override
  public String toString() {
    return "SignedPreKey[id=" + id + "]";
  }
}
