package io.ciphertalk.benchmarks.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.IdentityTrust;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.KemPreKey;
import io.ciphertalk.crypto.session.MessageId;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.PreKeySource;
import io.ciphertalk.crypto.session.RsaPreKey;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import java.util.Optional;
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
 * A full handshake per suite: the initiator builds a session from a verified bundle (with a
 * one-time prekey) and encrypts a 256-byte first message; the responder accepts it (handshake,
 * first DH ratchet step, decryption). Bundle verification is excluded (done once, as a client
 * caches it for the duration of one handshake).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HandshakeBenchmark {
  @Param({"X3DH", "PQXDH", "RSA_OAEP"})
  HandshakeSuite suite;

  private final RandomSource random = RandomSource.secure();
  private final byte[] plaintext = new byte[256];
  private IdentityKeyPair alice;
  private IdentityKeyPair bob;
  private PreKeyBundle bundle;
  private PreKeySource preKeys;
  private final IdentityTrust trustAll =
      new IdentityTrust() {
        @Override
        public boolean isTrusted(DeviceAddress address, io.ciphertalk.crypto.session.IdentityKey k) {
          return true;
        }

        @Override
        public void trust(DeviceAddress address, io.ciphertalk.crypto.session.IdentityKey k) {}
      };

  @Setup
  public void setup() throws CryptoException {
    alice = IdentityKeyPair.generate(random);
    bob = IdentityKeyPair.generate(random);
    SignedPreKey spk = SignedPreKey.generate(bob, 1, random);
    OneTimePreKey opk = OneTimePreKey.generate(2, random);
    KemPreKey kem = KemPreKey.generate(bob, 3, random);
    RsaPreKey rsa = RsaPreKey.generate(bob, 4, random);
    bundle = PreKeyBundle.builder().address(DeviceAddress.of("bob", 1)).identityKey(bob.publicKey())
        .signedPreKey(spk).oneTimePreKey(opk).kemPreKey(kem).rsaPreKey(rsa).build();
    // A source whose one-time prekey is never used up, so every invocation does a 4-DH X3DH.
    preKeys = new PreKeySource() {
      @Override
      public Optional<SignedPreKey> signedPreKey(int id) {
        return Optional.of(spk);
      }

      @Override
      public Optional<OneTimePreKey> oneTimePreKey(int id) {
        return Optional.of(opk);
      }

      @Override
      public boolean consumeOneTimePreKey(int id) {
        return true;
      }

      @Override
      public Optional<KemPreKey> kemPreKey(int id) {
        return Optional.of(kem);
      }

      @Override
      public boolean consumeKemPreKey(int id) {
        return true; // the benchmark's key stands for the last-resort one, kept after use
      }

      @Override
      public Optional<io.ciphertalk.crypto.session.RsaPreKey> rsaPreKey(int id) {
        return Optional.of(rsa);
      }
    };
  }

  @Benchmark
  public Session fullHandshake() throws CryptoException {
    Session a = Session.initiate().identity(alice).localAddress(DeviceAddress.of("alice", 1))
        .bundle(bundle).suite(suite).trust(trustAll)
        .random(random).build();
    EncryptedMessage first = a.encrypt(plaintext, MessageId.random(random), 0);
    return Session.respond().identity(bob).preKeys(preKeys).trust(trustAll)
        .remoteAddress(DeviceAddress.of("alice", 1)).localAddress(bundle.address()).random(random)
        .accept((InitialMessage) first).session();
  }
}
