package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.InvalidSignatureException;
import java.util.Objects;

/**
 * The public half of an account's long-term signing key (Ed25519, RFC 8032): the key contacts pin
 * (trust on first use per account) and the one that signs every {@link DeviceCertificate} and
 * {@link DeviceRevocation} of the account. Encoded as the 32-byte Ed25519 public key.
 *
 * <p>Immutable and thread-safe; equality is by encoding; no method accepts null.
 */
public final class AccountKey {
  /** Length of {@link #serialize()}. */
  public static final int ENCODED_LENGTH = Ed25519.PUBLIC_KEY_LENGTH;

  private final Ed25519.PublicKey key;

  AccountKey(Ed25519.PublicKey key) {
    this.key = key;
  }

  /**
   * Parses a 32-byte account key.
   *
   * @throws InvalidKeyMaterialException if it is not a canonical Ed25519 public key encoding
   */
  public static AccountKey deserialize(byte[] encoded) throws InvalidKeyMaterialException {
    return new AccountKey(Ed25519.PublicKey.of(Objects.requireNonNull(encoded, "encoded")));
  }

  /** The 32-byte encoding (a copy). */
  public byte[] serialize() {
    return key.toByteArray();
  }

  void verify(byte[] signature, byte[] data) throws InvalidSignatureException {
    key.verify(signature, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountKey && key.equals(((AccountKey) o).key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  @Override
  public String toString() {
    byte[] b = key.toByteArray();
    StringBuilder sb = new StringBuilder("AccountKey[");
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02x", b[i]));
    }
    return sb.append("...]").toString();
  }
}
