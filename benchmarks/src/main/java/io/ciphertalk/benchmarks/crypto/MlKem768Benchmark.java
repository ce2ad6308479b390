package io.ciphertalk.benchmarks.crypto;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.Kem;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
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

/** ML-KEM-768 key generation, encapsulation (with OS randomness) and decapsulation. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MlKem768Benchmark {
  private MlKem768.PrivateKey key;
  private MlKem768.PublicKey publicKey;
  private byte[] ciphertext;

  @Setup
  public void setup() throws InvalidKeyMaterialException {
    key = MlKem768.generate(RandomSource.deterministicForTesting(new byte[] {4}));
    publicKey = MlKem768.PublicKey.of(key.publicKey().toByteArray());
    ciphertext = MlKem768.instance().encapsulate(publicKey, RandomSource.secure()).ciphertext();
  }

  @Benchmark
  public Kem.Encapsulation encapsulate() {
    return MlKem768.instance().encapsulate(publicKey, RandomSource.secure());
  }

  @Benchmark
  public SecretBytes decapsulate() throws InvalidKeyMaterialException {
    return key.decapsulate(ciphertext);
  }

  @Benchmark
  public MlKem768.PrivateKey generate() {
    return MlKem768.generate(RandomSource.secure());
  }
}
