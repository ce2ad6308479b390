package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.store.memory.InMemoryLocalStore;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.EncryptedMessage;
import io.ciphertalk.crypto.session.HandshakeSuite;
import io.ciphertalk.crypto.session.InitialMessage;
import io.ciphertalk.crypto.session.InvalidMessageException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pairwise session handling of the client SDK ({@link SessionCrypto}) when sessions cross or are
 * replaced: no envelope may become undecryptable because of it.
 */
class SessionCryptoTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private int seed;

  /** The directory's certificates. */
  private final java.util.Map<DeviceAddress, byte[]> certificates = new java.util.HashMap<>();

  /** One device with its store; {@code reload()} simulates a restart (only the store survives). */
  private final class Device {
    final DeviceAddress address;
    final InMemoryLocalStore store = InMemoryLocalStore.create(clock);
    final RandomSource random = RandomSource.deterministicForTesting(new byte[] {(byte) ++seed});
    SessionCrypto crypto;
    byte[] bundle;
    final Deque<ServerLink.KeyUpload.OneTimePrekey> oneTime = new ArrayDeque<>();

    Device(String user, int id) throws CryptoException {
      address = new DeviceAddress(user, id);
      reload();
      ServerLink.KeyUpload up = crypto.keysToPublish(5);
      bundle = up.identityAndSignedPrekeys();
      certificates.put(address, up.certificate());
      oneTime.addAll(up.oneTimePrekeys());
    }

    void reload() {
      crypto = new SessionCrypto(address, HandshakeSuite.X3DH, random,
          new SenderKeyGroups(address, random, clock, store.senderKeys()), store, false, clock,
          SessionCrypto.DEFAULT_PREKEY_GRACE);
      crypto.certificateSource((d, fresh) -> java.util.Optional.ofNullable(certificates.get(d)));
      if (!crypto.hasAccountKey()) {
        crypto.createAccount();
      }
    }

    ServerLink.DeviceBundle fetched() {
      return new ServerLink.DeviceBundle(address, bundle, oneTime.poll(), certificates.get(address));
    }
  }

  private record Msg(DeviceAddress from, DeviceAddress to, MessageId id, byte[] ct, String text) {}

  private Msg send(Device from, Device to, String text) throws CryptoException {
    MessageId id = MessageId.generate(clock, from.random);
    byte[] ct = from.crypto.encrypt(to.address, text.getBytes(StandardCharsets.UTF_8), id, null);
    return new Msg(from.address, to.address, id, ct, text);
  }

  private static void deliver(Msg m, Device to) throws CryptoException {
    byte[] pt = to.crypto.decrypt(m.from(), m.ct(), m.id(), null);
    assertThat(new String(pt, StandardCharsets.UTF_8)).isEqualTo(m.text());
  }

  private void converse(Device a, Device b, int rounds) throws CryptoException {
    for (int i = 0; i < rounds; i++) {
      deliver(send(a, b, "a" + i), b);
      deliver(send(b, a, "b" + i), a);
    }
  }

  private void establish(Device a, Device b) throws CryptoException {
    a.crypto.startSession(b.fetched());
    converse(a, b, 1);
  }

  @ParameterizedTest(name = "delivery order {0}")
  @ValueSource(ints = {0, 1, 2, 3})
  void crossedInitiation_everyMessageDecrypts_andBothConvergeOnOneSession(int order)
      throws CryptoException {
    Device alice = new Device("alice", 1);
    Device bob = new Device("bob", 1);
    alice.crypto.startSession(bob.fetched());
    bob.crypto.startSession(alice.fetched());
    Msg a1 = send(alice, bob, "a1");
    Msg a2 = send(alice, bob, "a2");
    Msg b1 = send(bob, alice, "b1");
    Msg b2 = send(bob, alice, "b2");
    switch (order) {
      case 0 -> { // alice's handshake reaches bob first
        deliver(a1, bob);
        deliver(b1, alice);
      }
      case 1 -> { // bob's handshake reaches alice first
        deliver(b1, alice);
        deliver(a1, bob);
      }
      case 2 -> { // bob answers on the session he adopted before alice sees his own handshake
        deliver(a1, bob);
        Msg reply = send(bob, alice, "reply");
        deliver(b1, alice);
        deliver(reply, alice);
      }
      default -> { // alice answers on the session she adopted before bob sees her handshake
        deliver(b1, alice);
        Msg reply = send(alice, bob, "reply");
        deliver(a1, bob);
        deliver(reply, bob);
      }
    }
    // Messages still in flight under both handshakes, one side restarted from its store.
    alice.reload();
    deliver(b2, alice);
    deliver(a2, bob);
    converse(alice, bob, 3);
    converse(bob, alice, 3);

    // Both send on the handshake of the smaller address (alice.1), whatever the order.
    SessionRecord ra = alice.crypto.recordForTesting(bob.address);
    SessionRecord rb = bob.crypto.recordForTesting(alice.address);
    assertThat(ra.current().hasPendingHandshake()).isFalse();
    assertThat(ra.previous()).hasSize(1);
    assertThat(rb.previous()).hasSize(1);
    InitialMessage aliceHandshake = (InitialMessage) EncryptedMessage.deserialize(a1.ct());
    InitialMessage bobHandshake = (InitialMessage) EncryptedMessage.deserialize(b1.ct());
    assertThat(rb.current().isSameHandshake(aliceHandshake)).isTrue();
    assertThat(ra.find(bobHandshake)).isSameAs(ra.previous().get(0));
    assertThat(rb.current().hasPendingHandshake()).isFalse();
  }

  @Test
  void peerThatReestablishes_stillHasItsInFlightMessagesUnderTheOldSessionDecrypted()
      throws CryptoException {
    Device alice = new Device("alice", 1);
    Device bob = new Device("bob", 1);
    establish(alice, bob);
    Msg old1 = send(bob, alice, "old1");
    Msg old2 = send(bob, alice, "old2");
    // Bob loses his session (e.g. it became unreadable) and starts a new one.
    bob.store.sessions().deleteSession(alice.address);
    bob.reload();
    bob.crypto.startSession(alice.fetched());
    Msg new1 = send(bob, alice, "new1");
    deliver(new1, alice);
    deliver(old2, alice);
    alice.reload();
    deliver(old1, alice);
    converse(alice, bob, 3);
    assertThat(alice.crypto.recordForTesting(bob.address).previous()).hasSize(1);
  }

  @Test
  void repeatedReestablishment_keepsAtMostFourPreviousSessions() throws CryptoException {
    Device alice = new Device("alice", 1);
    Device bob = new Device("bob", 1);
    establish(alice, bob);
    for (int i = 0; i < 6; i++) {
      bob.store.sessions().deleteSession(alice.address);
      bob.reload();
      bob.crypto.startSession(alice.fetched());
      converse(bob, alice, 1);
    }
    SessionRecord r = alice.crypto.recordForTesting(bob.address);
    assertThat(r.previous()).hasSize(SessionRecord.MAX_PREVIOUS);
    alice.reload();
    assertThat(alice.crypto.recordForTesting(bob.address).previous())
        .hasSize(SessionRecord.MAX_PREVIOUS);
    converse(alice, bob, 2);
  }

  @Test
  void forgedMessage_isRejected_andTheNextGenuineOneStillDecrypts() throws CryptoException {
    Device alice = new Device("alice", 1);
    Device bob = new Device("bob", 1);
    establish(alice, bob);
    bob.store.sessions().deleteSession(alice.address);
    bob.reload();
    bob.crypto.startSession(alice.fetched());
    converse(bob, alice, 1); // alice now holds a previous session too
    Msg genuine = send(bob, alice, "genuine");
    byte[] forged = genuine.ct().clone();
    forged[forged.length - 1] ^= 1;
    assertThatThrownBy(() -> alice.crypto.decrypt(bob.address, forged, genuine.id(), null))
        .isInstanceOf(InvalidMessageException.class);
    deliver(genuine, alice);
  }

  @Test
  void storedBareSessionOfTheEarlierFormat_isStillRead() throws CryptoException {
    Device alice = new Device("alice", 1);
    Device bob = new Device("bob", 1);
    establish(alice, bob);
    io.ciphertalk.crypto.SecretBytes bare =
        alice.crypto.recordForTesting(bob.address).current().serialize();
    alice.store.sessions().storeSession(bob.address, bare.toByteArray());
    bare.wipe();
    alice.reload();
    converse(alice, bob, 2);
  }
}
