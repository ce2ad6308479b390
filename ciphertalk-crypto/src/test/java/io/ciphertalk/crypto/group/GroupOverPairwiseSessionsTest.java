package io.ciphertalk.crypto.group;

import static io.ciphertalk.crypto.group.GroupTestSupport.messageId;
import static io.ciphertalk.crypto.group.GroupTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.GroupTestSupport.FakeClock;
import io.ciphertalk.crypto.session.InvalidMessageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Distribution messages travel as opaque plaintext inside real X3DH + Double Ratchet sessions. */
class GroupOverPairwiseSessionsTest {
  private static final String ROOM = "pairwise-room";
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", 1);
  private static final DeviceAddress ALICE_TABLET = DeviceAddress.of("alice", 2);
  private static final DeviceAddress BOB = DeviceAddress.of("bob", 1);
  private static final DeviceAddress CAROL = DeviceAddress.of("carol", 1);
  private static final List<DeviceAddress> ALL = List.of(ALICE, ALICE_TABLET, BOB, CAROL);

  private final PairwiseMesh mesh = new PairwiseMesh(7);
  private final Map<DeviceAddress, GroupSession> group = new LinkedHashMap<>();
  /** Pairwise ciphertexts each device has received: (sender, wire bytes). */
  private final Map<DeviceAddress, List<Map.Entry<DeviceAddress, byte[]>>> pairwiseInbox = new HashMap<>();

  @BeforeEach
  void setUp() {
    FakeClock clock = new FakeClock(GroupTestSupport.START);
    for (DeviceAddress a : ALL) {
      group.put(a, GroupTestSupport.session(a, clock, 7000 + ALL.indexOf(a)));
      pairwiseInbox.put(a, new ArrayList<>());
    }
  }

  /** Sends {@code from}'s distribution to each recipient over its pairwise session, then delivers. */
  private void distribute(DeviceAddress from, SenderKeyDistributionMessage d, Set<DeviceAddress> to)
      throws CryptoException {
    for (DeviceAddress r : to) {
      if (!r.equals(from)) {
        pairwiseInbox.get(r).add(Map.entry(from, mesh.seal(from, r, d.toByteArray())));
      }
    }
    for (DeviceAddress r : to) {
      deliverPairwise(r);
    }
  }

  private void deliverPairwise(DeviceAddress to) throws CryptoException {
    for (Map.Entry<DeviceAddress, byte[]> e : pairwiseInbox.get(to)) {
      PairwiseMesh.Received got = mesh.open(e.getKey(), to, e.getValue());
      // The authenticated peer of the 1:1 session, not a field of the payload, names the sender.
      assertThat(group.get(to).processDistribution(got.authenticatedPeer(), got.plaintext()))
          .isIn(DistributionResult.ACCEPTED, DistributionResult.DEFERRED);
    }
    pairwiseInbox.get(to).clear();
  }

  private void rotate(long epoch, Set<DeviceAddress> members) throws CryptoException {
    for (DeviceAddress a : members) {
      distribute(a, group.get(a).startEpoch(ROOM, epoch, members), members);
    }
  }

  @Test
  void distributionsOverRealSessions_letEveryMemberRead_andAfterRemovalOnlyTheRemaining()
      throws CryptoException {
    rotate(1, Set.copyOf(ALL));
    GroupMessage hello = group.get(BOB).encrypt(ROOM, utf8("hello all"), messageId(1), GroupMessage.NO_EXPIRY);
    for (DeviceAddress a : List.of(ALICE, ALICE_TABLET, CAROL)) {
      assertThat(group.get(a).decrypt(hello).plaintext()).isEqualTo(utf8("hello all"));
    }
    byte[] carolSaved = group.get(CAROL).exportRoom(ROOM).toByteArray();

    Set<DeviceAddress> remaining = Set.of(ALICE, ALICE_TABLET, BOB);
    rotate(2, remaining);
    assertThat(pairwiseInbox.get(CAROL)).isEmpty();
    GroupMessage secret = group.get(ALICE_TABLET)
        .encrypt(ROOM, utf8("without carol"), messageId(2), GroupMessage.NO_EXPIRY);
    assertThat(group.get(ALICE).decrypt(secret).plaintext()).isEqualTo(utf8("without carol"));
    assertThat(group.get(BOB).decrypt(secret).plaintext()).isEqualTo(utf8("without carol"));
    GroupSession carolRestored = GroupTestSupport.session(CAROL, new FakeClock(GroupTestSupport.START), 7099);
    carolRestored.importRoom(SecretBytes.copyOf(carolSaved));
    assertThatThrownBy(() -> carolRestored.decrypt(secret)).isInstanceOf(NoSenderKeyException.class);
    assertThatThrownBy(() -> group.get(CAROL).decrypt(secret)).isInstanceOf(NoSenderKeyException.class);
  }

  @Test
  void distributionRelayedByAnotherMembersSession_isRejected() throws CryptoException {
    rotate(1, Set.copyOf(ALL));
    // Carol forwards Bob's (current) distribution message to Alice over the Carol-Alice session.
    byte[] bobs = group.get(BOB).currentDistribution(ROOM).toByteArray();
    PairwiseMesh.Received got = mesh.open(CAROL, ALICE, mesh.seal(CAROL, ALICE, bobs));
    assertThat(got.authenticatedPeer()).isEqualTo(CAROL);
    assertThatThrownBy(() -> group.get(ALICE).processDistribution(got.authenticatedPeer(), got.plaintext()))
        .isInstanceOf(UnknownSenderException.class);
  }

  @Test
  void distributionTamperedInTransit_isRejectedByThePairwiseSession() throws CryptoException {
    group.get(ALICE).startEpoch(ROOM, 1, Set.copyOf(ALL));
    SenderKeyDistributionMessage d = group.get(BOB).startEpoch(ROOM, 1, Set.copyOf(ALL));
    byte[] wire = mesh.seal(BOB, ALICE, d.toByteArray());
    wire[wire.length - 1] ^= 1;
    assertThatThrownBy(() -> mesh.open(BOB, ALICE, wire)).isInstanceOf(InvalidMessageException.class);
  }
}
