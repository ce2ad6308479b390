package io.ciphertalk.benchmarks.crypto;

import io.ciphertalk.crypto.HkdfSha256;
import io.ciphertalk.crypto.RandomSource;
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

/**
 * HKDF-SHA256 derivations of the sizes the protocols use: 32 bytes (a chain or message key) and
 * 64 bytes (root key plus chain key, as in the Double Ratchet's KDF_RK).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HkdfBenchmark {
  @Param({"32", "64"})
  int length;

  private byte[] ikm;
  private byte[] salt;
  private byte[] info;

  @Setup
  public void setup() {
    RandomSource random = RandomSource.deterministicForTesting(new byte[] {5});
    ikm = random.bytes(32);
    salt = random.bytes(32);
    info = "CipherTalk benchmark".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Benchmark
  public byte[] derive() {
    return HkdfSha256.instance().derive(ikm, salt, info, length);
  }
}
