package io.ciphertalk.benchmarks.crypto;

import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.RandomSource;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
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
 * Ed25519 sign and verify of a 64-byte message (short, like a signed prekey; at this size the
 * message hashing is a small part of the cost): CipherTalk's (BouncyCastle lightweight) against the
 * JDK's own EdDSA. {@code verifyFromBytes} includes parsing and validating the public
 * key, as a first contact with a peer does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Ed25519Benchmark {
  private Ed25519.PrivateKey key;
  private Ed25519.PublicKey publicKey;
  private byte[] publicKeyBytes;
  private byte[] message;
  private byte[] signature;
  private Signature jdkSigner;
  private Signature jdkVerifier;
  private byte[] jdkSignature;

  @Setup
  public void setup() throws GeneralSecurityException {
    RandomSource random = RandomSource.deterministicForTesting(new byte[] {3});
    key = Ed25519.generate(random);
    publicKeyBytes = key.publicKey().toByteArray();
    publicKey = Ed25519.PublicKey.of(publicKeyBytes);
    message = random.bytes(64);
    signature = key.sign(message);
    publicKey.verify(signature, message);

    KeyPair jdk = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    jdkSigner = Signature.getInstance("Ed25519");
    jdkSigner.initSign(jdk.getPrivate());
    jdkVerifier = Signature.getInstance("Ed25519");
    jdkVerifier.initVerify(jdk.getPublic());
    jdkSigner.update(message);
    jdkSignature = jdkSigner.sign();
  }

  @Benchmark
  public byte[] sign() {
    return key.sign(message);
  }

  @Benchmark
  public void verify() throws InvalidSignatureException {
    publicKey.verify(signature, message);
  }

  @Benchmark
  public void verifyFromBytes() throws InvalidSignatureException, InvalidKeyMaterialException {
    Ed25519.PublicKey.of(publicKeyBytes).verify(signature, message);
  }

  @Benchmark
  public byte[] jdkSign() throws GeneralSecurityException {
    jdkSigner.update(message);
    return jdkSigner.sign();
  }

  @Benchmark
  public boolean jdkVerify() throws GeneralSecurityException {
    jdkVerifier.update(message);
    if (!jdkVerifier.verify(jdkSignature)) {
      throw new IllegalStateException("JDK Ed25519 signature did not verify");
    }
    return true;
  }
}
