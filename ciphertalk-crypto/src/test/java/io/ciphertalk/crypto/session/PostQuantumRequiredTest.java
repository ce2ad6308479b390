package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static io.ciphertalk.crypto.session.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.session.Fixtures.Party;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A responder that requires the post-quantum suite cannot be talked down to a classical one. */
class PostQuantumRequiredTest {

  private static Session.ResponderBuilder pqOnly(Party bob, Party alice) {
    return Session.respond().identity(bob.identity).preKeys(bob.preKeys).trust(bob.trust)
        .remoteAddress(alice.address).localAddress(bob.address).random(bob.random)
        .requirePostQuantum(true);
  }

  @ParameterizedTest
  @EnumSource(value = HandshakeSuite.class, names = {"X3DH", "RSA_OAEP"})
  void pqRequiringResponder_refusesAClassicalHandshake_withATypedError_andConsumesNothing(
      HandshakeSuite classical) throws CryptoException {
    Party alice = Fixtures.alice(70);
    Party bob = Fixtures.bob(70);
    EncryptedMessage first = alice.initiate(bob, classical).encrypt(bytes("downgraded"), id(1), 0);
    int oneTimeBefore = bob.preKeys.oneTimePreKeyCount();

    assertThatThrownBy(() -> pqOnly(bob, alice).accept((InitialMessage) first))
        .isInstanceOf(SuiteNotAcceptedException.class)
        .satisfies(e -> assertThat(((SuiteNotAcceptedException) e).suite()).isEqualTo(classical));
    assertThat(bob.preKeys.oneTimePreKeyCount()).isEqualTo(oneTimeBefore);
    // The same message is accepted by a responder that does not insist: the refusal is the option.
    assertThat(bob.accept(alice, first).firstMessage().plaintext()).isEqualTo(bytes("downgraded"));
  }

  @Test
  void pqRequiringResponder_acceptsPqxdh() throws CryptoException {
    Party alice = Fixtures.alice(71);
    Party bob = Fixtures.bob(71);
    EncryptedMessage first = alice.initiate(bob, HandshakeSuite.PQXDH).encrypt(bytes("hybrid"), id(1), 0);
    Session.Established est = pqOnly(bob, alice).accept((InitialMessage) first);
    assertThat(est.firstMessage().plaintext()).isEqualTo(bytes("hybrid"));
    assertThat(est.session().suite()).isEqualTo(HandshakeSuite.PQXDH);
  }
}
