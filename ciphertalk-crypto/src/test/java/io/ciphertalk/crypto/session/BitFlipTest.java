package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static io.ciphertalk.crypto.session.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.Fixtures.Party;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flips every bit of every message type (every field: version, type, suite, identity key, base
 * key, prekey ids, KEM/RSA ciphertext, ratchet key, counters, message id, expiry, nonce,
 * ciphertext, tag) and expects rejection with a typed exception, no state change, and the next
 * genuine message still decrypting.
 *
 * <p>One exception keeps the run short on a shared machine: when an initial message is offered to a
 * responder that has no session yet, each flip costs a whole handshake (for PQXDH an ML-KEM-768
 * decapsulation, for RSA_OAEP an RSA-3072 decryption, about 1.5 ms), so for those two suites step 1
 * flips one bit of every byte (a different bit position in consecutive bytes) instead of all eight.
 * X3DH, which shares all of that code path except the suite secret, gets every bit in step 1, and
 * every bit of every message of every suite is flipped in steps 2 and 3.
 */
class BitFlipTest {

  @ParameterizedTest
  @EnumSource(HandshakeSuite.class)
  void everyFlippedBit_ofEveryMessageType_isRejected_andTheGenuineMessageStillDecrypts(
      HandshakeSuite suite) throws Exception {
    Party alice = Fixtures.alice(40);
    Party bob = Fixtures.bob(40);
    Session a = alice.initiate(bob, suite);
    EncryptedMessage first = a.encrypt(bytes("first"), id(1), 1234L);
    EncryptedMessage second = a.encrypt(bytes("second"), id(2), 0);

    // 1. Initial message, before the responder has a session: accept must fail, consume nothing
    //    and record no trust.
    byte[] genuine = first.serialize();
    int opks = bob.preKeys.oneTimePreKeyCount();
    boolean everyBit = suite == HandshakeSuite.X3DH;
    int tried = 0;
    for (int bit = 0; bit < genuine.length * 8; bit++) {
      if (!everyBit && bit % 8 != (bit / 8) % 8) {
        continue; // one bit per byte for the slow suites here; see the class comment
      }
      tried++;
      byte[] flipped = flip(genuine, bit);
      try {
        bob.accept(alice, parse(flipped));
        fail("flipped bit " + bit + " of the initial message was accepted");
      } catch (CryptoException expected) {
        // rejected
      }
    }
    assertThat(tried).isEqualTo(everyBit ? genuine.length * 8 : genuine.length);
    assertThat(bob.preKeys.oneTimePreKeyCount()).isEqualTo(opks);
    assertThat(bob.trust.trustedKey(Fixtures.ALICE)).isEmpty();
    Session b = bob.accept(alice, first).session();

    // 2. A repeated initial message to an existing session.
    rejectEveryFlip(b, second.serialize(), "second initial message");
    assertThat(b.decrypt(second).plaintext()).isEqualTo(bytes("second"));

    // 3. Ratchet messages in both directions (the reply turns Alice's ratchet).
    EncryptedMessage reply = b.encrypt(bytes("reply"), id(3), 99L);
    rejectEveryFlip(a, reply.serialize(), "ratchet message to the initiator");
    assertThat(a.decrypt(reply).plaintext()).isEqualTo(bytes("reply"));
    EncryptedMessage next = a.encrypt(bytes("next"), id(4), 0);
    rejectEveryFlip(b, next.serialize(), "ratchet message to the responder");
    assertThat(b.decrypt(next).plaintext()).isEqualTo(bytes("next"));
  }

  private static void rejectEveryFlip(Session receiver, byte[] genuine, String what)
      throws Exception {
    SecretBytes before = receiver.serialize();
    for (int bit = 0; bit < genuine.length * 8; bit++) {
      try {
        receiver.decrypt(parse(flip(genuine, bit)));
        fail("flipped bit " + bit + " of the " + what + " was accepted");
      } catch (CryptoException expected) {
        // rejected
      }
    }
    assertThat(receiver.serialize().equalsConstantTime(before)).as("state unchanged").isTrue();
  }

  private static EncryptedMessage parse(byte[] b) throws InvalidMessageException {
    return EncryptedMessage.deserialize(b);
  }

  private static byte[] flip(byte[] in, int bit) {
    byte[] out = in.clone();
    out[bit / 8] ^= (byte) (1 << (bit % 8));
    return out;
  }
}
