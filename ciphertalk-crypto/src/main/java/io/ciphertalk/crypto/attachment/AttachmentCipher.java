package io.ciphertalk.crypto.attachment;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Encrypted attachments (docs/protocol.md, "Attachments"): a streaming, chunked AEAD format in the
 * manner of the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015). A fresh random
 * 256-bit key per attachment; a 24-byte header (magic {@code "CTA"}, version 1, chunk size, random
 * 128-bit file id); a chunk key {@code HKDF-SHA256(key, salt = file id)}; AES-256-GCM (NIST SP
 * 800-38D, JDK SunJCE) per chunk with the chunk index as nonce and {@code header || index || final
 * flag} as associated data; and the SHA-256 of the whole ciphertext as the digest the sender puts
 * in the end-to-end encrypted message.
 *
 * <p>Security guarantee: confidentiality of the plaintext (its length leaks, like every
 * encryption's); a decryptor holding the key and digest either produces exactly the sender's
 * plaintext or throws {@link AttachmentIntegrityException}: altered, truncated, extended,
 * reordered or transplanted chunks (from another file, even under the same key) are all detected.
 * Memory is bounded by the chunk size, whatever the file size.
 *
 * <p>Stateless and thread-safe; the streams it returns are not thread-safe. Arguments must not be
 * null except where a parameter says so.
 */
public final class AttachmentCipher {
  /** Attachment key length in bytes (AES-256). */
  public static final int KEY_LENGTH = 32;
  /** Digest length in bytes (SHA-256). */
  public static final int DIGEST_LENGTH = 32;
  /** Header length in bytes. */
  public static final int HEADER_LENGTH = AttachmentFormat.HEADER_LENGTH;
  /** Authentication tag bytes added to every chunk. */
  public static final int TAG_LENGTH = AttachmentFormat.TAG_LENGTH;
  /** Plaintext bytes per chunk unless the caller chooses otherwise (64 KiB). */
  public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
  /** Smallest chunk size a header may declare (for test vectors; real files use the default). */
  public static final int MIN_CHUNK_SIZE = 16;
  /** Largest chunk size a header may declare (4 MiB), which bounds a decryptor's memory. */
  public static final int MAX_CHUNK_SIZE = 4 * 1024 * 1024;

  private AttachmentCipher() {}

  /** A fresh attachment key from {@code random}. */
  public static SecretBytes newKey(RandomSource random) {
    return SecretBytes.random(KEY_LENGTH, Objects.requireNonNull(random, "random"));
  }

  /** Exact ciphertext length (header and tags included) of a plaintext of {@code plaintextLength} bytes. */
  public static long ciphertextLength(long plaintextLength, int chunkSize) {
    checkChunkSize(chunkSize);
    if (plaintextLength < 0) {
      throw new IllegalArgumentException("plaintextLength must be >= 0: " + plaintextLength);
    }
    long chunks = Math.max(1, (plaintextLength + chunkSize - 1) / chunkSize);
    return HEADER_LENGTH + plaintextLength + chunks * TAG_LENGTH;
  }

  /**
   * A stream of the ciphertext of {@code plaintext}, encrypted under {@code key} in chunks of
   * {@code chunkSize} plaintext bytes, with a file id drawn from {@code random}.
   */
  public static EncryptingInputStream encrypting(InputStream plaintext, SecretBytes key, int chunkSize,
      RandomSource random) {
    Objects.requireNonNull(plaintext, "plaintext");
    checkKey(key);
    checkChunkSize(chunkSize);
    byte[] fileId = Objects.requireNonNull(random, "random").bytes(AttachmentFormat.FILE_ID_LENGTH);
    byte[] header = AttachmentFormat.header(chunkSize, fileId);
    return new EncryptingInputStream(plaintext, AttachmentFormat.chunkKey(key, header), header, chunkSize);
  }

  /**
   * A stream of the verified plaintext of {@code ciphertext} (see {@link DecryptingInputStream} for
   * when bytes are released).
   *
   * @param expectedDigest the SHA-256 of the ciphertext from the message, or null to rely on the
   *     chunk tags alone
   */
  public static DecryptingInputStream decrypting(InputStream ciphertext, SecretBytes key, byte[] expectedDigest) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    checkKey(key);
    if (expectedDigest != null && expectedDigest.length != DIGEST_LENGTH) {
      throw new IllegalArgumentException("expectedDigest must be " + DIGEST_LENGTH + " bytes: " + expectedDigest.length);
    }
    return new DecryptingInputStream(ciphertext, key, expectedDigest);
  }

  /** What {@link #encrypt} produced. */
  public record Result(long plaintextLength, long ciphertextLength, byte[] digest) {
    public Result {
      digest = digest.clone();
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }
  }

  /** Encrypts all of {@code plaintext} to {@code ciphertext}; closes neither. */
  public static Result encrypt(InputStream plaintext, OutputStream ciphertext, SecretBytes key, int chunkSize,
      RandomSource random) throws IOException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    EncryptingInputStream in = encrypting(plaintext, key, chunkSize, random);
    byte[] buf = new byte[Math.min(chunkSize + TAG_LENGTH, 256 * 1024)];
    for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
      ciphertext.write(buf, 0, n);
    }
    return new Result(in.plaintextLength(), in.ciphertextLength(), in.digest());
  }

  /**
   * Decrypts all of {@code ciphertext} to {@code plaintext}; closes neither. On
   * {@link AttachmentIntegrityException} what was written must be discarded.
   *
   * @return the plaintext length
   */
  public static long decrypt(InputStream ciphertext, OutputStream plaintext, SecretBytes key, byte[] expectedDigest)
      throws IOException {
    Objects.requireNonNull(plaintext, "plaintext");
    DecryptingInputStream in = decrypting(ciphertext, key, expectedDigest);
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
      plaintext.write(buf, 0, n);
    }
    return in.plaintextLength();
  }

  private static void checkKey(SecretBytes key) {
    Objects.requireNonNull(key, "key");
    if (key.length() != KEY_LENGTH) {
      throw new IllegalArgumentException("attachment key must be " + KEY_LENGTH + " bytes: " + key.length());
    }
  }

  private static void checkChunkSize(int chunkSize) {
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException(
          "chunkSize must be " + MIN_CHUNK_SIZE + ".." + MAX_CHUNK_SIZE + ": " + chunkSize);
    }
  }
}
