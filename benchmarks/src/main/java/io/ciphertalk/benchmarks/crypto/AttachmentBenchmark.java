package io.ciphertalk.benchmarks.crypto;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.attachment.AttachmentCipher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The attachment format's streaming encrypt and decrypt (AES-256-GCM per 64 KiB chunk, SHA-256 of
 * the ciphertext) of a 16 MiB file held in memory, so the figure is the cryptography alone (no disk,
 * no network). One operation = one file; MB/s = 16.78 x ops/s. benchmarks/attachments-vs-openssl.sh
 * compares it with {@code openssl speed -evp aes-256-gcm -bytes 65536} in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AttachmentBenchmark {
  static final int SIZE = 16 * 1024 * 1024;
  private final RandomSource random = RandomSource.deterministicForTesting(new byte[] {19});
  private SecretBytes key;
  private byte[] plaintext;
  private byte[] ciphertext;
  private byte[] digest;
  private final OutputStream sink = OutputStream.nullOutputStream();

  @Setup
  public void setup() throws IOException {
    key = AttachmentCipher.newKey(random);
    plaintext = random.bytes(SIZE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    digest = AttachmentCipher.encrypt(new ByteArrayInputStream(plaintext), out, key,
        AttachmentCipher.DEFAULT_CHUNK_SIZE, random).digest();
    ciphertext = out.toByteArray();
  }

  @Benchmark
  public long encrypt() throws IOException {
    return AttachmentCipher.encrypt(new ByteArrayInputStream(plaintext), sink, key,
        AttachmentCipher.DEFAULT_CHUNK_SIZE, random).ciphertextLength();
  }

  @Benchmark
  public long decrypt() throws IOException {
    return AttachmentCipher.decrypt(new ByteArrayInputStream(ciphertext), sink, key, digest);
  }
}
