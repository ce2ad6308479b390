package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.internal.Kdfs;
import java.util.Arrays;
import java.util.Objects;

/**
 * The public identity of one device: an Ed25519 signing key and an X25519 Diffie-Hellman key,
 * the latter signed by the former (so the X25519 key cannot be swapped without the signing key).
 *
 * <p>Encoding ({@link #serialize()}, {@link #ENCODED_LENGTH} bytes): {@code ed25519 public (32) ||
 * x25519 public (32) || Ed25519 signature (64)} over {@code "CipherTalk/1/sig/identity-x25519" ||
 * x25519 public}. An instance always carries a verified signature. Equality is by the two public
 * keys. Immutable and thread-safe; no method accepts null.
 */
public final class IdentityKey {
  /** Length of {@link #serialize()}. */
  public static final int ENCODED_LENGTH = 32 + 32 + 64;

  private final Ed25519.PublicKey signingKey;
  private final X25519.PublicKey agreementKey;
  private final byte[] encoded;
  private final byte[] keyBytes;

  private IdentityKey(Ed25519.PublicKey signingKey, X25519.PublicKey agreementKey, byte[] encoded) {
    this.signingKey = signingKey;
    this.agreementKey = agreementKey;
    this.encoded = encoded;
    this.keyBytes = Arrays.copyOf(encoded, 64);
  }

  static IdentityKey of(Ed25519.PublicKey signingKey, X25519.PublicKey agreementKey, byte[] sig) {
    byte[] enc = Kdfs.concat(signingKey.toByteArray(), agreementKey.toByteArray(), sig);
    return new IdentityKey(signingKey, agreementKey, enc);
  }

  /**
   * Parses and verifies an encoded identity key.
   *
   * @throws InvalidKeyMaterialException if the length is wrong, a key is malformed or the X25519
   *     key's signature does not verify
   */
  public static IdentityKey deserialize(byte[] encoded) throws InvalidKeyMaterialException {
    Objects.requireNonNull(encoded, "encoded");
    if (encoded.length != ENCODED_LENGTH) {
      throw new InvalidKeyMaterialException(
          "identity key must be " + ENCODED_LENGTH + " bytes, got " + encoded.length);
    }
    Ed25519.PublicKey ed = Ed25519.PublicKey.of(Arrays.copyOfRange(encoded, 0, 32));
    byte[] x = Arrays.copyOfRange(encoded, 32, 64);
    try {
      ed.verify(Arrays.copyOfRange(encoded, 64, 128), Kdfs.concat(Kdfs.SIG_IDENTITY, x));
    } catch (InvalidSignatureException e) {
      throw new InvalidKeyMaterialException("identity key's X25519 signature does not verify", e);
    }
    return new IdentityKey(ed, X25519.PublicKey.of(x), encoded.clone());
  }

  /** The Ed25519 key that signs this device's prekeys. */
  public Ed25519.PublicKey signingKey() {
    return signingKey;
  }

  /** The X25519 key used in the handshakes' identity DH terms. */
  public X25519.PublicKey agreementKey() {
    return agreementKey;
  }

  /** The {@link #ENCODED_LENGTH}-byte encoding (a copy). */
  public byte[] serialize() {
    return encoded.clone();
  }

  /** {@code ed25519 public || x25519 public} (64 bytes, a copy): the form bound into AD. */
  public byte[] publicKeyBytes() {
    return keyBytes.clone();
  }

  byte[] keyBytesView() {
    return keyBytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdentityKey && Arrays.equals(keyBytes, ((IdentityKey) o).keyBytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(keyBytes);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("IdentityKey[");
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02x", keyBytes[i]));
    }
    return sb.append("...]").toString();
  }
}
