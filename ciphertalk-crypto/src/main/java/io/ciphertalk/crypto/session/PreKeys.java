package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.internal.ByteWriter;

/** Shared checks and signature inputs for the prekey types. */
final class PreKeys {
  private PreKeys() {}

  static final int FORMAT_VERSION = 1;

  static int checkId(int id) {
    if (id < 1) {
      throw new IllegalArgumentException("prekey id must be positive: " + id);
    }
    return id;
  }

  /** {@code label || u32 id || public key encoding}: what the identity key signs. */
  static byte[] signatureInput(byte[] label, int id, byte[] publicKey) {
    return new ByteWriter(label.length + 4 + publicKey.length)
        .bytes(label)
        .u32(id)
        .bytes(publicKey)
        .toByteArray();
  }

  static void verify(IdentityKey identity, byte[] label, int id, byte[] publicKey, byte[] sig)
      throws InvalidSignatureException {
    identity.signingKey().verify(sig, signatureInput(label, id, publicKey));
  }

  static InvalidKeyMaterialException malformed(String what, Exception cause) {
    return new InvalidKeyMaterialException("malformed " + what + ": " + cause.getMessage());
  }
}
