package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.Rsa;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.internal.SessionReader;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.util.Arrays;
import java.util.Objects;

/**
 * A signed RSA-3072 prekey for the {@link HandshakeSuite#RSA_OAEP} suite: the responder's key
 * for RSAES-OAEP-SHA256 key transport (RFC 8017). It is signed by the device's Ed25519 identity
 * key (not by RSA-PSS: the identity is Ed25519, and one signature scheme for every prekey keeps
 * verification uniform) over {@code "CipherTalk/1/sig/rsa-prekey" || u32 id || X.509 DER}.
 * This object holds the private key.
 *
 * <p>Thread-safe. No method accepts null. There is no {@code wipe()}: the JDK's RSA private keys
 * cannot be overwritten; drop the reference when the prekey is rotated out. RSA key generation takes a noticeable fraction of a
 * second: generate these off the UI thread, and rotate them like signed prekeys.
 */
public final class RsaPreKey {
  private final int id;
  private final Rsa.PrivateKey key;
  private final byte[] signature;

  private RsaPreKey(int id, Rsa.PrivateKey key, byte[] signature) {
    this.id = id;
    this.key = key;
    this.signature = signature;
  }

  /** Generates a new 3072-bit RSA prekey with the given positive id, signed by {@code identity}. */
  public static RsaPreKey generate(IdentityKeyPair identity, int id, RandomSource random) {
    Objects.requireNonNull(random, "random");
    return of(identity, id, Rsa.generate(random));
  }

  /** Wraps an existing RSA key as prekey {@code id}, signed by {@code identity}. */
  public static RsaPreKey of(IdentityKeyPair identity, int id, Rsa.PrivateKey rsaKey) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(rsaKey, "rsaKey");
    PreKeys.checkId(id);
    byte[] der = rsaKey.publicKey().toX509();
    byte[] sig =
        identity.sign(
            Kdfs.SIG_RSA_PREKEY, new ByteWriter(4 + der.length).u32(id).bytes(der).toByteArray());
    return new RsaPreKey(id, rsaKey, sig);
  }

  /** The prekey id (positive). */
  public int id() {
    return id;
  }

  /** The public key to publish. */
  public Rsa.PublicKey publicKey() {
    return key.publicKey();
  }

  /** The 64-byte Ed25519 signature (a copy). */
  public byte[] signature() {
    return signature.clone();
  }

  Rsa.PrivateKey privateKey() {
    return key;
  }

  /** Secret encoding: {@code u8 1 || u32 id || u16 n || PKCS#8 DER (n) || signature (64)}. */
  public SecretBytes serialize() {
    SecretBytes der = key.toPkcs8();
    byte[] d = der.toByteArray();
    byte[] out = new ByteWriter(d.length + 71).u8(PreKeys.FORMAT_VERSION).u32(id).var16(d)
        .bytes(signature).toByteArray();
    Arrays.fill(d, (byte) 0);
    der.wipe();
    return SecretBytes.wrap(out);
  }

  /** Restores a prekey from {@link #serialize()}. */
  public static RsaPreKey deserialize(SecretBytes encoded) throws InvalidKeyMaterialException {
    byte[] b = Objects.requireNonNull(encoded, "encoded").toByteArray();
    try {
      SessionReader r = new SessionReader(b);
      if (r.u8() != PreKeys.FORMAT_VERSION) {
        throw new InvalidKeyMaterialException("unknown RSA prekey format");
      }
      int id = r.u32();
      byte[] d = r.var16();
      byte[] sig = r.bytes(64);
      r.expectEnd();
      if (id < 1) {
        throw new InvalidKeyMaterialException("RSA prekey id must be positive");
      }
      Rsa.PrivateKey k = Rsa.PrivateKey.fromPkcs8(d);
      Arrays.fill(d, (byte) 0);
      return new RsaPreKey(id, k, sig);
    } catch (SessionReader.Truncated e) {
      throw PreKeys.malformed("RSA prekey", e);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "RsaPreKey[id=" + id + "]";
  }
}
