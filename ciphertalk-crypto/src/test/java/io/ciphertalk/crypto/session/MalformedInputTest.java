package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static io.ciphertalk.crypto.session.Fixtures.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.session.Fixtures.Party;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Truncated, extended and random inputs get typed errors, never unchecked exceptions. */
class MalformedInputTest {

  @Test
  void everyTruncationOrExtension_ofEveryEncoding_isATypedError() throws Exception {
    Party alice = Fixtures.alice(60);
    Party bob = Fixtures.bob(60);
    Session a = alice.initiate(bob, HandshakeSuite.RSA_OAEP);
    EncryptedMessage initial = a.encrypt(bytes("hi"), id(1), 0);
    Session b = bob.accept(alice, initial).session();
    EncryptedMessage ratchet = b.encrypt(bytes("yo"), id(2), 0);
    byte[] bundle = bob.bundle().serialize();
    byte[] state = b.serialize().toByteArray();

    for (byte[] msg : new byte[][] {initial.serialize(), ratchet.serialize()}) {
      for (int len = 0; len < msg.length; len++) {
        byte[] cut = Arrays.copyOf(msg, len);
        try {
          EncryptedMessage m = EncryptedMessage.deserialize(cut);
          // A cut inside the ciphertext still parses; the AEAD then rejects it.
          // (a truncated initial message is also a duplicate of one Bob already read)
          assertThatThrownBy(() -> (m instanceof InitialMessage ? b : a).decrypt(m))
              .isInstanceOf(CryptoException.class);
        } catch (InvalidMessageException expected) {
          // rejected by the parser
        }
      }
    }
    for (int len = 0; len < bundle.length; len++) {
      byte[] cut = Arrays.copyOf(bundle, len);
      assertThatThrownBy(() -> PreKeyBundle.deserialize(cut))
          .isInstanceOf(InvalidPreKeyBundleException.class);
    }
    byte[] longer = Arrays.copyOf(bundle, bundle.length + 1);
    assertThatThrownBy(() -> PreKeyBundle.deserialize(longer))
        .isInstanceOf(InvalidPreKeyBundleException.class);
    for (int len = 0; len < state.length; len++) {
      SecretBytes cut = SecretBytes.wrap(Arrays.copyOf(state, len));
      assertThatThrownBy(() -> Session.deserialize(cut))
          .isInstanceOf(InvalidSessionStateException.class);
    }
    SecretBytes longerState = SecretBytes.wrap(Arrays.copyOf(state, state.length + 1));
    assertThatThrownBy(() -> Session.deserialize(longerState))
        .isInstanceOf(InvalidSessionStateException.class);
  }

  @Test
  void randomBytes_areRejectedWithTypedErrors() throws Exception {
    Party alice = Fixtures.alice(61);
    Party bob = Fixtures.bob(61);
    Session a = alice.initiate(bob, HandshakeSuite.X3DH);
    Session b = bob.accept(alice, a.encrypt(bytes("hi"), id(1), 0)).session();
    SecretBytes before = b.serialize();
    int parsed = 0;
    Random rnd = new Random(61);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[rnd.nextInt(400)];
      rnd.nextBytes(junk);
      if (junk.length > 3) {
        junk[0] = 1; // get past the version check most of the time
        junk[1] = (byte) (1 + rnd.nextInt(2));
        junk[2] = (byte) HandshakeSuite.X3DH.code();
      }
      EncryptedMessage m;
      try {
        m = EncryptedMessage.deserialize(junk);
      } catch (InvalidMessageException expected) {
        m = null;
      }
      if (m != null) {
        // Structurally valid junk parses (parsing does not authenticate); decryption rejects it.
        parsed++;
        EncryptedMessage junkMessage = m;
        assertThatThrownBy(() -> b.decrypt(junkMessage)).isInstanceOf(CryptoException.class);
      }
      assertThatThrownBy(() -> PreKeyBundle.deserialize(junk))
          .isInstanceOf(InvalidPreKeyBundleException.class);
      assertThatThrownBy(() -> Session.deserialize(SecretBytes.copyOf(junk)))
          .isInstanceOf(InvalidSessionStateException.class);
    }
    assertThat(parsed).isGreaterThan(100);
    assertThat(b.serialize().equalsConstantTime(before)).isTrue();
  }

  @Test
  void unknownVersionTypeOrSuite_isRejected() throws Exception {
    Session a = Fixtures.alice(62).initiate(Fixtures.bob(62), HandshakeSuite.X3DH);
    byte[] m = a.encrypt(bytes("x"), id(1), 0).serialize();
    for (int[] change : new int[][] {{0, 2}, {1, 3}, {2, 0}, {2, 4}}) {
      byte[] f = m.clone();
      f[change[0]] = (byte) change[1];
      assertThatThrownBy(() -> EncryptedMessage.deserialize(f))
          .isInstanceOf(InvalidMessageException.class);
    }
    assertThat(EncryptedMessage.deserialize(m)).isInstanceOf(InitialMessage.class);
  }
}
