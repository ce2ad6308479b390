package io.ciphertalk.benchmarks.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.group.GroupSession;
import io.ciphertalk.crypto.group.SenderKeyDistributionMessage;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import io.ciphertalk.crypto.session.InMemoryIdentityTrust;
import io.ciphertalk.crypto.session.InMemoryPreKeySource;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.MessageId;
import io.ciphertalk.crypto.session.OneTimePreKey;
import io.ciphertalk.crypto.session.PreKeyBundle;
import io.ciphertalk.crypto.session.Session;
import io.ciphertalk.crypto.session.SignedPreKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One member's share of an epoch rotation in a room of {@code members} devices: a fresh sender key
 * and its distribution message, then that message encrypted to each of the other devices over an
 * established pairwise X3DH + Double Ratchet session ({@code rotateAndEncryptPairwise}), or only
 * serialized ({@code rotateOnly}). A whole room's rotation is this times the remaining members.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GroupRotationBenchmark {
  @Param({"50"})
  int members;

  private GroupSession self;
  private Set<DeviceAddress> all;
  private final List<Session> pairwise = new ArrayList<>();
  private long epoch = 1;
  private final MessageId id = MessageId.of(new byte[16]);

  @Setup
  public void setup() throws CryptoException {
    RandomSource random = RandomSource.deterministicForTesting("rotation".getBytes(StandardCharsets.UTF_8));
    all = new HashSet<>();
    DeviceAddress me = DeviceAddress.of("member0", 1);
    all.add(me);
    IdentityKeyPair myIdentity = IdentityKeyPair.generate(random);
    InMemoryIdentityTrust myTrust = new InMemoryIdentityTrust();
    for (int i = 1; i < members; i++) {
      DeviceAddress peer = DeviceAddress.of("member" + i, 1);
      all.add(peer);
      IdentityKeyPair peerIdentity = IdentityKeyPair.generate(random);
      SignedPreKey spk = SignedPreKey.generate(peerIdentity, 1, random);
      OneTimePreKey opk = OneTimePreKey.generate(1, random);
      InMemoryPreKeySource peerKeys = new InMemoryPreKeySource().add(spk).add(opk);
      PreKeyBundle bundle = PreKeyBundle.builder().address(peer).identityKey(peerIdentity.publicKey())
          .signedPreKey(spk).oneTimePreKey(opk).build();
      Session mine = Session.initiate().identity(myIdentity).localAddress(me).bundle(bundle)
          .suite(HandshakeSuite.X3DH)
          .trust(myTrust).random(random).build();
      EncryptedMessage hello = mine.encrypt(new byte[1], id, Session.NO_EXPIRY);
      Session theirs = Session.respond().identity(peerIdentity).preKeys(peerKeys)
          .trust(new InMemoryIdentityTrust()).remoteAddress(me).localAddress(bundle.address()).random(random)
          .accept((InitialMessage) hello).session();
      mine.decrypt(theirs.encrypt(new byte[1], id, Session.NO_EXPIRY)); // handshake complete
      pairwise.add(mine);
    }
    self = GroupSession.builder().localAddress(me).random(random).build();
    self.startEpoch(GroupMessageBenchmark.ROOM, epoch, all);
  }

  /** New epoch + sender key + distribution message, serialized once. */
  @Benchmark
  public byte[] rotateOnly() {
    SenderKeyDistributionMessage d = self.startEpoch(GroupMessageBenchmark.ROOM, ++epoch, all);
    return d.toByteArray();
  }

  /** New epoch, then the distribution message encrypted to every other member device. */
  @Benchmark
  public void rotateAndEncryptPairwise(Blackhole bh) throws CryptoException {
    byte[] d = self.startEpoch(GroupMessageBenchmark.ROOM, ++epoch, all).toByteArray();
    for (Session s : pairwise) {
      bh.consume(s.encrypt(d, id, Session.NO_EXPIRY).serialize());
    }
  }
}
