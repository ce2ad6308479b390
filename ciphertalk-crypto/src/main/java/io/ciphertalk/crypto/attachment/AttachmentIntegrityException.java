package io.ciphertalk.crypto.attachment;

import java.io.IOException;

/**
 * An encrypted attachment failed verification while it was being decrypted. It is an
 * {@link IOException} because it surfaces from {@link java.io.InputStream#read}; the
 * {@link #reason()} says what the decryptor detected. Bytes already handed out belonged to chunks
 * that verified on their own, but the attachment as a whole is not authentic: callers discard
 * everything they received (the SDK deletes its temporary file).
 */
public final class AttachmentIntegrityException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What was wrong with the ciphertext. */
  public enum Reason {
    /** The header is not a CipherTalk attachment header of a supported version and chunk size. */
    BAD_HEADER,
    /** A chunk's tag did not verify: altered, reordered, from another file, or the wrong key. */
    TAMPERED,
    /** The ciphertext ends before the chunk marked final (cut at or inside a chunk). */
    TRUNCATED,
    /** Bytes follow the chunk marked final. */
    EXTENDED,
    /** Every chunk verified but the SHA-256 of the ciphertext differs from the expected digest. */
    DIGEST_MISMATCH,
    /** The attachment has more chunks than the format allows. */
    TOO_LONG
  }

  private final Reason reason;
  private final long chunkIndex;

  AttachmentIntegrityException(Reason reason, long chunkIndex, String message) {
    super(message);
    this.reason = reason;
    this.chunkIndex = chunkIndex;
  }

  /** What was detected. */
  public Reason reason() {
    return reason;
  }

  /** The index of the chunk being processed when it was detected (-1 for the header). */
  public long chunkIndex() {
    return chunkIndex;
  }
}
