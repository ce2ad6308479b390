package io.ciphertalk.benchmarks.crypto;

import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** AES-256-GCM seal and open throughput at message sizes that matter to chat. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AesGcmBenchmark {
  @Param({"1024", "65536"})
  int size;

  private AesGcm aead;
  private byte[] plaintext;
  private byte[] aad;
  private byte[] sealed;
  private final byte[] sealedNonce = new byte[12];
  private long counter;

  @Setup
  public void setup() throws CryptoException {
    RandomSource random = RandomSource.deterministicForTesting(new byte[] {1});
    aead = AesGcm.create(SecretBytes.random(32, random));
    plaintext = random.bytes(size);
    aad = random.bytes(32);
    sealed = aead.seal(sealedNonce, plaintext, aad);
  }

  @Benchmark
  public byte[] seal() throws CryptoException {
    // A fresh nonce per call, as real use requires (SunJCE refuses nonce reuse).
    byte[] nonce = ByteBuffer.allocate(12).putLong(4, ++counter).array();
    return aead.seal(nonce, plaintext, aad);
  }

  @Benchmark
  public byte[] open() throws CryptoException {
    return aead.open(sealedNonce, sealed, aad);
  }
}
