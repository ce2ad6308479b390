package io.ciphertalk.crypto.group;

import static io.ciphertalk.crypto.group.GroupTestSupport.messageId;
import static io.ciphertalk.crypto.group.GroupTestSupport.session;
import static io.ciphertalk.crypto.group.GroupTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ciphertalk.crypto.AuthenticationFailedException;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.group.GroupTestSupport.FakeClock;
import io.ciphertalk.crypto.group.internal.RoomState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GroupSessionTest {
  private static final String ROOM = "room-1";
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", 1);
  private static final DeviceAddress BOB = DeviceAddress.of("bob", 1);
  private static final DeviceAddress CAROL = DeviceAddress.of("carol", 1);
  private static final DeviceAddress MALLORY = DeviceAddress.of("mallory", 1);

  private FakeClock clock;
  private GroupSession alice;
  private GroupSession bob;
  private GroupSession carol;

  @BeforeEach
  void setUp() throws CryptoException {
    clock = new FakeClock(GroupTestSupport.START);
    alice = session(ALICE, clock);
    bob = session(BOB, clock);
    carol = session(CAROL, clock);
    rotate(1, alice, bob, carol);
  }

  /** Every given session enters {@code epoch} with exactly the given members and distributes. */
  private static void rotate(long epoch, GroupSession... sessions) throws CryptoException {
    Set<DeviceAddress> members = new HashSet<>();
    for (GroupSession s : sessions) {
      members.add(s.localAddress());
    }
    List<SenderKeyDistributionMessage> dists = new ArrayList<>();
    for (GroupSession s : sessions) {
      dists.add(s.startEpoch(ROOM, epoch, members));
    }
    for (SenderKeyDistributionMessage d : dists) {
      for (GroupSession s : sessions) {
        if (!s.localAddress().equals(d.sender())) {
          assertThat(s.processDistribution(d.sender(), d.toByteArray()))
              .isEqualTo(DistributionResult.ACCEPTED);
        }
      }
    }
  }

  private static GroupMessage send(GroupSession from, String text, long id) throws CryptoException {
    return from.encrypt(ROOM, utf8(text), messageId(id), GroupMessage.NO_EXPIRY);
  }

  private static String read(GroupSession to, GroupMessage m) throws CryptoException {
    return new String(to.decrypt(GroupMessage.parse(m.toByteArray())).plaintext(),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void roundTrip_everyMemberReadsEveryOtherMembersMessage_withAuthenticatedMetadata()
      throws CryptoException {
    long expiry = Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli();
    GroupMessage m = alice.encrypt(ROOM, utf8("hello room"), messageId(42), expiry);
    for (GroupSession reader : List.of(bob, carol)) {
      DecryptedGroupMessage d = reader.decrypt(m);
      assertThat(d.plaintext()).isEqualTo(utf8("hello room"));
      assertThat(d.sender()).isEqualTo(ALICE);
      assertThat(d.roomId()).isEqualTo(ROOM);
      assertThat(d.epoch()).isEqualTo(1);
      assertThat(d.messageId()).isEqualTo(messageId(42));
      assertThat(d.expiresAtEpochMillis()).isEqualTo(expiry);
      assertThat(d.expires()).isTrue();
    }
    assertThat(read(alice, send(carol, "hi alice", 1))).isEqualTo("hi alice");
    assertThat(read(bob, send(carol, "hi bob", 2))).isEqualTo("hi bob");
  }

  @Test
  void encrypt_producesOneMessageForTheWholeRoom_andItsSizeDoesNotDependOnMembers()
      throws CryptoException {
    GroupMessage small = send(alice, "x", 1);
    GroupSession dave = session(DeviceAddress.of("dave", 1), clock);
    dave.startEpoch(ROOM, 1, Set.of(ALICE, BOB, CAROL, dave.localAddress()));
    alice.addMembers(ROOM, Set.of(dave.localAddress()));
    GroupMessage afterAdd = send(alice, "x", 2);
    assertThat(afterAdd.toByteArray()).hasSameSizeAs(small.toByteArray());
  }

  @Test
  void decrypt_withAnyBitFlipped_isRejected_andLeavesStateUnchanged() throws CryptoException {
    GroupMessage genuine = alice.encrypt(ROOM, utf8("flip me"), messageId(7), 1_000);
    byte[] bytes = genuine.toByteArray();
    byte[] stateBefore = bob.exportRoom(ROOM).toByteArray();
    for (int i = 0; i < bytes.length * 8; i++) {
      byte[] flipped = bytes.clone();
      flipped[i / 8] ^= (byte) (1 << (i % 8));
      Throwable t = catchThrowable(() -> bob.decrypt(GroupMessage.parse(flipped)));
      assertThat(t).as("bit %d", i).isInstanceOf(CryptoException.class);
    }
    assertThat(bob.exportRoom(ROOM).toByteArray()).isEqualTo(stateBefore);
    assertThat(bob.decrypt(genuine).plaintext()).isEqualTo(utf8("flip me"));
  }

  @Test
  void decrypt_withHeaderBitFlipped_failsOnTheSignature_beforeDecryption() throws CryptoException {
    byte[] bytes = send(alice, "m", 1).toByteArray();
    byte[] flipped = bytes.clone();
    flipped[bytes.length - 64 - 5] ^= 1; // inside the AEAD tag: only the signature can notice
    assertThatThrownBy(() -> bob.decrypt(GroupMessage.parse(flipped)))
        .isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void processDistribution_withAnyBitFlipped_isRejected_andNothingIsInstalledOrDeferred()
      throws CryptoException {
    GroupSession dave = session(DeviceAddress.of("dave", 1), clock);
    SenderKeyDistributionMessage d =
        dave.startEpoch(ROOM, 1, Set.of(ALICE, BOB, CAROL, dave.localAddress()));
    alice.addMembers(ROOM, Set.of(dave.localAddress()));
    byte[] bytes = d.toByteArray();
    byte[] stateBefore = alice.exportRoom(ROOM).toByteArray();
    for (int i = 0; i < bytes.length * 8; i++) {
      byte[] flipped = bytes.clone();
      flipped[i / 8] ^= (byte) (1 << (i % 8));
      Throwable t = catchThrowable(() -> alice.processDistribution(dave.localAddress(), flipped));
      assertThat(t).as("bit %d", i).isInstanceOf(CryptoException.class);
    }
    assertThat(alice.exportRoom(ROOM).toByteArray()).isEqualTo(stateBefore);
    assertThat(alice.roomIds()).containsExactly(ROOM);
    assertThat(alice.processDistribution(dave.localAddress(), bytes)).isEqualTo(DistributionResult.ACCEPTED);
    assertThat(read(alice, dave.encrypt(ROOM, utf8("dave here"), messageId(1), GroupMessage.NO_EXPIRY))).isEqualTo("dave here");
  }

  @Test
  void processDistribution_namingAnotherSenderThanTheSession_isRejected() throws CryptoException {
    SenderKeyDistributionMessage bobs = bob.currentDistribution(ROOM);
    // Carol relays Bob's distribution message as if it were hers: the pairwise peer is Carol.
    assertThatThrownBy(() -> alice.processDistribution(CAROL, bobs.toByteArray()))
        .isInstanceOf(UnknownSenderException.class);
  }

  @Test
  void decrypt_ofMessageFromNonMember_isRejected() throws CryptoException {
    GroupSession mallory = session(MALLORY, clock);
    SenderKeyDistributionMessage md = mallory.startEpoch(ROOM, 1, Set.of(ALICE, BOB, CAROL, MALLORY));
    // Mallory even gets her distribution message to Bob over a real pairwise session: still no member.
    assertThat(bob.processDistribution(MALLORY, md.toByteArray())).isEqualTo(DistributionResult.DEFERRED);
    GroupMessage m = mallory.encrypt(ROOM, utf8("let me in"), messageId(1), GroupMessage.NO_EXPIRY);
    byte[] before = bob.exportRoom(ROOM).toByteArray();
    assertThatThrownBy(() -> bob.decrypt(m))
        .isInstanceOf(UnknownSenderException.class)
        .hasMessageContaining("mallory.1");
    assertThat(bob.exportRoom(ROOM).toByteArray()).isEqualTo(before);
  }

  @Test
  void decrypt_ofMessageSignedByNonMemberClaimingToBeAMember_isRejected() throws CryptoException {
    // Mallory builds her own view of the room in which she *is* Alice, with her own keys.
    GroupSession fakeAlice = session(ALICE, new FakeClock(GroupTestSupport.START));
    fakeAlice.startEpoch(ROOM, 1, Set.of(ALICE, BOB, CAROL));
    GroupMessage real = send(alice, "real", 1);
    GroupMessage forged = send(fakeAlice, "forged", 1);
    // Same header shape, same chain position: only the chain id and signature give it away. Put
    // the genuine chain id in so that only the signature is left to catch it.
    byte[] f = forged.toByteArray();
    byte[] r = real.toByteArray();
    int chainIdOffset = 2 + 1 + ROOM.length() + 8 + ALICE.encode().length;
    System.arraycopy(r, chainIdOffset, f, chainIdOffset, 4);
    assertThatThrownBy(() -> bob.decrypt(GroupMessage.parse(f)))
        .isInstanceOf(InvalidSignatureException.class);
    assertThatThrownBy(() -> bob.decrypt(forged)).isInstanceOf(NoSenderKeyException.class);
    assertThat(read(bob, real)).isEqualTo("real");
  }

  @Test
  void decrypt_ofReplayedMessage_isRejectedAsDuplicate_carryingItsMessageId() throws CryptoException {
    GroupMessage m = send(alice, "once", 99);
    assertThat(read(bob, m)).isEqualTo("once");
    byte[] before = bob.exportRoom(ROOM).toByteArray();
    assertThatThrownBy(() -> bob.decrypt(m))
        .isInstanceOfSatisfying(DuplicateGroupMessageException.class, e -> {
          assertThat(e.messageId()).isEqualTo(messageId(99));
          assertThat(e.sender()).isEqualTo(ALICE);
        });
    assertThat(bob.exportRoom(ROOM).toByteArray()).isEqualTo(before);
  }

  @Test
  void decrypt_outOfOrder_readsEveryMessageOnce_andRejectsReplaysOfSkippedOnes() throws CryptoException {
    List<GroupMessage> ms = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ms.add(send(alice, "m" + i, i));
    }
    for (int i : new int[] {9, 3, 0, 5, 1, 8, 2, 7, 4, 6}) {
      assertThat(read(bob, ms.get(i))).isEqualTo("m" + i);
    }
    for (GroupMessage m : ms) {
      assertThatThrownBy(() -> bob.decrypt(m)).isInstanceOf(DuplicateGroupMessageException.class);
    }
  }

  @Test
  void decrypt_jumpingExactlyMaxSkip_works_butOneFurther_isRejectedWithoutStateChange()
      throws CryptoException {
    GroupMessage first = null;
    GroupMessage atLimit = null;
    GroupMessage beyond = null;
    for (int i = 0; i <= GroupSession.MAX_SKIP + 1; i++) {
      GroupMessage m = send(alice, "m" + i, i);
      if (i == 0) {
        first = m;
      } else if (i == GroupSession.MAX_SKIP) {
        atLimit = m;
      } else if (i == GroupSession.MAX_SKIP + 1) {
        beyond = m;
      }
    }
    GroupMessage b = beyond;
    byte[] before = bob.exportRoom(ROOM).toByteArray();
    assertThatThrownBy(() -> bob.decrypt(b))
        .isInstanceOfSatisfying(TooManySkippedMessagesException.class,
            e -> assertThat(e.gap()).isEqualTo(GroupSession.MAX_SKIP + 1));
    assertThat(bob.exportRoom(ROOM).toByteArray()).isEqualTo(before);
    // Carol reads iteration 2000 first: 2000 skipped keys stored, the bound, and first still readable.
    assertThat(read(carol, atLimit)).isEqualTo("m" + GroupSession.MAX_SKIP);
    assertThat(read(carol, first)).isEqualTo("m0");
    assertThat(read(carol, beyond)).isEqualTo("m" + (GroupSession.MAX_SKIP + 1));
    // Bob, whose chain is still at 0, can read in order.
    assertThat(read(bob, first)).isEqualTo("m0");
  }

  /** Alice's real signing key, taken from her saved state: what a malicious member holds. */
  private Ed25519.PrivateKey alicesSigningKey() throws CryptoException {
    return RoomState.deserialize(alice.exportRoom(ROOM).toByteArray(), 1000, 2000, 1000).own().signingKey();
  }

  /** Re-signs {@code body} (everything before the signature) with {@code key}. */
  private static GroupMessage resign(byte[] body, Ed25519.PrivateKey key) throws CryptoException {
    byte[] sig = key.sign(GroupMessage.signedInput(GroupMessage.SIGNATURE_LABEL_BYTES, body, body.length));
    byte[] all = java.util.Arrays.copyOf(body, body.length + 64);
    System.arraycopy(sig, 0, all, body.length, 64);
    return GroupMessage.parse(all);
  }

  @Test
  void decrypt_ofValidlySignedMessageWithBadCiphertext_failsTheTag_andCommitsNothing()
      throws CryptoException {
    // Only a member can sign for itself; a member that signs garbage must not move anyone's chain.
    GroupMessage genuine = send(alice, "m", 1);
    byte[] body = java.util.Arrays.copyOf(genuine.toByteArray(), genuine.toByteArray().length - 64);
    body[body.length - 3] ^= 1; // AEAD tag
    GroupMessage badTag = resign(body, alicesSigningKey());
    // Also a validly signed message 5 iterations ahead with a bad tag: no skipped keys may be stored.
    int iterationOffset = 2 + 1 + ROOM.length() + 8 + ALICE.encode().length + 4;
    byte[] ahead = body.clone();
    ahead[iterationOffset + 3] = 5;
    GroupMessage badAhead = resign(ahead, alicesSigningKey());
    byte[] before = bob.exportRoom(ROOM).toByteArray();
    assertThatThrownBy(() -> bob.decrypt(badTag)).isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> bob.decrypt(badAhead)).isInstanceOf(AuthenticationFailedException.class);
    assertThat(bob.exportRoom(ROOM).toByteArray()).isEqualTo(before);
    assertThat(read(bob, genuine)).isEqualTo("m");
  }

  @Test
  void newMember_readsMessagesAfterJoining_butNoneFromBefore() throws CryptoException {
    GroupMessage before = send(alice, "before dave", 1);
    read(bob, before);
    DeviceAddress daveAddr = DeviceAddress.of("dave", 1);
    GroupSession dave = session(daveAddr, clock);
    SenderKeyDistributionMessage daveDist =
        dave.startEpoch(ROOM, 1, Set.of(ALICE, BOB, CAROL, daveAddr));
    for (GroupSession s : List.of(alice, bob, carol)) {
      SenderKeyDistributionMessage d = s.addMembers(ROOM, Set.of(daveAddr));
      assertThat(dave.processDistribution(s.localAddress(), d.toByteArray()))
          .isEqualTo(DistributionResult.ACCEPTED);
      assertThat(s.processDistribution(daveAddr, daveDist.toByteArray()))
          .isEqualTo(DistributionResult.ACCEPTED);
    }
    assertThatThrownBy(() -> dave.decrypt(before)).isInstanceOf(NoSenderKeyException.class);
    assertThat(read(dave, send(alice, "after dave", 2))).isEqualTo("after dave");
    assertThat(read(carol, dave.encrypt(ROOM, utf8("hi all"), messageId(3), GroupMessage.NO_EXPIRY))).isEqualTo("hi all");
  }

  @Test
  void distribution_arrivingBeforeTheMembershipChange_isDeferred_thenApplied() throws CryptoException {
    DeviceAddress daveAddr = DeviceAddress.of("dave", 1);
    GroupSession dave = session(daveAddr, clock);
    // Alice's distribution reaches Dave before Dave learns he joined.
    SenderKeyDistributionMessage early = alice.currentDistribution(ROOM);
    assertThat(dave.processDistribution(ALICE, early.toByteArray())).isEqualTo(DistributionResult.DEFERRED);
    SenderKeyDistributionMessage daveDist =
        dave.startEpoch(ROOM, 1, Set.of(ALICE, BOB, CAROL, daveAddr));
    // Dave's reaches Bob before Bob learns Dave was added.
    assertThat(bob.processDistribution(daveAddr, daveDist.toByteArray())).isEqualTo(DistributionResult.DEFERRED);
    bob.addMembers(ROOM, Set.of(daveAddr));
    alice.addMembers(ROOM, Set.of(daveAddr));
    assertThat(read(dave, send(alice, "welcome", 1))).isEqualTo("welcome");
    assertThat(read(bob, dave.encrypt(ROOM, utf8("thanks"), messageId(2), GroupMessage.NO_EXPIRY))).isEqualTo("thanks");
  }

  @Test
  void removedMember_cannotReadNewEpoch_evenWithItsSavedState() throws CryptoException {
    byte[] carolSaved = carol.exportRoom(ROOM).toByteArray();
    rotate(2, alice, bob);
    GroupMessage m = send(alice, "carol is gone", 1);
    GroupSession restored = session(CAROL, clock);
    restored.importRoom(SecretBytes.copyOf(carolSaved));
    assertThatThrownBy(() -> restored.decrypt(m)).isInstanceOf(NoSenderKeyException.class);
    assertThatThrownBy(() -> carol.decrypt(m)).isInstanceOf(NoSenderKeyException.class);
    assertThat(read(bob, m)).isEqualTo("carol is gone");
  }

  @Test
  void previousEpochMessage_isReadWithinGrace_andRejectedAfterTheGracePeriod() throws CryptoException {
    GroupMessage inFlight1 = send(carol, "sent before removal 1", 1);
    GroupMessage inFlight2 = send(carol, "sent before removal 2", 2);
    GroupMessage inFlight3 = send(alice, "alice before rotation", 3);
    rotate(2, alice, bob);
    clock.advance(GroupSession.DEFAULT_GRACE_PERIOD.minusSeconds(1));
    DecryptedGroupMessage d = bob.decrypt(inFlight1);
    assertThat(d.epoch()).isEqualTo(1);
    assertThat(d.plaintext()).isEqualTo(utf8("sent before removal 1"));
    byte[] before = bob.exportRoom(ROOM).toByteArray();
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> bob.decrypt(inFlight2))
        .isInstanceOfSatisfying(EpochExpiredException.class, e -> {
          assertThat(e.epoch()).isEqualTo(1);
          assertThat(e.currentEpoch()).isEqualTo(2);
        });
    assertThatThrownBy(() -> bob.decrypt(inFlight3)).isInstanceOf(EpochExpiredException.class);
    // Expiry wiped the previous epoch (a state change by the clock, not by the message).
    byte[] after = bob.exportRoom(ROOM).toByteArray();
    assertThat(after).hasSizeLessThan(before.length);
    assertThat(RoomState.deserialize(before, 1000, 2000, 1000).previous()).isNotNull();
    assertThat(RoomState.deserialize(after, 1000, 2000, 1000).previous()).isNull();
  }

  @Test
  void previousEpoch_acceptsAtMostTheGraceMessageAllowancePerSender() throws CryptoException {
    GroupSession strictBob = GroupSession.builder().localAddress(BOB).clock(clock)
        .random(io.ciphertalk.crypto.RandomSource.deterministicForTesting(new byte[] {9}))
        .graceMessages(2).build();
    SenderKeyDistributionMessage bd = strictBob.startEpoch(ROOM, 5, Set.of(ALICE, BOB, CAROL));
    GroupSession a = session(ALICE, clock);
    SenderKeyDistributionMessage ad = a.startEpoch(ROOM, 5, Set.of(ALICE, BOB, CAROL));
    strictBob.processDistribution(ALICE, ad.toByteArray());
    a.processDistribution(BOB, bd.toByteArray());
    List<GroupMessage> old = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      old.add(a.encrypt(ROOM, utf8("old" + i), messageId(i), GroupMessage.NO_EXPIRY));
    }
    strictBob.startEpoch(ROOM, 6, Set.of(ALICE, BOB));
    assertThat(strictBob.decrypt(old.get(2)).plaintext()).isEqualTo(utf8("old2"));
    assertThat(strictBob.decrypt(old.get(0)).plaintext()).isEqualTo(utf8("old0"));
    assertThatThrownBy(() -> strictBob.decrypt(old.get(1)))
        .isInstanceOf(EpochExpiredException.class)
        .hasMessageContaining("allowance");
  }

  @Test
  void messagesFromTwoEpochsAgo_areRejected_evenWithinTheGracePeriod() throws CryptoException {
    GroupMessage epoch1 = send(alice, "epoch 1", 1);
    rotate(2, alice, bob, carol);
    GroupMessage epoch2 = send(alice, "epoch 2", 2);
    rotate(3, alice, bob);
    assertThat(read(bob, epoch2)).isEqualTo("epoch 2");
    assertThatThrownBy(() -> bob.decrypt(epoch1)).isInstanceOf(EpochExpiredException.class);
  }

  @Test
  void distributionForAPastEpoch_isRejected() throws CryptoException {
    SenderKeyDistributionMessage old = carol.currentDistribution(ROOM);
    rotate(2, alice, bob);
    assertThatThrownBy(() -> bob.processDistribution(CAROL, old.toByteArray()))
        .isInstanceOf(EpochExpiredException.class);
  }

  @Test
  void exportThenImport_continuesTheSameChains() throws CryptoException {
    GroupMessage m1 = send(alice, "one", 1);
    read(bob, m1);
    GroupMessage m3 = null;
    GroupMessage m2 = send(alice, "two", 2);
    m3 = send(alice, "three", 3);
    read(bob, m3); // m2 is now a skipped key
    GroupSession bob2 = session(BOB, clock);
    bob2.importRoom(bob.exportRoom(ROOM));
    assertThat(bob2.exportRoom(ROOM).toByteArray()).isEqualTo(bob.exportRoom(ROOM).toByteArray());
    assertThat(read(bob2, m2)).isEqualTo("two");
    GroupMessage m3copy = m3;
    assertThatThrownBy(() -> bob2.decrypt(m3copy)).isInstanceOf(DuplicateGroupMessageException.class);
    GroupSession alice2 = session(ALICE, clock);
    alice2.importRoom(alice.exportRoom(ROOM));
    assertThat(read(bob2, send(alice2, "four", 4))).isEqualTo("four");
  }

  @Test
  void importRoom_rejectsAnotherDevicesState_truncationAndTrailingBytes() {
    byte[] state = bob.exportRoom(ROOM).toByteArray();
    assertThatThrownBy(() -> alice.importRoom(SecretBytes.copyOf(state))).isInstanceOf(IllegalArgumentException.class);
    for (int n : new int[] {0, 1, 10, state.length - 1}) {
      byte[] cut = java.util.Arrays.copyOf(state, n);
      assertThatThrownBy(() -> bob.importRoom(SecretBytes.copyOf(cut))).isInstanceOf(InvalidGroupMessageException.class);
    }
    byte[] longer = java.util.Arrays.copyOf(state, state.length + 1);
    assertThatThrownBy(() -> bob.importRoom(SecretBytes.copyOf(longer))).isInstanceOf(InvalidGroupMessageException.class);
  }

  @Test
  void leave_wipesTheRoom_soNothingMoreCanBeReadOrSent() throws CryptoException {
    GroupMessage m = send(alice, "bye", 1);
    carol.leave(ROOM);
    assertThat(carol.roomIds()).isEmpty();
    assertThatThrownBy(() -> carol.decrypt(m)).isInstanceOf(NoSenderKeyException.class);
    assertThatThrownBy(() -> send(carol, "x", 2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void misuse_isRejectedWithClearArgumentErrors() {
    assertThatThrownBy(() -> alice.startEpoch(ROOM, 1, Set.of(ALICE, BOB)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch must grow");
    assertThatThrownBy(() -> alice.startEpoch(ROOM, 2, Set.of(BOB)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("include this device");
    assertThatThrownBy(() -> alice.startEpoch("bad room", 2, Set.of(ALICE)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> alice.encrypt(ROOM, new byte[1], new byte[15], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
    assertThatThrownBy(() -> alice.encrypt(ROOM, new byte[GroupSession.MAX_PLAINTEXT_LENGTH + 1], messageId(1), GroupMessage.NO_EXPIRY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> alice.encrypt("other-room", new byte[1], messageId(1), GroupMessage.NO_EXPIRY))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> alice.processDistribution(ALICE, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GroupSession.builder().build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void ownMessageEchoedBack_isRejected() throws CryptoException {
    GroupMessage m = send(alice, "echo", 1);
    assertThatThrownBy(() -> alice.decrypt(m)).isInstanceOf(UnknownSenderException.class);
  }

  @Test
  void toStrings_neverShowSecretsOrPlaintext() throws CryptoException {
    SenderKeyDistributionMessage d = alice.currentDistribution(ROOM);
    GroupMessage m = send(alice, "top secret", 1);
    DecryptedGroupMessage dm = bob.decrypt(m);
    assertThat(d.toString()).doesNotContain("chainKey").contains("alice.1");
    assertThat(dm.toString()).doesNotContain("top secret");
  }

  @Test
  void distributionsForRoomsNotJoinedYet_areBounded() throws CryptoException {
    GroupSession mallory = session(MALLORY, clock);
    for (int i = 0; i < GroupSession.MAX_UNJOINED_ROOMS + 10; i++) {
      SenderKeyDistributionMessage d = mallory.startEpoch("spam-" + i, 1, Set.of(MALLORY, ALICE));
      assertThat(alice.processDistribution(MALLORY, d.toByteArray())).isEqualTo(DistributionResult.DEFERRED);
    }
    assertThat(alice.roomIds()).hasSize(GroupSession.MAX_UNJOINED_ROOMS + 1).contains(ROOM);
    assertThat(read(alice, send(bob, "still fine", 1))).isEqualTo("still fine");
  }

  @Test
  void parse_rejectsOtherStructureTypes_andTrailingOrMissingBytes() throws CryptoException {
    byte[] dist = alice.currentDistribution(ROOM).toByteArray();
    byte[] msg = send(alice, "m", 1).toByteArray();
    assertThatThrownBy(() -> GroupMessage.parse(dist)).isInstanceOf(InvalidGroupMessageException.class);
    assertThatThrownBy(() -> SenderKeyDistributionMessage.parse(msg))
        .isInstanceOf(InvalidGroupMessageException.class);
    byte[] oneToOneType = msg.clone();
    oneToOneType[1] = 2;
    assertThatThrownBy(() -> GroupMessage.parse(oneToOneType)).isInstanceOf(InvalidGroupMessageException.class);
    assertThatThrownBy(() -> GroupMessage.parse(java.util.Arrays.copyOf(msg, msg.length + 1)))
        .isInstanceOf(InvalidGroupMessageException.class);
    assertThatThrownBy(() -> GroupMessage.parse(java.util.Arrays.copyOf(msg, msg.length - 1)))
        .isInstanceOf(InvalidGroupMessageException.class);
    assertThatThrownBy(() -> GroupMessage.parse(new byte[0])).isInstanceOf(InvalidGroupMessageException.class);
  }

  @Test
  void skippedKeysPerRoom_areBounded_andTheChainThatGrowsEvictsItsOwnKeys() throws CryptoException {
    int senders = GroupSession.MAX_SKIPPED_KEYS_PER_ROOM / GroupSession.MAX_SKIP + 1;
    DeviceAddress receiverAddr = DeviceAddress.of("receiver", 1);
    Set<DeviceAddress> members = new HashSet<>();
    members.add(receiverAddr);
    List<GroupSession> others = new ArrayList<>();
    for (int i = 0; i < senders; i++) {
      GroupSession s = session(DeviceAddress.of("sender" + i, 1), clock);
      others.add(s);
      members.add(s.localAddress());
    }
    GroupSession receiver = session(receiverAddr, clock);
    receiver.startEpoch(ROOM, 1, members);
    List<GroupMessage> firsts = new ArrayList<>();
    for (GroupSession s : others) {
      SenderKeyDistributionMessage d = s.startEpoch(ROOM, 1, members);
      receiver.processDistribution(s.localAddress(), d.toByteArray());
      GroupMessage first = null;
      GroupMessage last = null;
      for (int i = 0; i <= GroupSession.MAX_SKIP; i++) {
        last = s.encrypt(ROOM, utf8("m" + i), messageId(i), GroupMessage.NO_EXPIRY);
        if (i == 0) {
          first = last;
        }
      }
      firsts.add(first);
      receiver.decrypt(last); // stores MAX_SKIP skipped keys for this sender
    }
    RoomState state = RoomState.deserialize(receiver.exportRoom(ROOM).toByteArray(), 1000, 2000, 1000);
    assertThat(state.totalSkipped()).isEqualTo(GroupSession.MAX_SKIPPED_KEYS_PER_ROOM);
    // The last sender's jump pushed the room over the bound: its own old keys went, nobody else's.
    assertThatThrownBy(() -> receiver.decrypt(firsts.get(senders - 1)))
        .isInstanceOf(DuplicateGroupMessageException.class);
    for (int i = 0; i < senders - 1; i++) {
      assertThat(receiver.decrypt(firsts.get(i)).plaintext()).isEqualTo(utf8("m0"));
    }
  }
}
