package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.util.Objects;

/**
 * A signed ML-KEM-768 prekey (FIPS 203) for the {@link HandshakeSuite#PQXDH} suite: either a
 * one-time KEM prekey (PQXDH's PQOPK, deleted after one use) or the last-resort one (PQSPK, kept
 * until rotated out); the key and its signature are the same for both, and the holder's {@link
 * PreKeySource} knows which kind an id is. The identity's Ed25519 signature covers {@code
 * "CipherTalk/1/sig/kem-prekey" || u32 id || encapsulation key (1184)}. This object holds the
 * decapsulation key.
 *
 * <p>Thread-safe; {@link #wipe()} must not race with use. No method accepts null.
 */
public final class KemPreKey {
  private final int id;
  private final MlKem768.PrivateKey key;
  private final byte[] signature;

  private KemPreKey(int id, MlKem768.PrivateKey key, byte[] signature) {
    this.id = id;
    this.key = key;
    this.signature = signature;
  }

  /** Generates a new KEM prekey with the given positive id, signed by {@code identity}. */
  public static KemPreKey generate(IdentityKeyPair identity, int id, RandomSource random) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(random, "random");
    PreKeys.checkId(id);
    MlKem768.PrivateKey k = MlKem768.generate(random);
    byte[] sig =
        identity.sign(
            Kdfs.SIG_KEM_PREKEY,
            new ByteWriter(1188).u32(id).bytes(k.publicKey().toByteArray()).toByteArray());
    return new KemPreKey(id, k, sig);
  }

  /** The prekey id (positive). */
  public int id() {
    return id;
  }

  /** The encapsulation key to publish. */
  public MlKem768.PublicKey publicKey() {
    return key.publicKey();
  }

  /** The 64-byte Ed25519 signature (a copy). */
  public byte[] signature() {
    return signature.clone();
  }

  MlKem768.PrivateKey privateKey() {
    return key;
  }

  /** Secret encoding: {@code u8 1 || u32 id || ML-KEM seed d||z (64) || signature (64)}. */
  public SecretBytes serialize() {
    return PreKeys.encodeSigned(id, key.seed().toByteArray(), signature);
  }

  /** Restores a prekey from {@link #serialize()}. */
  public static KemPreKey deserialize(SecretBytes encoded) throws InvalidKeyMaterialException {
    return PreKeys.decodeSigned(encoded, 64, "KEM prekey",
        (id, s, sig) -> new KemPreKey(id, MlKem768.PrivateKey.fromSeed(SecretBytes.wrap(s)), sig));
  }

  /** Overwrites the seed. */
  public void wipe() {
    key.wipe();
  }

  @Override
  public String toString() {
    return "KemPreKey[id=" + id + "]";
  }
}
