package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static io.ciphertalk.crypto.session.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.Fixtures.Party;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SessionRoundTripTest {

  @ParameterizedTest
  @EnumSource(HandshakeSuite.class)
  void aliceAndBob_exchangeMessagesBothWays_withEverySuite(HandshakeSuite suite) throws Exception {
    Party alice = Fixtures.alice(1);
    Party bob = Fixtures.bob(1);
    Session a = alice.initiate(bob, suite);
    assertThat(a.hasPendingHandshake()).isTrue();

    EncryptedMessage m1 = a.encrypt(bytes("hello bob"), id(1), 1_700_000_000_000L);
    EncryptedMessage m2 = a.encrypt(bytes("are you there?"), id(2), Session.NO_EXPIRY);
    assertThat(m1).isInstanceOf(InitialMessage.class);
    assertThat(m1.suite()).isEqualTo(suite);

    Session.Established est =
        bob.accept(alice, EncryptedMessage.deserialize(m1.serialize()));
    Session b = est.session();
    assertThat(est.firstMessage().plaintext()).isEqualTo(bytes("hello bob"));
    assertThat(est.firstMessage().messageId()).isEqualTo(id(1));
    assertThat(est.firstMessage().expiresAtEpochMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(est.firstMessage().sender()).isEqualTo(Fixtures.ALICE);
    assertThat(b.isSameHandshake((InitialMessage) m2)).isTrue();
    assertThat(b.decrypt(EncryptedMessage.deserialize(m2.serialize())).plaintext())
        .isEqualTo(bytes("are you there?"));

    EncryptedMessage r1 = b.encrypt(bytes("hi alice"), id(3), Session.NO_EXPIRY);
    assertThat(r1).isInstanceOf(RatchetMessage.class);
    assertThat(a.decrypt(EncryptedMessage.deserialize(r1.serialize())).plaintext())
        .isEqualTo(bytes("hi alice"));
    assertThat(a.hasPendingHandshake()).isFalse();

    for (int round = 0; round < 5; round++) {
      EncryptedMessage x = a.encrypt(bytes("a" + round), id(10 + round), Session.NO_EXPIRY);
      assertThat(x).isInstanceOf(RatchetMessage.class);
      assertThat(b.decrypt(x).plaintext()).isEqualTo(bytes("a" + round));
      EncryptedMessage y = b.encrypt(bytes("b" + round), id(20 + round), Session.NO_EXPIRY);
      assertThat(a.decrypt(y).plaintext()).isEqualTo(bytes("b" + round));
    }
  }

  @ParameterizedTest
  @EnumSource(HandshakeSuite.class)
  void serializedState_roundTrips_andKeepsWorking(HandshakeSuite suite) throws Exception {
    Party alice = Fixtures.alice(2);
    Party bob = Fixtures.bob(2);
    Session a = alice.initiate(bob, suite);
    SecretBytes aState = a.serialize();
    Session a2 = Session.deserialize(aState, alice.random);
    assertThat(a2.serialize().equalsConstantTime(aState)).isTrue();
    EncryptedMessage m1 = a2.encrypt(bytes("x"), id(1), Session.NO_EXPIRY);
    Session b = bob.accept(alice, m1).session();
    Session b2 = Session.deserialize(b.serialize(), bob.random);
    EncryptedMessage r = b2.encrypt(bytes("y"), id(2), Session.NO_EXPIRY);
    assertThat(a2.decrypt(r).plaintext()).isEqualTo(bytes("y"));
    assertThat(Session.deserialize(a2.serialize()).serialize().equalsConstantTime(a2.serialize()))
        .isTrue();
  }

  @ParameterizedTest
  @EnumSource(HandshakeSuite.class)
  void wipedSession_refusesUse(HandshakeSuite suite) throws Exception {
    Session a = Fixtures.alice(3).initiate(Fixtures.bob(3), suite);
    a.wipe();
    assertThatThrownBy(() -> a.encrypt(bytes("x"), id(1), 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(a::serialize).isInstanceOf(IllegalStateException.class);
  }
}
