package io.ciphertalk.crypto.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.attachment.AttachmentIntegrityException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Round trips of the attachment format, and an attacker who edits the ciphertext in every way. */
class AttachmentCipherTest {
  private static final int CHUNK = 64;
  private final RandomSource random = RandomSource.deterministicForTesting(new byte[] {19});
  private final SecretBytes key = AttachmentCipher.newKey(random);

  private byte[] plaintext(int n) {
    return random.bytes(n);
  }

  private byte[] encrypt(byte[] pt, SecretBytes k) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AttachmentCipher.encrypt(new ByteArrayInputStream(pt), out, k, CHUNK, random);
    return out.toByteArray();
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  /** What a reader received before the stream ended or failed, and how it ended. */
  private record Outcome(byte[] released, AttachmentIntegrityException error, boolean sawEnd) {}

  /**
   * Reads with a small buffer (chunks are handed out from the stream's own buffer) and with one
   * larger than a chunk (chunks are opened straight into the caller's buffer): both ways must
   * release the same bytes and fail the same way.
   */
  private Outcome read(byte[] ct, SecretBytes k, byte[] digest) throws IOException {
    Outcome small = read(ct, k, digest, 7);
    Outcome large = read(ct, k, digest, 3 * CHUNK + 1);
    assertThat(large.released()).isEqualTo(small.released());
    assertThat(large.sawEnd()).isEqualTo(small.sawEnd());
    assertThat(large.error() == null ? null : large.error().reason())
        .isEqualTo(small.error() == null ? null : small.error().reason());
    return small;
  }

