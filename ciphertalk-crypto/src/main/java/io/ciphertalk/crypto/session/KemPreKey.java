package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.internal.SessionReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.util.Arrays;
import java.util.Objects;

/**
 * A signed ML-KEM-768 prekey (FIPS 203) for the {@link HandshakeSuite#PQXDH} suite: PQXDH's
 * "last-resort" PQSPK. The identity's Ed25519 signature covers {@code "CipherTalk/1/sig/kem-prekey"
 * || u32 id || encapsulation key (1184)}. This object holds the decapsulation key.
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
    byte[] s = key.seed().toByteArray();
    byte[] out = new ByteWriter(133).u8(PreKeys.FORMAT_VERSION).u32(id).bytes(s).bytes(signature)
        .toByteArray();
    Arrays.fill(s, (byte) 0);
    return SecretBytes.wrap(out);
  }

  /** Restores a prekey from {@link #serialize()}. */
  public static KemPreKey deserialize(SecretBytes encoded) throws InvalidKeyMaterialException {
    byte[] b = Objects.requireNonNull(encoded, "encoded").toByteArray();
    try {
      SessionReader r = new SessionReader(b);
      if (r.u8() != PreKeys.FORMAT_VERSION) {
        throw new InvalidKeyMaterialException("unknown KEM prekey format");
      }
      int id = r.u32();
      byte[] s = r.bytes(64);
      byte[] sig = r.bytes(64);
      r.expectEnd();
      if (id < 1) {
        throw new InvalidKeyMaterialException("KEM prekey id must be positive");
      }
      MlKem768.PrivateKey k = MlKem768.PrivateKey.fromSeed(SecretBytes.wrap(s));
      Arrays.fill(s, (byte) 0);
      return new KemPreKey(id, k, sig);
    } catch (SessionReader.Truncated e) {
      throw PreKeys.malformed("KEM prekey", e);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
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
