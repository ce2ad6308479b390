package io.ciphertalk.benchmarks.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKey;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * X3DH against PQXDH in the same run (so machine load hits all alike and the ratios mean
 * something on a busy machine), PQXDH both with a one-time ML-KEM-768 prekey (what a responder
 * with prekeys left serves, deleted after use) and with the signed last-resort one. One operation
 * is a full handshake as in {@link HandshakeBenchmark}: the initiator builds a session from the
 * bundle (with a one-time X25519 prekey) and encrypts 256 bytes, the responder accepts it. Its
 * prekey source deletes the one-time prekeys it used from its sets, as a store does, and they are
 * put back before each operation (two set insertions, in every variant); the key objects are
 * kept (a real store wipes them), so no key generation is timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PqxdhVsX3dhBenchmark {
  private final RandomSource random = RandomSource.secure();
  private final byte[] plaintext = new byte[256];
  private final DeviceAddress aliceAddress = DeviceAddress.of("alice", 1);
  private IdentityKeyPair alice;
  private IdentityKeyPair bob;
  private OneTimePreKey opk;
  private KemPreKey oneTimeKem;
  private final java.util.Set<Integer> oneTimeLeft = new java.util.HashSet<>();
  private PreKeySource preKeys;
  private PreKeyBundle withOneTimeKem;
  private PreKeyBundle withLastResortKem;
  private final IdentityTrust trustAll = new IdentityTrust() {
    @Override
    public boolean isTrusted(DeviceAddress address, IdentityKey k) {
      return true;
    }

    @Override
    public void trust(DeviceAddress address, IdentityKey k) {}
  };

  @Setup
  public void setup() throws CryptoException {
    alice = IdentityKeyPair.generate(random);
    bob = IdentityKeyPair.generate(random);
    SignedPreKey spk = SignedPreKey.generate(bob, 1, random);
    opk = OneTimePreKey.generate(2, random);
    KemPreKey lastResort = KemPreKey.generate(bob, 3, random);
    oneTimeKem = KemPreKey.generate(bob, 4, random);
    preKeys = new PreKeySource() {
      @Override
      public Optional<SignedPreKey> signedPreKey(int id) {
        return id == spk.id() ? Optional.of(spk) : Optional.empty();
      }

      @Override
      public Optional<OneTimePreKey> oneTimePreKey(int id) {
        return id == opk.id() && oneTimeLeft.contains(-id) ? Optional.of(opk) : Optional.empty();
      }

      @Override
      public boolean consumeOneTimePreKey(int id) {
        return oneTimeLeft.remove(-id);
      }

      @Override
      public Optional<KemPreKey> kemPreKey(int id) {
        if (id == lastResort.id()) {
          return Optional.of(lastResort);
        }
        return id == oneTimeKem.id() && oneTimeLeft.contains(id) ? Optional.of(oneTimeKem)
            : Optional.empty();
      }

      @Override
      public boolean consumeKemPreKey(int id) {
        return id == lastResort.id() || oneTimeLeft.remove(id); // the last-resort key stays
      }

      @Override
      public Optional<RsaPreKey> rsaPreKey(int id) {
        return Optional.empty();
      }
    };
    PreKeyBundle.Builder b = PreKeyBundle.builder().address(DeviceAddress.of("bob", 1))
        .identityKey(bob.publicKey()).signedPreKey(spk).oneTimePreKey(opk);
    withLastResortKem = b.kemPreKey(lastResort).build();
    withOneTimeKem = PreKeyBundle.builder().address(DeviceAddress.of("bob", 1))
        .identityKey(bob.publicKey()).signedPreKey(spk).oneTimePreKey(opk).kemPreKey(oneTimeKem)
        .build();
  }

  private Session handshake(PreKeyBundle bundle, HandshakeSuite suite) throws CryptoException {
    oneTimeLeft.add(-opk.id()); // both used up by the previous operation
    oneTimeLeft.add(oneTimeKem.id());
    Session a = Session.initiate().identity(alice).localAddress(aliceAddress).bundle(bundle)
        .suite(suite).trust(trustAll).random(random).build();
    EncryptedMessage first = a.encrypt(plaintext, MessageId.random(random), 0);
    return Session.respond().identity(bob).preKeys(preKeys).trust(trustAll)
        .remoteAddress(aliceAddress).localAddress(bundle.address()).random(random)
        .accept((InitialMessage) first).session();
  }

  @Benchmark
  public Session x3dh() throws CryptoException {
    return handshake(withOneTimeKem, HandshakeSuite.X3DH);
  }

  @Benchmark
  public Session pqxdhOneTimeKem() throws CryptoException {
    return handshake(withOneTimeKem, HandshakeSuite.PQXDH);
  }

  @Benchmark
  public Session pqxdhLastResortKem() throws CryptoException {
    return handshake(withLastResortKem, HandshakeSuite.PQXDH);
  }
}
