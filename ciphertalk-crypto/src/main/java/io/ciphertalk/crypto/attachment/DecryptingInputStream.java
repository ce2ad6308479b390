package io.ciphertalk.crypto.attachment;

import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.attachment.AttachmentIntegrityException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads attachment ciphertext and yields plaintext, one verified chunk at a time. A chunk's bytes
 * are released only after its GCM tag (bound to its index, its final flag and the header) verified;
 * the final chunk's bytes only after the SHA-256 of the whole ciphertext matched the expected
 * digest too. {@code read} returns -1 only after the chunk marked final verified and the source
 * ended right after it: truncation, reordering, chunks from another file, bit flips, a wrong key and
 * appended bytes all throw {@link AttachmentIntegrityException} instead, and every later call throws
 * it again. A consumer therefore treats what it read as final only once it saw -1. Holds one
 * ciphertext and one plaintext chunk in memory. Obtain from {@link AttachmentCipher#decrypting}. Not
 * thread-safe. Closing it closes the ciphertext stream.
 */
public final class DecryptingInputStream extends InputStream {
  private final InputStream source;
  private final SecretBytes key;
  private final byte[] expectedDigest;
  private final Cipher cipher = AttachmentFormat.newCipher();
  private final MessageDigest sha = AttachmentFormat.sha256();
  private byte[] header;
  private SecretKeySpec chunkKey;
  private int chunkSize;
  private byte[] sealed;
  private byte[] plain;
  private int pos;
  private int limit;
  private long index;
  private long plaintextLength;
  private int carry = -1;
  private boolean finished;
  private AttachmentIntegrityException failure;

  DecryptingInputStream(InputStream source, SecretBytes key, byte[] expectedDigest) {
    this.source = Objects.requireNonNull(source, "source");
    this.key = key;
    this.expectedDigest = expectedDigest == null ? null : expectedDigest.clone();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (failure != null) {
      throw failure;
    }
    if (len == 0) {
      return 0;
    }
    while (pos == limit) {
      if (finished) {
        return -1;
      }
      // With room for a whole chunk, open it straight into the caller's buffer (one copy fewer);
      // a chunk that does not verify leaves zeros there, never unverified plaintext.
      boolean direct = header != null && len >= chunkSize;
      try {
        int opened = fill(direct ? b : plain, direct ? off : 0, direct ? len : 0);
        if (direct && opened > 0) {
          return opened;
        }
      } catch (AttachmentIntegrityException e) {
        failure = e;
        pos = limit = 0;
        if (plain != null) {
          Arrays.fill(plain, (byte) 0);
        }
        throw e;
      }
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(plain, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return limit - pos;
  }

  /**
   * Opens the next chunk into {@code out} at {@code outOff} and returns its plaintext length; when
   * {@code out} is the internal buffer, {@code read} then hands it out from there. On any failure
   * the first {@code wipe} bytes at {@code outOff} (what the chunk could have written) are zeroed.
   */
  private int fill(byte[] out, int outOff, int wipe) throws IOException {
    if (header == null) {
      readHeader();
      out = plain; // the chunk size was unknown when the caller chose the buffer
      outOff = 0;
    }
    try {
      return fillInto(out, outOff);
    } catch (IOException | RuntimeException e) {
      if (out != plain) {
        Arrays.fill(out, outOff, outOff + Math.min(wipe, chunkSize), (byte) 0);
      }
      throw e;
    }
  }

  private int fillInto(byte[] out, int outOff) throws IOException {
    int full = chunkSize + AttachmentFormat.TAG_LENGTH;
    int n = 0;
    if (carry >= 0) {
      sealed[n++] = (byte) carry;
      carry = -1;
    }
    n += source.readNBytes(sealed, n, full - n);
    if (n < AttachmentFormat.TAG_LENGTH) {
      throw new AttachmentIntegrityException(Reason.TRUNCATED, index,
          "attachment ends before its final chunk (chunk " + index + ")");
    }
    boolean last = n < full || (carry = source.read()) < 0;
    if (index >= AttachmentFormat.MAX_CHUNKS) {
      throw new AttachmentIntegrityException(Reason.TOO_LONG, index, "attachment has too many chunks");
    }
    int opened = open(n, last, out, outOff);
    if (opened < 0) {
      // Tell the caller what happened: the chunk verifies with the other final flag when the
      // stream was cut at a chunk boundary (last) or continues after the true final chunk (!last).
      if (open(n, !last, out, outOff) >= 0) {
        throw last
            ? new AttachmentIntegrityException(Reason.TRUNCATED, index,
                "attachment ends before its final chunk (chunk " + index + ")")
            : new AttachmentIntegrityException(Reason.EXTENDED, index,
                "bytes follow the final chunk (chunk " + index + ")");
      }
      throw new AttachmentIntegrityException(Reason.TAMPERED, index,
          "chunk " + index + " does not verify (altered, reordered, foreign or wrong key)");
    }
    sha.update(sealed, 0, n);
    if (last) {
      byte[] d = sha.digest();
      if (expectedDigest != null && !MessageDigest.isEqual(d, expectedDigest)) {
        throw new AttachmentIntegrityException(Reason.DIGEST_MISMATCH, index,
            "ciphertext SHA-256 differs from the digest in the message");
      }
      finished = true;
    }
    index++;
    plaintextLength += opened;
    pos = 0;
    limit = out == plain ? opened : 0;
    return opened;
  }

  /** Plaintext length, or -1 if the tag does not verify under that final flag. */
  private int open(int n, boolean last, byte[] out, int outOff) throws IOException {
    try {
      cipher.init(Cipher.DECRYPT_MODE, chunkKey, AttachmentFormat.nonce(index));
      cipher.updateAAD(AttachmentFormat.associatedData(header, index, last));
      return cipher.doFinal(sealed, 0, n, out, outOff);
    } catch (AEADBadTagException e) {
      return -1;
    } catch (GeneralSecurityException e) {
      throw new IOException("AES-GCM open failed", e);
    }
  }

  private void readHeader() throws IOException {
    byte[] h = source.readNBytes(AttachmentFormat.HEADER_LENGTH);
    if (h.length < AttachmentFormat.HEADER_LENGTH) {
      throw new AttachmentIntegrityException(h.length == 0 ? Reason.TRUNCATED : Reason.BAD_HEADER, -1,
          "attachment header incomplete (" + h.length + " bytes)");
    }
    int size = AttachmentFormat.parseChunkSize(h);
    if (size < 0) {
      throw new AttachmentIntegrityException(Reason.BAD_HEADER, -1,
          "not a CipherTalk attachment of version " + AttachmentFormat.VERSION + " with a valid chunk size");
    }
    header = h;
    chunkSize = size;
    chunkKey = AttachmentFormat.chunkKey(key, h);
    sealed = new byte[size + AttachmentFormat.TAG_LENGTH];
    plain = new byte[size + AttachmentFormat.TAG_LENGTH];
    sha.update(h);
  }

  /** Whether the final chunk verified (then {@code read} returns -1 once its bytes are read). */
  public boolean isFinished() {
    return finished;
  }

  /** Verified plaintext bytes decrypted so far. */
  public long plaintextLength() {
    return plaintextLength;
  }

  @Override
  public void close() throws IOException {
    if (plain != null) {
      Arrays.fill(plain, (byte) 0);
    }
    source.close();
  }
}
