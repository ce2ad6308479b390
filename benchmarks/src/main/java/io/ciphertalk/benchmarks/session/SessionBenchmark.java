package io.ciphertalk.benchmarks.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.DecryptedMessage;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.InMemoryIdentityTrust;
import io.ciphertalk.crypto.session.InMemoryPreKeySource;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.MessageId;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Double Ratchet per-message cost for a 256-byte message: within one sending chain, and across a
 * DH ratchet step (each message answers the peer's, so every decryption turns the ratchet).
 * Decrypt-only figures decrypt batches of {@value #BATCH} messages prepared outside the timing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SessionBenchmark {
  static final int BATCH = 1000;

  private final RandomSource random = RandomSource.secure();
  private final byte[] plaintext = new byte[256];
  private MessageId id;
  private Session alice;
  private Session bob;

  @Setup(Level.Trial)
  public void setup() throws CryptoException {
    random.nextBytes(plaintext);
    id = MessageId.random(random);
    Session[] pair = establish(random);
    alice = pair[0];
    bob = pair[1];
  }

  /** An established X3DH session pair in which both sides have sent and received. */
  static Session[] establish(RandomSource random) throws CryptoException {
    IdentityKeyPair a = IdentityKeyPair.generate(random);
    IdentityKeyPair b = IdentityKeyPair.generate(random);
    SignedPreKey spk = SignedPreKey.generate(b, 1, random);
    OneTimePreKey opk = OneTimePreKey.generate(2, random);
    PreKeyBundle bundle = PreKeyBundle.builder().address(DeviceAddress.of("bob", 1))
        .identityKey(b.publicKey()).signedPreKey(spk).oneTimePreKey(opk).build();
    Session alice = Session.initiate().identity(a).localAddress(DeviceAddress.of("alice", 1))
        .bundle(bundle).trust(new InMemoryIdentityTrust())
        .random(random).build();
    EncryptedMessage first = alice.encrypt(new byte[1], MessageId.random(random), 0);
    Session bob = Session.respond().identity(b).preKeys(new InMemoryPreKeySource().add(spk).add(opk))
        .trust(new InMemoryIdentityTrust()).remoteAddress(DeviceAddress.of("alice", 1))
        .localAddress(bundle.address())
        .random(random).accept((InitialMessage) first).session();
    alice.decrypt(bob.encrypt(new byte[1], MessageId.random(random), 0));
    return new Session[] {alice, bob};
  }

  /** Encrypt one 256-byte message in the current sending chain. */
  @Benchmark
  public EncryptedMessage encryptInChain() throws CryptoException {
    return alice.encrypt(plaintext, id, 0);
  }

  /** Encrypt and decrypt one 256-byte message, same direction every time (no DH ratchet). */
  @Benchmark
  public DecryptedMessage encryptDecryptInChain() throws CryptoException {
    return bob.decrypt(alice.encrypt(plaintext, id, 0));
  }

  /**
   * Its own session pair plus a batch of in-chain messages prepared before each invocation (not
   * timed). A helper state cannot share the benchmark instance's sessions: JMH injects a separate
   * instance of the benchmark class into helper-state fixtures.
   */
  @State(Scope.Thread)
  public static class InChainBatch {
    final EncryptedMessage[] messages = new EncryptedMessage[BATCH];
    final byte[] plaintext = new byte[256];
    MessageId id;
    Session alice;
    Session bob;

    @Setup(Level.Trial)
    public void establish() throws CryptoException {
      RandomSource random = RandomSource.secure();
      random.nextBytes(plaintext);
      id = MessageId.random(random);
      Session[] pair = SessionBenchmark.establish(random);
      alice = pair[0];
      bob = pair[1];
    }

    @Setup(Level.Invocation)
    public void fill() throws CryptoException {
      for (int i = 0; i < BATCH; i++) {
        messages[i] = alice.encrypt(plaintext, id, 0);
      }
    }
  }

  /** Decrypt one 256-byte message in the current receiving chain. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int decryptInChain(InChainBatch in) throws CryptoException {
    int n = 0;
    for (EncryptedMessage m : in.messages) {
      n += in.bob.decrypt(m).plaintext().length;
    }
    return n;
  }

  /**
   * One message each way; each decryption sees a new ratchet key, so every message costs a DH
   * ratchet step (two X25519 agreements, a key generation and two root-KDF steps). Reported per
   * message.
   */
  @Benchmark
  @OperationsPerInvocation(2)
  public DecryptedMessage encryptDecryptAcrossRatchet() throws CryptoException {
    bob.decrypt(alice.encrypt(plaintext, id, 0));
    return alice.decrypt(bob.encrypt(plaintext, id, 0));
  }
}
