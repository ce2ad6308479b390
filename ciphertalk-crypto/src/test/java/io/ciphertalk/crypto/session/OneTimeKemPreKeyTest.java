package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static io.ciphertalk.crypto.session.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.session.Fixtures.Party;
import org.junit.jupiter.api.Test;

/**
 * One-time ML-KEM prekeys (PQXDH's PQOPK) beside the last-resort KEM prekey: a one-time KEM prekey
 * decapsulates one initial message and is gone; the last-resort one is kept. The bundles here carry
 * no one-time X25519 prekey, so the one-time KEM prekey alone must stop the replay (the case of a
 * directory that ran out of, or withholds, X25519 one-time prekeys).
 */
class OneTimeKemPreKeyTest {

  private static PreKeyBundle bundleWithKem(Party bob, KemPreKey kem) throws CryptoException {
    return PreKeyBundle.builder().address(bob.address).identityKey(bob.identity.publicKey())
        .signedPreKey(bob.signedPreKey).kemPreKey(kem).build();
  }

  private static InitialMessage firstMessage(Party alice, PreKeyBundle bundle, String text)
      throws CryptoException {
    Session s = Session.initiate().identity(alice.identity).localAddress(alice.address)
        .bundle(bundle).suite(HandshakeSuite.PQXDH).trust(alice.trust).random(alice.random).build();
    return (InitialMessage) s.encrypt(bytes(text), id(1), 0);
  }

  @Test
  void oneTimeKemPreKey_isDeletedAfterUse_andAReplayedInitialMessageNamingItFails()
      throws CryptoException {
    Party alice = Fixtures.alice(80);
    Party bob = Fixtures.bob(80);
    KemPreKey oneTime = KemPreKey.generate(bob.identity, 500, bob.random);
    bob.preKeys.addOneTimeKem(oneTime);
    InitialMessage first = firstMessage(alice, bundleWithKem(bob, oneTime), "once");
    assertThat(first.suitePreKeyId()).isEqualTo(500);

    assertThat(bob.accept(alice, first).firstMessage().plaintext()).isEqualTo(bytes("once"));
    assertThat(bob.preKeys.holdsKemPreKey(500)).isFalse();
    assertThat(bob.preKeys.oneTimeKemPreKeyCount()).isZero();

    // The attacker replays the recorded initial message to a fresh responder state (as if the
    // session had been lost): the KEM prekey it names is gone, so no second session is made.
    assertThatThrownBy(() -> bob.accept(alice, first))
        .isInstanceOf(NoSuchPreKeyException.class)
        .satisfies(e -> {
          assertThat(((NoSuchPreKeyException) e).kind()).isEqualTo("kem");
          assertThat(((NoSuchPreKeyException) e).preKeyId()).isEqualTo(500);
        });
  }

  @Test
  void lastResortKemPreKey_isKeptAfterUse_andServesTheNextInitiatorToo() throws CryptoException {
    Party alice = Fixtures.alice(81);
    Party carol = new Party(io.ciphertalk.crypto.DeviceAddress.of("carol", 3),
        io.ciphertalk.crypto.RandomSource.deterministicForTesting(bytes("carol 81")));
    Party bob = Fixtures.bob(81);
    PreKeyBundle lastResort = bundleWithKem(bob, bob.kemPreKey);

    assertThat(bob.accept(alice, firstMessage(alice, lastResort, "a")).firstMessage().plaintext())
        .isEqualTo(bytes("a"));
    assertThat(bob.preKeys.holdsKemPreKey(bob.kemPreKey.id())).isTrue();
    assertThat(bob.accept(carol, firstMessage(carol, lastResort, "c")).firstMessage().plaintext())
        .isEqualTo(bytes("c"));
  }

  @Test
  void forgedInitialMessage_namingAOneTimeKemPreKey_doesNotBurnIt() throws CryptoException {
    Party alice = Fixtures.alice(82);
    Party bob = Fixtures.bob(82);
    KemPreKey oneTime = KemPreKey.generate(bob.identity, 600, bob.random);
    bob.preKeys.addOneTimeKem(oneTime);
    InitialMessage first = firstMessage(alice, bundleWithKem(bob, oneTime), "kept");
    byte[] wire = first.serialize();
    wire[wire.length - 1] ^= 1; // the AEAD tag
    InitialMessage forged = InitialMessage.deserialize(wire);

    assertThatThrownBy(() -> bob.accept(alice, forged)).isInstanceOf(InvalidMessageException.class);
    assertThat(bob.preKeys.holdsKemPreKey(600)).isTrue();
    // The genuine message still goes through, once.
    assertThat(bob.accept(alice, first).firstMessage().plaintext()).isEqualTo(bytes("kept"));
    assertThat(bob.preKeys.holdsKemPreKey(600)).isFalse();
  }

  @Test
  void twoInitialMessages_toTheSameOneTimeKemPreKey_onlyTheFirstSucceeds() throws CryptoException {
    // A hostile directory hands the same one-time KEM prekey to two initiators.
    Party alice = Fixtures.alice(83);
    Party bob = Fixtures.bob(83);
    KemPreKey oneTime = KemPreKey.generate(bob.identity, 700, bob.random);
    bob.preKeys.addOneTimeKem(oneTime);
    PreKeyBundle served = bundleWithKem(bob, oneTime);
    InitialMessage m1 = firstMessage(alice, served, "first");
    InitialMessage m2 = firstMessage(alice, served, "second");

    assertThat(bob.accept(alice, m1).firstMessage().plaintext()).isEqualTo(bytes("first"));
    assertThatThrownBy(() -> bob.accept(alice, m2)).isInstanceOf(NoSuchPreKeyException.class);
  }

  @Test
  void oneTimeKemPreKey_cannotShareAnIdWithTheLastResortKey() {
    Party bob = Fixtures.bob(84);
    KemPreKey clash = KemPreKey.generate(bob.identity, bob.kemPreKey.id(), bob.random);
    assertThatThrownBy(() -> bob.preKeys.addOneTimeKem(clash))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
