package io.ciphertalk.crypto.group;

import static io.ciphertalk.crypto.group.GroupTestSupport.messageId;
import static io.ciphertalk.crypto.group.GroupTestSupport.session;
import static io.ciphertalk.crypto.group.GroupTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.GroupTestSupport.FakeClock;
import io.ciphertalk.crypto.group.internal.ChainKdf;
import io.ciphertalk.crypto.group.internal.RoomState;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the group key lifecycle at the crypto layer: a member who announces an epoch of its
 * choosing, a room driven to the end of the epoch space, and a sender whose state is rolled back.
 */
class GroupEpochAndRollbackTest {
  private static final String ROOM = "room-e";
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", 1);
  private static final DeviceAddress BOB = DeviceAddress.of("bob", 1);
  private static final DeviceAddress MALLORY = DeviceAddress.of("mallory", 1);
  private static final Set<DeviceAddress> ALL = Set.of(ALICE, BOB, MALLORY);

  private FakeClock clock;
  private GroupSession alice;
  private GroupSession bob;

  @BeforeEach
  void setUp() throws CryptoException {
    clock = new FakeClock(GroupTestSupport.START);
    alice = session(ALICE, clock);
    bob = session(BOB, clock);
    SenderKeyDistributionMessage a = alice.startEpoch(ROOM, 5, ALL);
    bob.startEpoch(ROOM, 5, ALL);
    bob.processDistribution(ALICE, a.toByteArray());
  }

  /** A validly self-signed distribution message from Mallory for any epoch she likes. */
  private static byte[] malloryAnnounces(long epoch) {
    Ed25519.PrivateKey key = Ed25519.generate(RandomSource.secure());
    return SenderKeyDistributionMessage.create(ROOM, epoch, MALLORY, 7, 0, new byte[32], key)
        .toByteArray();
  }

