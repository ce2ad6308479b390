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
    final HandshakeSuite suite;
    SessionCrypto crypto;
    byte[] bundle;
    final Deque<ServerLink.KeyUpload.OneTimePrekey> oneTime = new ArrayDeque<>();
    final Deque<ServerLink.KeyUpload.KemPrekey> oneTimeKem = new ArrayDeque<>();

    Device(String user, int id) throws CryptoException {
      this(user, id, HandshakeSuite.X3DH);
    }

    Device(String user, int id, HandshakeSuite suite) throws CryptoException {
      address = new DeviceAddress(user, id);
      this.suite = suite;
      reload();
      ServerLink.KeyUpload up = crypto.keysToPublish(5);
      bundle = up.identityAndSignedPrekeys();
      certificates.put(address, up.certificate());
      oneTime.addAll(up.oneTimePrekeys());
      oneTimeKem.addAll(up.oneTimeKemPrekeys());
    }

    void reload() {
      crypto = new SessionCrypto(address, suite, random,
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

  /**
   * The bundle as the directory serves it with a one-time KEM prekey (and, if {@code withEc}, an
   * X25519 one-time prekey): the KEM key replaces the last-resort one, as WireServerLink does.
   */
  private ServerLink.DeviceBundle withOneTimeKem(Device d, boolean withEc)
      throws CryptoException {
    io.ciphertalk.crypto.session.PreKeyBundle base =
        io.ciphertalk.crypto.session.PreKeyBundle.deserialize(d.bundle);
    ServerLink.KeyUpload.KemPrekey kem = d.oneTimeKem.poll();
    byte[] bundle = io.ciphertalk.crypto.session.PreKeyBundle.builder().address(base.address())
        .identityKey(base.identityKey())
        .signedPreKey(base.signedPreKeyId(), base.signedPreKey(), base.signedPreKeySignature())
        .kemPreKey(kem.id(), io.ciphertalk.crypto.MlKem768.PublicKey.of(kem.publicKey()),
            kem.signature())
        .build().serialize();
    return new ServerLink.DeviceBundle(d.address, bundle, withEc ? d.oneTime.poll() : null,
        certificates.get(d.address));
  }

  @Test
  void oneTimeKemPrekeys_arePublishedSigned_andStoredAsOneTime() throws CryptoException {
    Device bob = new Device("bob", 1, HandshakeSuite.PQXDH);
    assertThat(bob.oneTimeKem).hasSize(5);
    assertThat(bob.store.preKeys().preKeyIds(io.ciphertalk.core.store.PreKeyType.ONE_TIME_KEM))
        .containsExactlyElementsOf(bob.oneTimeKem.stream().map(k -> k.id()).toList());
    // The last-resort KEM prekey is the bundle's; it is not among the one-time ones.
    int lastResort = io.ciphertalk.crypto.session.PreKeyBundle.deserialize(bob.bundle)
        .kemPreKeyId().getAsInt();
    assertThat(bob.store.preKeys().preKeyIds(io.ciphertalk.core.store.PreKeyType.KEM))
        .containsExactly(lastResort);
    // A refill adds as many one-time KEM prekeys as X25519 ones, so the two stocks stay level.
    ServerLink.KeyUpload refill = bob.crypto.refillOneTimePrekeys(40);
    assertThat(refill.oneTimePrekeys()).hasSize(40);
    assertThat(refill.oneTimeKemPrekeys()).hasSize(40);
    assertThat(bob.store.preKeys().preKeyIds(io.ciphertalk.core.store.PreKeyType.ONE_TIME_KEM))
        .hasSize(45);
  }

  @Test
  void oneTimeKemPrekey_isDeletedAfterUse_andAReplayedInitialMessageNamingItFails()
      throws CryptoException {
    Device alice = new Device("alice", 1, HandshakeSuite.PQXDH);
    Device bob = new Device("bob", 1, HandshakeSuite.PQXDH);
    // No X25519 one-time prekey left at the directory: only the one-time KEM prekey stops replays.
    ServerLink.DeviceBundle served = withOneTimeKem(bob, false);
    int kemId = io.ciphertalk.crypto.session.PreKeyBundle.deserialize(served.bundle())
        .kemPreKeyId().getAsInt();
    alice.crypto.startSession(served);
    Msg first = send(alice, bob, "hello");
    deliver(first, bob);
    assertThat(bob.store.preKeys().loadPreKey(io.ciphertalk.core.store.PreKeyType.ONE_TIME_KEM,
        kemId)).isEmpty();

    // The attacker replays the initial message after bob lost the session (restored from a copy
    // without it, or reset): the KEM prekey it names is gone, so no second session is accepted.
    bob.store.sessions().deleteSession(alice.address);
    bob.reload();
    assertThatThrownBy(() -> bob.crypto.decrypt(alice.address, first.ct(), first.id(), null))
        .isInstanceOf(io.ciphertalk.crypto.session.NoSuchPreKeyException.class)
        .hasMessageContaining("kem");
    assertThat(bob.crypto.hasSession(alice.address)).isFalse();
  }

  @Test
  void lastResortKemPrekey_survivesUse_untilRotatedAndItsGracePasses() throws CryptoException {
    Device alice = new Device("alice", 1, HandshakeSuite.PQXDH);
    Device bob = new Device("bob", 1, HandshakeSuite.PQXDH);
    int lastResort = io.ciphertalk.crypto.session.PreKeyBundle.deserialize(bob.bundle)
        .kemPreKeyId().getAsInt();
    establish(alice, bob); // the directory ran out of one-time KEM prekeys: the last-resort one
    assertThat(bob.store.preKeys().preKeyIds(io.ciphertalk.core.store.PreKeyType.KEM))
        .containsExactly(lastResort);
    bob.crypto.rotateSignedPrekey();
    clock.advance(SessionCrypto.DEFAULT_PREKEY_GRACE.minusSeconds(1));
    bob.crypto.deleteExpiredPreKeys();
    assertThat(bob.store.preKeys().preKeyIds(io.ciphertalk.core.store.PreKeyType.KEM))
        .contains(lastResort);
    clock.advance(java.time.Duration.ofSeconds(2));
    bob.crypto.deleteExpiredPreKeys();
    assertThat(bob.store.preKeys().preKeyIds(io.ciphertalk.core.store.PreKeyType.KEM))
        .doesNotContain(lastResort).hasSize(1);
    // Unused one-time KEM prekeys are not retired by the rotation: they go when used.
    assertThat(bob.store.preKeys().preKeyIds(io.ciphertalk.core.store.PreKeyType.ONE_TIME_KEM))
        .hasSize(5);
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
