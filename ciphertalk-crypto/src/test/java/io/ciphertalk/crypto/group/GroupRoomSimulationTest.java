package io.ciphertalk.crypto.group;

import static io.ciphertalk.crypto.group.GroupTestSupport.messageId;
import static io.ciphertalk.crypto.group.GroupTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.GroupTestSupport.FakeClock;
import io.ciphertalk.crypto.group.internal.ChainKdf;
import io.ciphertalk.crypto.group.internal.ReceivingChain;
import io.ciphertalk.crypto.group.internal.RoomState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A room of five devices (two of them one user's) exchanging messages delivered in a seeded random
 * order, with duplicates, and with one member removed mid-way while another member learns of the
 * removal late.
 */
class GroupRoomSimulationTest {
  private static final String ROOM = "sim-room";
  private static final DeviceAddress ALICE1 = DeviceAddress.of("alice", 1);
  private static final DeviceAddress ALICE2 = DeviceAddress.of("alice", 2);
  private static final DeviceAddress BOB = DeviceAddress.of("bob", 1);
  private static final DeviceAddress CAROL = DeviceAddress.of("carol", 1);
  private static final DeviceAddress DAVE = DeviceAddress.of("dave", 1);
  private static final List<DeviceAddress> ALL = List.of(ALICE1, ALICE2, BOB, CAROL, DAVE);
  private static final Set<DeviceAddress> REMAINING = Set.of(ALICE1, ALICE2, BOB, DAVE);

  private record Sent(GroupMessage message, DeviceAddress from, long id, String text, long epoch) {}

  private final Map<DeviceAddress, GroupSession> sessions = new LinkedHashMap<>();
  private final Map<DeviceAddress, List<Sent>> inbox = new HashMap<>();
  private final Map<DeviceAddress, List<Sent>> delivered = new HashMap<>();
  private final Map<DeviceAddress, Map<Long, String>> read = new HashMap<>();
  private final List<Sent> allSent = new ArrayList<>();
  private Random rnd;
  private long nextId;
  private int duplicatesRejected;
  private int bobRetries;
  private int epoch1ReadInGrace;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void removedDevice_withItsFullSavedState_readsNothingLater_whileEveryoneElseReadsEverything(long seed)
      throws CryptoException {
    rnd = new Random(seed);
    FakeClock clock = new FakeClock(GroupTestSupport.START);
    for (DeviceAddress a : ALL) {
      sessions.put(a, GroupTestSupport.session(a, clock, seed * 100 + ALL.indexOf(a)));
      inbox.put(a, new ArrayList<>());
      delivered.put(a, new ArrayList<>());
      read.put(a, new HashMap<>());
    }

    // Join in random order; distributions reach devices that have not joined yet (deferred).
    List<DeviceAddress> joinOrder = new ArrayList<>(ALL);
    java.util.Collections.shuffle(joinOrder, rnd);
    for (DeviceAddress a : joinOrder) {
      distribute(a, sessions.get(a).startEpoch(ROOM, 1, Set.copyOf(ALL)), ALL);
    }

    Set<DeviceAddress> senders = new TreeSet<>(ALL);
    runSteps(300, senders, clock);

    // Carol is removed. Her device drains what it can, then we keep its complete saved state.
    drain(CAROL);
    byte[] carolSaved = sessions.get(CAROL).exportRoom(ROOM).toByteArray();
    int epoch1Count = allSent.size();

    // Everyone but Bob rotates at once; Bob learns of the removal later.
    for (DeviceAddress a : List.of(ALICE1, ALICE2, DAVE)) {
      distribute(a, sessions.get(a).startEpoch(ROOM, 2, REMAINING), List.copyOf(REMAINING));
    }
    senders = new TreeSet<>(List.of(ALICE1, ALICE2, DAVE));
    runSteps(150, senders, clock);
    distribute(BOB, sessions.get(BOB).startEpoch(ROOM, 2, REMAINING), List.copyOf(REMAINING));
    senders.add(BOB);
    runSteps(300, senders, clock);
    for (DeviceAddress a : REMAINING) {
      drain(a);
    }

    // Everyone remaining read every message addressed to them, exactly once.
    for (DeviceAddress a : REMAINING) {
      Map<Long, String> expected = new HashMap<>();
      for (Sent s : allSent) {
        if (!s.from().equals(a)) {
          expected.put(s.id(), s.text());
        }
      }
      assertThat(read.get(a)).as("what %s read", a).isEqualTo(expected);
    }
    // The schedule really exercised replays, late keys and the previous epoch's grace.
    assertThat(duplicatesRejected).isPositive();
    assertThat(bobRetries).isPositive();
    assertThat(epoch1ReadInGrace).isPositive();

    // Carol, with her full saved state restored into a fresh session, reads no later message.
    List<Sent> later = allSent.subList(epoch1Count, allSent.size());
    assertThat(later).hasSizeGreaterThan(50);
    GroupSession restored = GroupTestSupport.session(CAROL, clock, seed * 100 + 99);
    restored.importRoom(SecretBytes.copyOf(carolSaved));
    for (Sent s : later) {
      assertThatThrownBy(() -> restored.decrypt(s.message())).isInstanceOf(NoSenderKeyException.class);
      assertThatThrownBy(() -> sessions.get(CAROL).decrypt(s.message()))
          .isInstanceOf(NoSenderKeyException.class);
    }
    // And no key derivable from any chain she held opens any of them.
    assertNoChainKeyOpens(RoomState.deserialize(carolSaved, 1000, 2000, 1000), later);
  }

  private void runSteps(int steps, Set<DeviceAddress> senders, FakeClock clock) throws CryptoException {
    List<DeviceAddress> senderList = new ArrayList<>(senders);
    for (int i = 0; i < steps; i++) {
      clock.advance(Duration.ofMillis(200));
      if (rnd.nextInt(3) == 0) {
        DeviceAddress from = senderList.get(rnd.nextInt(senderList.size()));
        GroupSession s = sessions.get(from);
        long id = ++nextId;
        String text = from + " says " + id;
        long epoch = s.currentEpoch(ROOM).orElseThrow();
        Sent sent = new Sent(s.encrypt(ROOM, utf8(text), messageId(id), GroupMessage.NO_EXPIRY), from, id, text, epoch);
        allSent.add(sent);
        for (DeviceAddress to : epoch == 1 ? ALL : List.copyOf(REMAINING)) {
          if (!to.equals(from)) {
            inbox.get(to).add(sent);
          }
        }
      } else {
        DeviceAddress to = ALL.get(rnd.nextInt(ALL.size()));
        if (rnd.nextInt(20) == 0 && !delivered.get(to).isEmpty()) {
          redeliver(to);
        } else {
          deliverOne(to);
        }
      }
    }
  }

  private void deliverOne(DeviceAddress to) throws CryptoException {
    List<Sent> box = inbox.get(to);
    if (box.isEmpty()) {
      return;
    }
    Sent s = box.remove(rnd.nextInt(box.size()));
    try {
      DecryptedGroupMessage d = sessions.get(to).decrypt(GroupMessage.parse(s.message().toByteArray()));
      assertThat(d.sender()).isEqualTo(s.from());
      assertThat(d.epoch()).isEqualTo(s.epoch());
      assertThat(d.messageId()).isEqualTo(messageId(s.id()));
      String previous = read.get(to).put(s.id(), new String(d.plaintext(), StandardCharsets.UTF_8));
      assertThat(previous).isNull();
      delivered.get(to).add(s);
      if (s.epoch() == 1 && sessions.get(to).currentEpoch(ROOM).orElseThrow() == 2) {
        epoch1ReadInGrace++;
      }
    } catch (NoSenderKeyException e) {
      // Only Bob, who learns of the new epoch late, may lack a key; he keeps the message.
      assertThat(to).isEqualTo(BOB);
      assertThat(s.epoch()).isEqualTo(2);
      box.add(s);
      bobRetries++;
    }
  }

  private void redeliver(DeviceAddress to) {
    List<Sent> done = delivered.get(to);
    Sent s = done.get(rnd.nextInt(done.size()));
    try {
      sessions.get(to).decrypt(s.message());
      fail("replay of message " + s.id() + " to " + to + " was accepted");
    } catch (DuplicateGroupMessageException e) {
      assertThat(e.messageId()).isEqualTo(messageId(s.id()));
      duplicatesRejected++;
    } catch (CryptoException e) {
      fail("replay to " + to + " raised " + e);
    }
  }

  private void drain(DeviceAddress to) throws CryptoException {
    while (!inbox.get(to).isEmpty()) {
      deliverOne(to);
    }
  }

  private void distribute(DeviceAddress from, SenderKeyDistributionMessage d, List<DeviceAddress> to)
      throws CryptoException {
    byte[] bytes = d.toByteArray();
    for (DeviceAddress a : to) {
      if (!a.equals(from)) {
        DistributionResult r = sessions.get(a).processDistribution(from, bytes);
        assertThat(r).isIn(DistributionResult.ACCEPTED, DistributionResult.DEFERRED);
      }
    }
  }

  private static void assertNoChainKeyOpens(RoomState carol, List<Sent> later) throws CryptoException {
    List<byte[]> chainKeys = new ArrayList<>();
    chainKeys.add(carol.own().chainKeyCopy());
    for (ReceivingChain c : carol.chains().values()) {
      chainKeys.add(c.chainKeyCopy());
    }
    assertThat(chainKeys).hasSize(ALL.size());
    List<Sent> sample = later.subList(0, Math.min(15, later.size()));
    for (byte[] start : chainKeys) {
      byte[] ck = start;
      for (int i = 0; i < 100; i++) {
        byte[] kn = ChainKdf.keyAndNonce(ChainKdf.messageSeed(ck));
        AesGcm aead = AesGcm.create(SecretBytes.copyOf(Arrays.copyOf(kn, 32)));
        byte[] nonce = Arrays.copyOfRange(kn, 32, 44);
        for (Sent s : sample) {
          GroupMessage m = s.message();
          assertThatThrownBy(() -> aead.open(nonce, m.ciphertext(), m.associatedData()))
              .isInstanceOf(CryptoException.class);
        }
        ck = ChainKdf.nextChainKey(ck);
      }
    }
  }
}