  private Outcome read(byte[] ct, SecretBytes k, byte[] digest, int bufferSize) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (InputStream in = AttachmentCipher.decrypting(new ByteArrayInputStream(ct), k, digest)) {
      byte[] buf = new byte[bufferSize];
      for (int n; (n = in.read(buf)) >= 0; ) {
        got.write(buf, 0, n);
      }
      return new Outcome(got.toByteArray(), null, true);
    } catch (AttachmentIntegrityException e) {
      return new Outcome(got.toByteArray(), e, false);
    }
  }

  @Test
  void roundTrips_atEveryLengthAroundTheChunkBoundaries() throws Exception {
    for (int n : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5, 10_000}) {
      byte[] pt = plaintext(n);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AttachmentCipher.Result r = AttachmentCipher.encrypt(new ByteArrayInputStream(pt), out, key, CHUNK, random);
      byte[] ct = out.toByteArray();
      assertThat(ct.length).as("length of %d", n).isEqualTo(AttachmentCipher.ciphertextLength(n, CHUNK));
      assertThat(r.ciphertextLength()).isEqualTo(ct.length);
      assertThat(r.plaintextLength()).isEqualTo(n);
      assertThat(r.digest()).isEqualTo(sha256(ct));
      Outcome o = read(ct, key, r.digest());
      assertThat(o.error()).as("error at %d", n).isNull();
      assertThat(o.released()).isEqualTo(pt);
    }
  }

  @Test
  void encryptingStream_readOneByteAtATime_matchesBulkLengthAndDigest() throws Exception {
    byte[] pt = plaintext(5 * CHUNK);
    EncryptingInputStream in = AttachmentCipher.encrypting(new ByteArrayInputStream(pt), key, CHUNK, random);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      out.write(b);
    }
    assertThat(in.isFinished()).isTrue();
    assertThat(in.digest()).isEqualTo(sha256(out.toByteArray()));
    assertThat(read(out.toByteArray(), key, in.digest()).released()).isEqualTo(pt);
  }

  @Test
  void sameKeyTwice_givesDifferentFileIdsAndCiphertexts() throws Exception {
    byte[] pt = plaintext(100);
    assertThat(encrypt(pt, key)).isNotEqualTo(encrypt(pt, key));
  }

  @Test
  void decrypt_withEveryBitFlipped_isRejected_andNeverEnds() throws Exception {
    byte[] pt = plaintext(2 * CHUNK + 10);
    byte[] ct = encrypt(pt, key);
    for (int bit = 0; bit < ct.length * 8; bit++) {
      byte[] bad = ct.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      Outcome o = read(bad, key, null);
      assertThat(o.sawEnd()).as("bit %d", bit).isFalse();
      assertThat(o.error()).isNotNull();
      // What was released before the failure is a prefix of whole verified chunks of the plaintext.
      assertThat(o.released().length % CHUNK).isZero();
      assertThat(o.released()).isEqualTo(Arrays.copyOf(pt, o.released().length));
    }
  }

  @Test
  void decrypt_truncatedAtEveryLength_isRejected() throws Exception {
    byte[] ct = encrypt(plaintext(3 * CHUNK), key);
    for (int len = 0; len < ct.length; len++) {
      Outcome o = read(Arrays.copyOf(ct, len), key, null);
      assertThat(o.sawEnd()).as("cut at %d", len).isFalse();
      assertThat(o.error().reason()).isIn(Reason.TRUNCATED, Reason.TAMPERED, Reason.BAD_HEADER);
    }
  }

  @Test
  void decrypt_cutAtAChunkBoundary_isReportedAsTruncated() throws Exception {
    byte[] pt = plaintext(3 * CHUNK);
    byte[] ct = encrypt(pt, key);
    int twoChunks = AttachmentCipher.HEADER_LENGTH + 2 * (CHUNK + AttachmentCipher.TAG_LENGTH);
    Outcome o = read(Arrays.copyOf(ct, twoChunks), key, null);
    assertThat(o.error().reason()).isEqualTo(Reason.TRUNCATED);
    assertThat(o.error().chunkIndex()).isEqualTo(1);
    assertThat(o.released()).isEqualTo(Arrays.copyOf(pt, CHUNK));
  }

  @Test
  void decrypt_withChunksReordered_isRejected() throws Exception {
    byte[] ct = encrypt(plaintext(3 * CHUNK), key);
    int h = AttachmentCipher.HEADER_LENGTH;
    int c = CHUNK + AttachmentCipher.TAG_LENGTH;
    byte[] swapped = ct.clone();
    System.arraycopy(ct, h, swapped, h + c, c);
    System.arraycopy(ct, h + c, swapped, h, c);
    Outcome o = read(swapped, key, null);
    assertThat(o.error().reason()).isEqualTo(Reason.TAMPERED);
    assertThat(o.error().chunkIndex()).isZero();
    assertThat(o.released()).isEmpty();
  }

  @Test
  void decrypt_withAChunkFromAnotherFileUnderTheSameKey_isRejected() throws Exception {
    byte[] a = encrypt(plaintext(3 * CHUNK), key);
    byte[] b = encrypt(plaintext(3 * CHUNK), key);
    int h = AttachmentCipher.HEADER_LENGTH;
    int c = CHUNK + AttachmentCipher.TAG_LENGTH;
    byte[] mixed = a.clone();
    System.arraycopy(b, h + c, mixed, h + c, c);
    Outcome o = read(mixed, key, null);
    assertThat(o.error().reason()).isEqualTo(Reason.TAMPERED);
    assertThat(o.error().chunkIndex()).isEqualTo(1);
    // And b's header on a's chunks (swapping the file id) fails at once.
    byte[] rehead = a.clone();
    System.arraycopy(b, 0, rehead, 0, h);
    assertThat(read(rehead, key, null).error().reason()).isEqualTo(Reason.TAMPERED);
  }

  @Test
  void decrypt_withBytesAppended_isRejected_afterAFullOrAShortFinalChunk() throws Exception {
    byte[] full = encrypt(plaintext(2 * CHUNK), key);
    Outcome o = read(concat(full, new byte[] {0}), key, null);
    assertThat(o.error().reason()).isEqualTo(Reason.EXTENDED);
    assertThat(o.sawEnd()).isFalse();
    byte[] tail = Arrays.copyOfRange(full, AttachmentCipher.HEADER_LENGTH, AttachmentCipher.HEADER_LENGTH + 20);
    assertThat(read(concat(full, tail), key, null).error().reason()).isEqualTo(Reason.EXTENDED);
    byte[] shortFinal = encrypt(plaintext(CHUNK + 3), key);
    Outcome s = read(concat(shortFinal, new byte[] {1, 2, 3}), key, null);
    assertThat(s.sawEnd()).isFalse();
    assertThat(s.error().reason()).isIn(Reason.TAMPERED, Reason.EXTENDED);
  }

  @Test
  void decrypt_withWrongKey_isRejectedAtTheFirstChunk() throws Exception {
    byte[] ct = encrypt(plaintext(100), key);
    Outcome o = read(ct, AttachmentCipher.newKey(random), null);
    assertThat(o.error().reason()).isEqualTo(Reason.TAMPERED);
    assertThat(o.error().chunkIndex()).isZero();
    assertThat(o.released()).isEmpty();
  }

  @Test
  void decrypt_withWrongDigest_withholdsTheFinalChunk() throws Exception {
    byte[] pt = plaintext(2 * CHUNK + 1);
    byte[] ct = encrypt(pt, key);
    byte[] digest = sha256(ct);
    digest[0] ^= 1;
    Outcome o = read(ct, key, digest);
    assertThat(o.error().reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(o.released()).isEqualTo(Arrays.copyOf(pt, 2 * CHUNK));
  }

  @Test
  void chunkThatDoesNotVerify_leavesZerosInTheCallersBuffer_neverUnverifiedPlaintext() throws Exception {
    byte[] pt = new byte[3 * CHUNK];
    Arrays.fill(pt, (byte) 0x5a);
    byte[] ct = encrypt(pt, key);
    byte[] digest = sha256(ct);
    // Second chunk tampered; then, separately, a wrong digest (the final chunk is then withheld).
    byte[] flipped = ct.clone();
    flipped[AttachmentCipher.HEADER_LENGTH + CHUNK + 16 + 3] ^= 1;
    for (byte[][] c : new byte[][][] {{flipped, digest}, {ct, new byte[32]}}) {
      InputStream in = AttachmentCipher.decrypting(new ByteArrayInputStream(c[0]), key, c[1]);
      byte[] buf = new byte[CHUNK];
      int got = 0;
      try {
        while (true) {
          Arrays.fill(buf, (byte) 0x11);
          int n = in.read(buf, 0, buf.length);
          assertThat(n).isPositive();
          got += n;
        }
      } catch (AttachmentIntegrityException e) {
        assertThat(got).isLessThan(pt.length);
        for (int i = 0; i < buf.length; i++) {
          assertThat(buf[i]).as("byte %d of the caller's buffer", i).isNotEqualTo((byte) 0x5a);
        }
      }
    }
  }

  @Test
  void encryptingStream_readWithBuffersOfEverySize_givesTheSameCiphertext() throws Exception {
    byte[] pt = plaintext(7 * CHUNK + 3);
    byte[] fileId = random.bytes(16);
    RandomSource sameId = out -> System.arraycopy(fileId, 0, out, 0, out.length);
    byte[] expected = null;
    for (int size : new int[] {1, 7, CHUNK, CHUNK + 15, CHUNK + 16, 3 * CHUNK, 100 * CHUNK}) {
      EncryptingInputStream in = AttachmentCipher.encrypting(new ByteArrayInputStream(pt), key, CHUNK, sameId);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[size + 2];
      for (int n; (n = in.read(buf, 1, size)) >= 0; ) {
        out.write(buf, 1, n);
      }
      assertThat(in.digest()).isEqualTo(sha256(out.toByteArray()));
      if (expected == null) {
        expected = out.toByteArray();
      }
      assertThat(out.toByteArray()).as("buffer of %d", size).isEqualTo(expected);
    }
    assertThat(read(expected, key, sha256(expected)).released()).isEqualTo(pt);
  }

  @Test
  void afterAFailure_everyLaterReadFailsToo() throws Exception {
    byte[] ct = encrypt(plaintext(100), key);
    ct[ct.length - 1] ^= 1;
    InputStream in = AttachmentCipher.decrypting(new ByteArrayInputStream(ct), key, null);
    assertThatThrownBy(() -> in.readAllBytes()).isInstanceOf(AttachmentIntegrityException.class);
    assertThatThrownBy(in::read).isInstanceOf(AttachmentIntegrityException.class);
  }

  @Test
  void headers_withAnotherVersion_orAnOutOfRangeChunkSize_areRefused() throws Exception {
    byte[] ct = encrypt(plaintext(10), key);
    byte[] v2 = ct.clone();
    v2[3] = 2;
    assertThat(read(v2, key, null).error().reason()).isEqualTo(Reason.BAD_HEADER);
    byte[] huge = ct.clone();
    huge[4] = 0x7f;
    assertThat(read(huge, key, null).error().reason()).isEqualTo(Reason.BAD_HEADER);
    assertThat(read(Arrays.copyOf(ct, 10), key, null).error().reason()).isEqualTo(Reason.BAD_HEADER);
  }

  @Test
  void misuse_isRefusedWithANamedArgument() {
    assertThatThrownBy(() -> AttachmentCipher.encrypting(InputStream.nullInputStream(), key, 8, random))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunkSize");
    assertThatThrownBy(() -> AttachmentCipher.decrypting(InputStream.nullInputStream(),
        SecretBytes.copyOf(new byte[16]), null)).hasMessageContaining("key");
    assertThatThrownBy(() -> AttachmentCipher.decrypting(InputStream.nullInputStream(), key, new byte[3]))
        .hasMessageContaining("expectedDigest");
  }

  @Test
  void largeStream_roundTripsThroughChainedStreams() throws Exception {
    long size = 64L * 1024 * 1024 + 7;
    SecretBytes k = AttachmentCipher.newKey(random);
    EncryptingInputStream enc = AttachmentCipher.encrypting(new PatternStream(size), k,
        AttachmentCipher.DEFAULT_CHUNK_SIZE, random);
    DecryptingInputStream dec = AttachmentCipher.decrypting(enc, k, null);
    PatternStream expected = new PatternStream(size);
    byte[] buf = new byte[8192];
    byte[] want = new byte[8192];
    long total = 0;
    for (int n; (n = dec.read(buf)) >= 0; ) {
      expected.readNBytes(want, 0, n);
      assertThat(Arrays.equals(buf, 0, n, want, 0, n)).isTrue();
      total += n;
    }
    assertThat(total).isEqualTo(size);
    assertThat(enc.ciphertextLength()).isEqualTo(AttachmentCipher.ciphertextLength(size, AttachmentCipher.DEFAULT_CHUNK_SIZE));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A deterministic stream of {@code size} bytes generated on the fly. */
  static final class PatternStream extends InputStream {
    private final long size;
    private long pos;

    PatternStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return pos < size ? (int) ((pos++ * 31) >>> 3) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - pos);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) (((pos++) * 31) >>> 3);
      }
      return n;
    }
  }
}
