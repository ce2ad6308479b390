package io.ciphertalk.crypto.attachment;

import io.ciphertalk.crypto.HkdfSha256;
import io.ciphertalk.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The byte layout of docs/protocol.md, "Attachments": header, chunk key, nonces and associated
 * data. Shared by the encrypting and decrypting streams. Stateless.
 */
final class AttachmentFormat {
  static final byte[] MAGIC = {'C', 'T', 'A'};
  static final int VERSION = 1;
  static final int FILE_ID_LENGTH = 16;
  static final int HEADER_LENGTH = MAGIC.length + 1 + 4 + FILE_ID_LENGTH;
  static final int TAG_LENGTH = 16;
  static final int NONCE_LENGTH = 12;
  static final long MAX_CHUNKS = 1L << 32;
  static final byte[] KEY_INFO = "CipherTalk/1/attachment/chunk-key".getBytes(StandardCharsets.US_ASCII);

  private AttachmentFormat() {}

  static byte[] header(int chunkSize, byte[] fileId) {
    byte[] h = new byte[HEADER_LENGTH];
    System.arraycopy(MAGIC, 0, h, 0, MAGIC.length);
    h[3] = (byte) VERSION;
    putInt(h, 4, chunkSize);
    System.arraycopy(fileId, 0, h, 8, FILE_ID_LENGTH);
    return h;
  }

  /** The chunk size of a valid header, or -1 if the header is not one this version reads. */
  static int parseChunkSize(byte[] header) {
    if (header[0] != MAGIC[0] || header[1] != MAGIC[1] || header[2] != MAGIC[2] || header[3] != VERSION) {
      return -1;
    }
    int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
    return size >= AttachmentCipher.MIN_CHUNK_SIZE && size <= AttachmentCipher.MAX_CHUNK_SIZE ? size : -1;
  }

  /** {@code HKDF-SHA256(ikm = key, salt = fileId, info = "CipherTalk/1/attachment/chunk-key", 32)}. */
  static SecretKeySpec chunkKey(SecretBytes key, byte[] header) {
    byte[] ikm = key.toByteArray();
    byte[] fileId = Arrays.copyOfRange(header, 8, 8 + FILE_ID_LENGTH);
    byte[] k = HkdfSha256.instance().derive(ikm, fileId, KEY_INFO, 32);
    try {
      return new SecretKeySpec(k, "AES");
    } finally {
      Arrays.fill(ikm, (byte) 0);
      Arrays.fill(k, (byte) 0);
    }
  }

  /** Nonce: four zero bytes, then the chunk index as a big-endian uint64. */
  static GCMParameterSpec nonce(long index) {
    byte[] n = new byte[NONCE_LENGTH];
    putLong(n, 4, index);
    return new GCMParameterSpec(TAG_LENGTH * 8, n);
  }

  /** Associated data: {@code header || uint64 index || final (0x00 or 0x01)}. */
  static byte[] associatedData(byte[] header, long index, boolean last) {
    byte[] ad = new byte[HEADER_LENGTH + 9];
    System.arraycopy(header, 0, ad, 0, HEADER_LENGTH);
    putLong(ad, HEADER_LENGTH, index);
    ad[HEADER_LENGTH + 8] = (byte) (last ? 1 : 0);
    return ad;
  }

  static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks AES/GCM/NoPadding", e);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }
}
