package io.ciphertalk.crypto;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag, on the JDK's SunJCE
 * provider, which uses the CPU's AES-NI and carry-less multiply instructions.
 *
 * <p>Thread-safe: each thread keeps its own {@link Cipher}. The caller guarantees nonce
 * uniqueness per key (the ratchets derive a fresh key for every message; stores use random nonces).
 */
public final class AesGcm implements Aead {
  /** Key length in bytes. */
  public static final int KEY_LENGTH = 32;

  private static final ThreadLocal<Cipher> CIPHERS =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("the JDK lacks AES/GCM/NoPadding", e);
            }
          });

  private final SecretKeySpec key;

  private AesGcm(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** An AEAD keyed with a 32-byte key. */
  public static AesGcm create(SecretBytes key) throws InvalidKeyMaterialException {
    Objects.requireNonNull(key, "key");
    if (key.length() != KEY_LENGTH) {
      throw new InvalidKeyMaterialException("AES-256-GCM needs a 32-byte key, got " + key.length());
    }
    return new AesGcm(key.unsafeView());
  }

  @Override
  public byte[] seal(byte[] nonce, byte[] plaintext, byte[] associatedData)
      throws CryptoException {
    checkNonce(nonce);
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(associatedData, "associatedData");
    Cipher cipher = CIPHERS.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      if (associatedData.length > 0) {
        cipher.updateAAD(associatedData);
      }
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("AES-GCM seal failed", e);
    }
  }

  @Override
  public byte[] open(byte[] nonce, byte[] ciphertextAndTag, byte[] associatedData)
      throws CryptoException {
    checkNonce(nonce);
    Objects.requireNonNull(ciphertextAndTag, "ciphertextAndTag");
    Objects.requireNonNull(associatedData, "associatedData");
    if (ciphertextAndTag.length < TAG_LENGTH) {
      throw new AuthenticationFailedException("ciphertext shorter than the tag");
    }
    Cipher cipher = CIPHERS.get();
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      if (associatedData.length > 0) {
        cipher.updateAAD(associatedData);
      }
      return cipher.doFinal(ciphertextAndTag);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("AES-GCM tag mismatch");
    } catch (GeneralSecurityException e) {
      throw new AuthenticationFailedException("AES-GCM open failed", e);
    }
  }

  private static void checkNonce(byte[] nonce) throws CryptoException {
    Objects.requireNonNull(nonce, "nonce");
    if (nonce.length != NONCE_LENGTH) {
      throw new CryptoException("AES-GCM nonce must be 12 bytes, got " + nonce.length);
    }
  }

  @Override
  public String toString() {
    return "AesGcm[AES-256-GCM]";
  }
}
