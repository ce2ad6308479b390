package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static io.ciphertalk.crypto.session.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.HmacSha256;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.Fixtures.Party;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SessionSecurityTest {

  @ParameterizedTest
  @EnumSource(HandshakeSuite.class)
  void replayedMessage_isRejectedAsDuplicate_withItsId_andNoStateChange(HandshakeSuite suite)
      throws Exception {
    Party alice = Fixtures.alice(10);
    Party bob = Fixtures.bob(10);
    Session a = alice.initiate(bob, suite);
    EncryptedMessage m1 = a.encrypt(bytes("one"), id(1), 0);
    Session b = bob.accept(alice, m1).session();
    SecretBytes before = b.serialize();
    assertThatThrownBy(() -> b.decrypt(m1))
        .isInstanceOfSatisfying(DuplicateMessageException.class,
            e -> assertThat(e.messageId()).isEqualTo(id(1)));
    assertThat(b.serialize().equalsConstantTime(before)).isTrue();

    EncryptedMessage r1 = b.encrypt(bytes("two"), id(2), 0);
    a.decrypt(r1);
    assertThatThrownBy(() -> a.decrypt(r1)).isInstanceOf(DuplicateMessageException.class);
  }

  @Test
  void jumpBeyondMaxSkip_isRejected_andSessionStillWorks() throws Exception {
    Party alice = Fixtures.alice(11);
    Party bob = Fixtures.bob(11);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    Session b = bob.accept(alice, a.encrypt(bytes("0"), id(0), 0)).session();
    List<EncryptedMessage> sent = new ArrayList<>();
    for (int i = 1; i <= Session.MAX_SKIP + 2; i++) {
      sent.add(a.encrypt(bytes("m" + i), id(i), 0));
    }
    SecretBytes before = b.serialize();
    EncryptedMessage last = sent.get(sent.size() - 1);
    assertThatThrownBy(() -> b.decrypt(last)).isInstanceOf(TooManySkippedMessagesException.class);
    assertThat(b.serialize().equalsConstantTime(before)).isTrue();
    // Exactly MAX_SKIP skipped keys is allowed, and every skipped message still decrypts.
    EncryptedMessage atBound = sent.get(Session.MAX_SKIP);
    assertThat(b.decrypt(atBound).plaintext()).isEqualTo(bytes("m" + (Session.MAX_SKIP + 1)));
    for (int i = Session.MAX_SKIP - 1; i >= 0; i -= 97) {
      assertThat(b.decrypt(sent.get(i)).plaintext()).isEqualTo(bytes("m" + (i + 1)));
    }
    assertThat(b.decrypt(last).plaintext()).isEqualTo(bytes("m" + (Session.MAX_SKIP + 2)));
  }

  @Test
  void skippedKeys_areBoundedInTotal_oldestEvictedFirst() throws Exception {
    Party alice = Fixtures.alice(20);
    Party bob = Fixtures.bob(20);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    Session b = bob.accept(alice, a.encrypt(bytes("0"), id(0), 0)).session();
    a.decrypt(b.encrypt(bytes("r"), id(0), 0));
    List<List<EncryptedMessage>> chains = new ArrayList<>();
    for (int chain = 0; chain < 3; chain++) {
      List<EncryptedMessage> sent = new ArrayList<>();
      for (int i = 0; i <= Session.MAX_SKIP; i++) {
        sent.add(a.encrypt(bytes(chain + ":" + i), id(i), 0));
      }
      // Only the last of each chain arrives: MAX_SKIP keys are kept per chain.
      b.decrypt(sent.get(Session.MAX_SKIP));
      a.decrypt(b.encrypt(bytes("turn"), id(0), 0));
      chains.add(sent);
    }
    // 3 x 2000 skipped keys > 5000: the 1000 oldest (chain 0, messages 0..999) were evicted.
    int evicted = 3 * Session.MAX_SKIP - Session.MAX_SKIPPED_KEYS;
    assertThatThrownBy(() -> b.decrypt(chains.get(0).get(0)))
        .isInstanceOf(DuplicateMessageException.class);
    assertThatThrownBy(() -> b.decrypt(chains.get(0).get(evicted - 1)))
        .isInstanceOf(DuplicateMessageException.class);
    assertThat(b.decrypt(chains.get(0).get(evicted)).plaintext()).isEqualTo(bytes("0:" + evicted));
    assertThat(b.decrypt(chains.get(2).get(0)).plaintext()).isEqualTo(bytes("2:0"));
    assertThat(b.serialize().length()).isLessThan(Session.MAX_SKIPPED_KEYS * 68 + 2048);
  }

  @Test
  void oneTimePreKey_isConsumedOnce() throws Exception {
    Party alice = Fixtures.alice(12);
    Party bob = Fixtures.bob(12);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    EncryptedMessage m1 = a.encrypt(bytes("hi"), id(1), 0);
    int opk = ((InitialMessage) m1).oneTimePreKeyId().getAsInt();
    assertThat(bob.preKeys.oneTimePreKey(opk)).isPresent();
    bob.accept(alice, m1);
    assertThat(bob.preKeys.oneTimePreKey(opk)).isEmpty();
    assertThatThrownBy(() -> bob.accept(alice, m1))
        .isInstanceOfSatisfying(NoSuchPreKeyException.class, e -> {
          assertThat(e.preKeyId()).isEqualTo(opk);
          assertThat(e.kind()).isEqualTo("one-time");
        });
  }

  @Test
  void forgedInitialMessage_doesNotConsumeOneTimePreKey_orRecordTrust() throws Exception {
    Party alice = Fixtures.alice(13);
    Party bob = Fixtures.bob(13);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    byte[] m = a.encrypt(bytes("hi"), id(1), 0).serialize();
    m[m.length - 1] ^= 1;
    int before = bob.preKeys.oneTimePreKeyCount();
    assertThatThrownBy(() -> bob.accept(alice, EncryptedMessage.deserialize(m)))
        .isInstanceOf(InvalidMessageException.class);
    assertThat(bob.preKeys.oneTimePreKeyCount()).isEqualTo(before);
    assertThat(bob.trust.trustedKey(Fixtures.ALICE)).isEmpty();
  }

  @Test
  void initialMessage_relabelledByTheServerAsAnotherSender_isRejected_andPinsNothing()
      throws Exception {
    Party alice = Fixtures.alice(16);
    Party bob = Fixtures.bob(16);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    EncryptedMessage m = a.encrypt(bytes("from alice.1"), id(1), 0);
    int before = bob.preKeys.oneTimePreKeyCount();
    // The server delivers alice.1's initial message as if carol.5 (or alice.9) had sent it.
    for (DeviceAddress claimed : new DeviceAddress[] {DeviceAddress.of("carol", 5),
        DeviceAddress.of("alice", 9)}) {
      assertThatThrownBy(() -> bob.accept(claimed, m)).as("as %s", claimed)
          .isInstanceOf(InvalidMessageException.class);
      assertThat(bob.trust.trustedKey(claimed)).isEmpty();
    }
    assertThat(bob.preKeys.oneTimePreKeyCount()).isEqualTo(before);
    // Delivered under its true sender it still works.
    assertThat(bob.accept(alice, m).firstMessage().plaintext()).isEqualTo(bytes("from alice.1"));
  }

  @Test
  void changedIdentity_isSurfaced_toInitiatorAndResponder_untilRetrusted() throws Exception {
    Party alice = Fixtures.alice(14);
    Party bob = Fixtures.bob(14);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    bob.accept(alice, a.encrypt(bytes("hi"), id(1), 0));

    // Bob reinstalls: new identity, same address.
    Party newBob = Fixtures.bob(99);
    assertThatThrownBy(() -> alice.initiate(newBob, HandshakeSuite.X3DH))
        .isInstanceOfSatisfying(UntrustedIdentityException.class, e -> {
          assertThat(e.address()).isEqualTo(Fixtures.BOB);
          assertThat(e.identityKey()).isEqualTo(newBob.identity.publicKey());
        });
    alice.trust.trust(Fixtures.BOB, newBob.identity.publicKey());
    assertThat(alice.initiate(newBob, HandshakeSuite.X3DH)).isNotNull();

    // Alice reinstalls; Bob's side sees the new key on her initial message.
    Party newAlice = Fixtures.alice(98);
    Session a2 = newAlice.initiate(bob, HandshakeSuite.X3DH);
    EncryptedMessage m = a2.encrypt(bytes("new phone"), id(2), 0);
    int opks = bob.preKeys.oneTimePreKeyCount();
    assertThatThrownBy(() -> bob.accept(newAlice, m))
        .isInstanceOfSatisfying(UntrustedIdentityException.class, e -> {
          assertThat(e.address()).isEqualTo(Fixtures.ALICE);
          assertThat(e.identityKey()).isEqualTo(newAlice.identity.publicKey());
        });
    assertThat(bob.preKeys.oneTimePreKeyCount()).isEqualTo(opks);
    bob.trust.trust(Fixtures.ALICE, newAlice.identity.publicKey());
    assertThat(bob.accept(newAlice, m).firstMessage().plaintext()).isEqualTo(bytes("new phone"));
  }

  @Test
  void forwardSecrecy_stateAfterDecrypt_holdsNoKeyThatOpensTheMessage() throws Exception {
    Party alice = Fixtures.alice(15);
    Party bob = Fixtures.bob(15);
    Session a = alice.initiate(bob, HandshakeSuite.PQXDH);
    Session b = bob.accept(alice, a.encrypt(bytes("0"), id(0), 0)).session();
    a.decrypt(b.encrypt(bytes("r"), id(1), 0));
    // Leave some skipped keys in the state too, so the search is not trivially empty.
    EncryptedMessage skippedOne = a.encrypt(bytes("skipped"), id(2), 0);
    EncryptedMessage target = a.encrypt(bytes("secret"), id(3), 0);
    b.decrypt(target);
    assertThat(skippedOne).isNotNull();

    byte[] state = b.serialize().toByteArray();
    byte[] msg = target.serialize();
    int header = MessageCodec.RATCHET_HEADER_LENGTH;
    byte[] nonce = Arrays.copyOfRange(msg, header - 12, header);
    byte[] ad = Kdfs2.concat(alice.identity.publicKey().publicKeyBytes(),
        bob.identity.publicKey().publicKeyBytes(), Arrays.copyOfRange(msg, 0, header));
    byte[] ct = Arrays.copyOfRange(msg, header, msg.length);
    // forwardSecrecyCheck_wouldDetectARetainedKey shows this search finds a key when one is there.
    int tried = 0;
    for (int off = 0; off + 32 <= state.length; off++) {
      byte[] window = Arrays.copyOfRange(state, off, off + 32);
      assertThat(opens(window, nonce, ct, ad)).as("state bytes at %d open the message", off)
          .isFalse();
      byte[] asChainKey = HmacSha256.computeWithKey(window, new byte[] {1});
      assertThat(opens(asChainKey, nonce, ct, ad)).as("chain key at %d opens the message", off)
          .isFalse();
      tried++;
    }
    assertThat(tried).isGreaterThan(500);
  }

  @Test
  void forwardSecrecyCheck_wouldDetectARetainedKey() throws Exception {
    // The same search as above succeeds on the state of a receiver that has NOT yet decrypted.
    Party alice = Fixtures.alice(16);
    Party bob = Fixtures.bob(16);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    Session b = bob.accept(alice, a.encrypt(bytes("0"), id(0), 0)).session();
    a.decrypt(b.encrypt(bytes("r"), id(1), 0));
    b.decrypt(a.encrypt(bytes("warm"), id(2), 0)); // Bob now holds the chain key of Alice's chain
    EncryptedMessage target = a.encrypt(bytes("secret"), id(3), 0);
    byte[] state = b.serialize().toByteArray();
    byte[] msg = target.serialize();
    int header = MessageCodec.RATCHET_HEADER_LENGTH;
    byte[] nonce = Arrays.copyOfRange(msg, header - 12, header);
    byte[] ad = Kdfs2.concat(alice.identity.publicKey().publicKeyBytes(),
        bob.identity.publicKey().publicKeyBytes(), Arrays.copyOfRange(msg, 0, header));
    byte[] ct = Arrays.copyOfRange(msg, header, msg.length);
    boolean found = false;
    for (int off = 0; off + 32 <= state.length && !found; off++) {
      byte[] window = Arrays.copyOfRange(state, off, off + 32);
      found = opens(HmacSha256.computeWithKey(window, new byte[] {1}), nonce, ct, ad);
    }
    assertThat(found).isTrue();
  }

  private static boolean opens(byte[] key, byte[] nonce, byte[] ct, byte[] ad) throws Exception {
    try {
      AesGcm.create(SecretBytes.copyOf(key)).open(nonce, ct, ad);
      return true;
    } catch (CryptoException e) {
      return false;
    }
  }

  @ParameterizedTest
  @EnumSource(HandshakeSuite.class)
  void postCompromise_fullRatchetRoundTrip_locksOutAnAttackerWithAStateCopy(HandshakeSuite suite)
      throws Exception {
    Party alice = Fixtures.alice(17);
    Party bob = Fixtures.bob(17);
    Session a = alice.initiate(bob, suite);
    Session b = bob.accept(alice, a.encrypt(bytes("0"), id(0), 0)).session();
    a.decrypt(b.encrypt(bytes("1"), id(1), 0));

    // The attacker copies Alice's whole state, and later sees every message on the wire.
    Session attacker = Session.deserialize(a.serialize(),
        io.ciphertalk.crypto.RandomSource.deterministicForTesting(bytes("attacker")));

    EncryptedMessage m2 = a.encrypt(bytes("2"), id(2), 0);
    b.decrypt(m2);
    EncryptedMessage m3 = b.encrypt(bytes("3"), id(3), 0);
    // Still compromised: the attacker reads Bob's reply to Alice's compromised ratchet key.
    assertThat(attacker.decrypt(m3).plaintext()).isEqualTo(bytes("3"));
    a.decrypt(m3);
    EncryptedMessage m4 = a.encrypt(bytes("4"), id(4), 0); // Alice's fresh ratchet key
    b.decrypt(m4);
    EncryptedMessage m5 = b.encrypt(bytes("5"), id(5), 0);
    assertThat(a.decrypt(m5).plaintext()).isEqualTo(bytes("5"));
    // Healed: the attacker cannot read Bob's messages after the round trip.
    assertThatThrownBy(() -> attacker.decrypt(m5)).isInstanceOf(InvalidMessageException.class);
    EncryptedMessage m6 = b.encrypt(bytes("6"), id(6), 0);
    assertThatThrownBy(() -> attacker.decrypt(m6)).isInstanceOf(InvalidMessageException.class);
    assertThat(a.decrypt(m6).plaintext()).isEqualTo(bytes("6"));
  }

  @Test
  void messageForAnotherSuite_isRejected() throws Exception {
    Party alice = Fixtures.alice(18);
    Party bob = Fixtures.bob(18);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    Session b = bob.accept(alice, a.encrypt(bytes("0"), id(0), 0)).session();
    byte[] r = b.encrypt(bytes("1"), id(1), 0).serialize();
    r[2] = (byte) HandshakeSuite.PQXDH.code();
    EncryptedMessage forged = EncryptedMessage.deserialize(r);
    assertThatThrownBy(() -> a.decrypt(forged)).isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void oversizedPlaintext_isRefused() throws Exception {
    Session a = Fixtures.alice(19).initiate(Fixtures.bob(19), HandshakeSuite.X3DH);
    assertThatThrownBy(() -> a.encrypt(new byte[Session.MAX_PLAINTEXT_LENGTH + 1], id(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Tiny local concat so the test does not depend on internal helpers. */
  private static final class Kdfs2 {
    static byte[] concat(byte[]... parts) {
      int n = 0;
      for (byte[] p : parts) {
        n += p.length;
      }
      byte[] out = new byte[n];
      int off = 0;
      for (byte[] p : parts) {
        System.arraycopy(p, 0, out, off, p.length);
        off += p.length;
      }
      return out;
    }
  }
}