  @Test
  void memberAnnouncingAnEpochFarAhead_isRefusedWithATypedError_andTheRoomKeepsItsEpochAndKeys()
      throws CryptoException {
    byte[] before = bob.exportRoom(ROOM).toByteArray();
    long tooFar = 5 + GroupSession.MAX_EPOCH_STEP + 1;
    assertThatThrownBy(() -> bob.processDistribution(MALLORY, malloryAnnounces(tooFar)))
        .isInstanceOf(EpochOutOfRangeException.class)
        .satisfies(e -> assertThat(((EpochOutOfRangeException) e).epoch()).isEqualTo(tooFar));
    assertThat(bob.exportRoom(ROOM).toByteArray()).isEqualTo(before);
    assertThatThrownBy(() -> bob.startEpoch(ROOM, tooFar, ALL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ahead");
    // Within the step it is an ordinary (deferred) future epoch.
    assertThat(bob.processDistribution(MALLORY, malloryAnnounces(5 + GroupSession.MAX_EPOCH_STEP)))
        .isEqualTo(DistributionResult.DEFERRED);
  }

  @Test
  void memberAnnouncingLongMaxValue_isMalformed_soItCanNeverBeFollowed() {
    Ed25519.PrivateKey key = Ed25519.generate(RandomSource.secure());
    assertThatThrownBy(() -> bob.processDistribution(MALLORY,
        SenderKeyDistributionMessage.create(ROOM, Long.MAX_VALUE, MALLORY, 7, 0, new byte[32], key)
            .toByteArray()))
        .isInstanceOf(InvalidGroupMessageException.class).hasMessageContaining("epoch");
    assertThatThrownBy(() -> bob.processDistribution(MALLORY, malloryAnnounces(GroupSession.MAX_EPOCH + 1)))
        .isInstanceOf(InvalidGroupMessageException.class);
    assertThatThrownBy(() -> bob.startEpoch("other", GroupSession.MAX_EPOCH + 1, ALL))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void roomAtTheLastEpoch_refusesToRotate_withATypedError_andChangesNothing() throws CryptoException {
    GroupSession carol = session(DeviceAddress.of("carol", 1), clock);
    Set<DeviceAddress> members = Set.of(DeviceAddress.of("carol", 1), ALICE);
    carol.startEpoch(ROOM, GroupSession.MAX_EPOCH, members);
    byte[] before = carol.exportRoom(ROOM).toByteArray();
    assertThatThrownBy(() -> carol.nextEpoch(ROOM, members))
        .isInstanceOf(EpochOutOfRangeException.class).hasMessageContaining("exhausted");
    assertThat(carol.exportRoom(ROOM).toByteArray()).isEqualTo(before);
    assertThat(carol.currentEpoch(ROOM)).hasValue(GroupSession.MAX_EPOCH);
  }

  @Test
  void nextEpoch_movesByExactlyOne_andTheRemovedDeviceIsNoLongerAMember() throws CryptoException {
    alice.nextEpoch(ROOM, Set.of(ALICE, BOB));
    assertThat(alice.currentEpoch(ROOM)).hasValue(6);
    assertThat(alice.members(ROOM)).containsExactlyInAnyOrder(ALICE, BOB);
  }

  @Test
  void senderStateRolledBack_encryptsTheSameIteration_withAFreshNonceAndKey_soNoKeyNoncePairRepeats()
      throws CryptoException {
    SecretBytes saved = alice.exportRoom(ROOM);
    GroupMessage first = alice.encrypt(ROOM, utf8("attack at dawn"), messageId(1), 0);
    alice.importRoom(saved); // backup, VM snapshot or older database row
    GroupMessage second = alice.encrypt(ROOM, utf8("retreat at six"), messageId(2), 0);

    assertThat(second.chainId()).isEqualTo(first.chainId());
    assertThat(second.iteration()).isEqualTo(first.iteration()); // the same chain step twice
    byte[] n1 = first.nonce().orElseThrow();
    byte[] n2 = second.nonce().orElseThrow();
    assertThat(n1).hasSize(12).isNotEqualTo(n2);
    // The keys differ as well (the nonce salts the derivation), and so the keystreams do.
    byte[] seed = RoomState.deserialize(saved.toByteArray(), 1000, 2000, 1000).own().currentSeed();
    assertThat(ChainKdf.keyV2(seed, n1)).isNotEqualTo(ChainKdf.keyV2(seed, n2));
    byte[] c1 = first.ciphertext();
    byte[] c2 = second.ciphertext();
    byte[] p1 = utf8("attack at dawn");
    byte[] p2 = utf8("retreat at six");
    byte[] cx = new byte[p1.length];
    byte[] px = new byte[p1.length];
    for (int i = 0; i < p1.length; i++) {
      cx[i] = (byte) (c1[i] ^ c2[i]);
      px[i] = (byte) (p1[i] ^ p2[i]);
    }
    assertThat(cx).isNotEqualTo(px);
    // Bob reads the first; the second reuses a consumed chain step and is refused as a replay.
    assertThat(bob.decrypt(GroupMessage.parse(first.toByteArray())).plaintext()).isEqualTo(p1);
    assertThatThrownBy(() -> bob.decrypt(GroupMessage.parse(second.toByteArray())))
        .isInstanceOf(DuplicateGroupMessageException.class);
  }

  @Test
  void everyEncryption_carriesADistinctNonce() throws CryptoException {
    Set<String> nonces = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      nonces.add(Arrays.toString(
          alice.encrypt(ROOM, utf8("m"), messageId(i), 0).nonce().orElseThrow()));
    }
    assertThat(nonces).hasSize(200);
  }

  @Test
  void v2Nonce_isBoundByTheSignature_soAnyChangeIsRejected() throws CryptoException {
    GroupMessage m = alice.encrypt(ROOM, utf8("hi"), messageId(9), 0);
    byte[] bytes = m.toByteArray();
    int nonceOffset = bytes.length - 64 - m.ciphertext().length - 4 - 12;
    assertThat(Arrays.copyOfRange(bytes, nonceOffset, nonceOffset + 12))
        .isEqualTo(m.nonce().orElseThrow());
    bytes[nonceOffset] ^= 1;
    byte[] before = bob.exportRoom(ROOM).toByteArray();
    assertThatThrownBy(() -> bob.decrypt(GroupMessage.parse(bytes)))
        .isInstanceOf(io.ciphertalk.crypto.InvalidSignatureException.class);
    assertThat(bob.exportRoom(ROOM).toByteArray()).isEqualTo(before);
  }
}
