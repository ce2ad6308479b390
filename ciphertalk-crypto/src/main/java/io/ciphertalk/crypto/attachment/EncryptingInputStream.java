package io.ciphertalk.crypto.attachment;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads a plaintext stream and yields the attachment ciphertext (header, then one sealed chunk per
 * {@code chunkSize} plaintext bytes), computing its SHA-256 on the way. Holds one plaintext and one
 * ciphertext chunk in memory. Obtain from {@link AttachmentCipher#encrypting}. Not thread-safe.
 * Closing it closes the plaintext stream.
 */
public final class EncryptingInputStream extends InputStream {
  private final InputStream source;
  private final int chunkSize;
  private final byte[] header;
  private final SecretKeySpec chunkKey;
  private final Cipher cipher = AttachmentFormat.newCipher();
  private final java.security.MessageDigest sha = AttachmentFormat.sha256();
  private final byte[] plain;
  private final byte[] sealed;
  private int pos;
  private int limit;
  private long index;
  private long plaintextLength;
  private long ciphertextLength;
  private int carry = -1;
  private boolean finished;
  private byte[] digest;

  EncryptingInputStream(InputStream source, SecretKeySpec chunkKey, byte[] header, int chunkSize) {
    this.source = Objects.requireNonNull(source, "source");
    this.chunkKey = chunkKey;
    this.header = header;
    this.chunkSize = chunkSize;
    this.plain = new byte[chunkSize];
    this.sealed = new byte[Math.max(chunkSize + AttachmentFormat.TAG_LENGTH, header.length)];
    System.arraycopy(header, 0, sealed, 0, header.length);
    sha.update(header);
    limit = header.length;
    ciphertextLength = header.length;
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
    if (len == 0) {
      return 0;
    }
    if (pos == limit) {
      if (finished) {
        return -1;
      }
      if (len >= chunkSize + AttachmentFormat.TAG_LENGTH) {
        // Room for a whole sealed chunk: seal straight into the caller's buffer (one copy fewer).
        return fill(b, off);
      }
      fill(sealed, 0);
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(sealed, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return limit - pos;
  }

  /**
   * Seals the next chunk into {@code out} at {@code outOff} and returns its length; when
   * {@code out} is the internal buffer, {@code read} then hands it out from there.
   */
  private int fill(byte[] out, int outOff) throws IOException {
    int n = 0;
    if (carry >= 0) {
      plain[n++] = (byte) carry;
      carry = -1;
    }
    while (n < chunkSize) {
      int r = source.read(plain, n, chunkSize - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    // A full chunk is final only if the source ends right after it: read one byte ahead to know.
    boolean last = n < chunkSize || (carry = source.read()) < 0;
    if (index >= AttachmentFormat.MAX_CHUNKS) {
      throw new AttachmentIntegrityException(AttachmentIntegrityException.Reason.TOO_LONG, index,
          "attachment longer than " + AttachmentFormat.MAX_CHUNKS + " chunks");
    }
    int length;
    try {
      cipher.init(Cipher.ENCRYPT_MODE, chunkKey, AttachmentFormat.nonce(index));
      cipher.updateAAD(AttachmentFormat.associatedData(header, index, last));
      length = cipher.doFinal(plain, 0, n, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IOException("AES-GCM seal failed", e);
    }
    sha.update(out, outOff, length);
    if (out == sealed) {
      pos = 0;
      limit = length;
    } else {
      pos = limit = 0;
    }
    index++;
    plaintextLength += n;
    ciphertextLength += length;
    if (last) {
      finished = true;
      digest = sha.digest();
      Arrays.fill(plain, (byte) 0);
    }
    return length;
  }

  /** Whether the final chunk has been sealed (the digest and lengths are then known). */
  public boolean isFinished() {
    return finished;
  }

  /** SHA-256 of the whole ciphertext; available once {@link #isFinished()}. */
  public byte[] digest() {
    if (!finished) {
      throw new IllegalStateException("the digest is known once the whole plaintext has been read");
    }
    return digest.clone();
  }

  /** Plaintext bytes consumed so far (the total once finished). */
  public long plaintextLength() {
    return plaintextLength;
  }

  /** Ciphertext bytes produced so far, header included (the total once finished). */
  public long ciphertextLength() {
    return ciphertextLength;
  }

  /** The attachment header (24 bytes). */
  public byte[] header() {
    return header.clone();
  }

  @Override
  public void close() throws IOException {
    Arrays.fill(plain, (byte) 0);
    source.close();
  }
}
