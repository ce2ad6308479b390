package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.session.internal.SessionReader;
import java.util.Arrays;
import java.util.Objects;

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

  /**
   * The secret encoding of a signed prekey: {@code u8 FORMAT_VERSION || u32 id || private key ||
   * signature}. {@code secret} is wiped.
   */
  static SecretBytes encodeSigned(int id, byte[] secret, byte[] signature) {
    byte[] out = new ByteWriter(5 + secret.length + signature.length).u8(FORMAT_VERSION).u32(id)
        .bytes(secret).bytes(signature).toByteArray();
    Arrays.fill(secret, (byte) 0);
    return SecretBytes.wrap(out);
  }

  /** Makes a prekey from the parts of {@link #encodeSigned}. */
  interface SignedMaker<T> {
    T make(int id, byte[] secret, byte[] signature) throws InvalidKeyMaterialException;
  }

  /**
   * Reads {@link #encodeSigned} with a private key of {@code secretLength} bytes and hands the parts
   * to {@code maker}; the decoded copies of the secret are wiped afterwards.
   *
   * @param what the prekey kind for error messages ("signed prekey", "KEM prekey")
   */
  static <T> T decodeSigned(SecretBytes encoded, int secretLength, String what, SignedMaker<T> maker)
      throws InvalidKeyMaterialException {
    byte[] b = Objects.requireNonNull(encoded, "encoded").toByteArray();
    byte[] s = null;
    try {
      SessionReader r = new SessionReader(b);
      if (r.u8() != FORMAT_VERSION) {
        throw new InvalidKeyMaterialException("unknown " + what + " format");
      }
      int id = r.u32();
      s = r.bytes(secretLength);
      byte[] sig = r.bytes(64);
      r.expectEnd();
      if (id < 1) {
        throw new InvalidKeyMaterialException(what + " id must be positive");
      }
      return maker.make(id, s, sig);
    } catch (SessionReader.Truncated e) {
      throw malformed(what, e);
    } finally {
      if (s != null) {
        Arrays.fill(s, (byte) 0);
      }
      Arrays.fill(b, (byte) 0);
    }
  }
}
