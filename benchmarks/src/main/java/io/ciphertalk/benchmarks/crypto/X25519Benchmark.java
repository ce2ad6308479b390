package io.ciphertalk.benchmarks.crypto;

import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.X25519;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
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
 * X25519 agreement: CipherTalk's (BouncyCastle lightweight) against the JDK's own XDH, with the
 * same work per call (one scalar multiplication, result copied out).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class X25519Benchmark {
  private X25519.PrivateKey alice;
  private X25519.PublicKey bob;
  private KeyPair jdkAlice;
  private KeyPair jdkBob;
  private KeyAgreement jdkAgreement;

  @Setup
  public void setup() throws GeneralSecurityException {
    RandomSource random = RandomSource.deterministicForTesting(new byte[] {2});
    alice = X25519.generate(random);
    bob = X25519.generate(random).publicKey();
    KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
    jdkAlice = g.generateKeyPair();
    jdkBob = g.generateKeyPair();
    jdkAgreement = KeyAgreement.getInstance("X25519");
  }

  @Benchmark
  public SecretBytes agree() throws InvalidKeyMaterialException {
    return alice.agree(bob);
  }

  @Benchmark
  public X25519.PrivateKey generate() {
    return X25519.generate(RandomSource.secure());
  }

  @Benchmark
  public byte[] jdkAgree() throws GeneralSecurityException {
    jdkAgreement.init(jdkAlice.getPrivate());
    jdkAgreement.doPhase(jdkBob.getPublic(), true);
    return jdkAgreement.generateSecret();
  }
}
