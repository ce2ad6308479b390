package io.ciphertalk.crypto.session;

import static io.ciphertalk.crypto.session.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.Fixtures.Party;
import org.junit.jupiter.api.Test;

class KeysAndBundlesTest {
  private final RandomSource random = RandomSource.deterministicForTesting(bytes("keys"));

  @Test
  void bundle_withValidSignatures_buildsAndRoundTripsThroughBytes() throws Exception {
    Party bob = Fixtures.bob(50);
    PreKeyBundle bundle = bob.bundle();
    PreKeyBundle parsed = PreKeyBundle.deserialize(bundle.serialize());
    assertThat(parsed.serialize()).isEqualTo(bundle.serialize());
    assertThat(parsed.identityKey()).isEqualTo(bob.identity.publicKey());
    assertThat(parsed.address()).isEqualTo(Fixtures.BOB);
    assertThat(parsed.kemPreKeyId()).hasValue(2);
    assertThat(parsed.rsaPreKeyId()).hasValue(3);
    assertThat(parsed.supports(HandshakeSuite.PQXDH)).isTrue();
    assertThat(parsed.toBuilder().build().serialize()).isEqualTo(bundle.serialize());
    OneTimePreKey other = OneTimePreKey.generate(500, random);
    PreKeyBundle withOther = parsed.toBuilder().oneTimePreKey(other).build();
    assertThat(withOther.oneTimePreKeyId()).hasValue(500);
    assertThat(withOther.oneTimePreKey()).contains(other.publicKey());
  }

  @Test
  void bundle_signedByAnotherIdentity_isRejected_forEachSignedPreKey() throws Exception {
    Party bob = Fixtures.bob(51);
    IdentityKeyPair mallory = IdentityKeyPair.generate(random);
    SignedPreKey badSpk = SignedPreKey.generate(mallory, 1, random);
    KemPreKey badKem = KemPreKey.generate(mallory, 2, random);
    RsaPreKey badRsa = RsaPreKey.of(mallory, 3, Fixtures.rsaKey());
    assertThatThrownBy(() -> base(bob).signedPreKey(badSpk).build())
        .isInstanceOf(InvalidPreKeyBundleException.class).hasMessageContaining("signed prekey");
    assertThatThrownBy(() -> base(bob).signedPreKey(bob.signedPreKey).kemPreKey(badKem).build())
        .isInstanceOf(InvalidPreKeyBundleException.class).hasMessageContaining("KEM");
    assertThatThrownBy(() -> base(bob).signedPreKey(bob.signedPreKey).rsaPreKey(badRsa).build())
        .isInstanceOf(InvalidPreKeyBundleException.class).hasMessageContaining("RSA");
    // A signature moved to another id does not verify either (the id is signed).
    assertThatThrownBy(() -> base(bob).signedPreKey(9, bob.signedPreKey.publicKey(),
            bob.signedPreKey.signature()).build())
        .isInstanceOf(InvalidPreKeyBundleException.class);
  }

  @Test
  void serializedBundle_withAnyFlippedSignatureBit_isRejected() throws Exception {
    Party bob = Fixtures.bob(52);
    byte[] enc = bob.bundle().serialize();
    int addr = 1 + 1 + "bob".length() + 4;
    int spkSig = addr + 128 + 4 + 32;
    for (int bit = 0; bit < 64 * 8; bit++) {
      byte[] f = enc.clone();
      f[spkSig + bit / 8] ^= (byte) (1 << (bit % 8));
      assertThatThrownBy(() -> PreKeyBundle.deserialize(f))
          .isInstanceOf(InvalidPreKeyBundleException.class);
    }
  }

  @Test
  void incompleteBundle_isRejected_andSuiteNeedsItsPreKey() throws Exception {
    Party bob = Fixtures.bob(53);
    assertThatThrownBy(() -> base(bob).build()).isInstanceOf(InvalidPreKeyBundleException.class);
    PreKeyBundle minimal = base(bob).signedPreKey(bob.signedPreKey).build();
    assertThat(minimal.supports(HandshakeSuite.PQXDH)).isFalse();
    Party alice = Fixtures.alice(53);
    assertThatThrownBy(() -> Session.initiate().identity(alice.identity).localAddress(alice.address).bundle(minimal)
            .suite(HandshakeSuite.PQXDH).trust(alice.trust).build())
        .isInstanceOf(InvalidPreKeyBundleException.class);
    // Without a one-time prekey X3DH still works (three DH terms).
    Session a = Session.initiate().identity(alice.identity).localAddress(alice.address).bundle(minimal).trust(alice.trust)
        .random(alice.random).build();
    EncryptedMessage m = a.encrypt(bytes("no opk"), Fixtures.id(1), 0);
    assertThat(((InitialMessage) m).oneTimePreKeyId()).isEmpty();
    assertThat(bob.accept(alice, m).firstMessage().plaintext()).isEqualTo(bytes("no opk"));
  }

  @Test
  void identityKey_withBadSelfSignature_isRejected() throws Exception {
    byte[] enc = IdentityKeyPair.generate(random).publicKey().serialize();
    enc[40] ^= 1; // inside the X25519 key
    assertThatThrownBy(() -> IdentityKey.deserialize(enc)).isInstanceOf(InvalidKeyMaterialException.class);
  }

  @Test
  void privateKeys_roundTripThroughTheirEncodings() throws Exception {
    IdentityKeyPair id = IdentityKeyPair.generate(random);
    IdentityKeyPair id2 = IdentityKeyPair.deserialize(id.serialize());
    assertThat(id2.publicKey()).isEqualTo(id.publicKey());
    assertThat(id2.publicKey().serialize()).isEqualTo(id.publicKey().serialize());
    SignedPreKey spk = SignedPreKey.generate(id, 5, random);
    assertThat(SignedPreKey.deserialize(spk.serialize()).publicKey()).isEqualTo(spk.publicKey());
    OneTimePreKey opk = OneTimePreKey.generate(6, random);
    assertThat(OneTimePreKey.deserialize(opk.serialize()).publicKey()).isEqualTo(opk.publicKey());
    KemPreKey kem = KemPreKey.generate(id, 7, random);
    assertThat(KemPreKey.deserialize(kem.serialize()).publicKey()).isEqualTo(kem.publicKey());
    RsaPreKey rsa = RsaPreKey.of(id, 8, Fixtures.rsaKey());
    RsaPreKey rsa2 = RsaPreKey.deserialize(rsa.serialize());
    assertThat(rsa2.publicKey()).isEqualTo(rsa.publicKey());
    assertThat(rsa2.signature()).isEqualTo(rsa.signature());
    assertThat(OneTimePreKey.generateBatch(10, 3, random)).extracting(OneTimePreKey::id)
        .containsExactly(10, 11, 12);
    assertThat(id.toString()).doesNotContain(id.serialize().toString());
  }

  @Test
  void safetyNumber_isTheSameOnBothSides_andChangesWithTheKey() {
    IdentityKey a = IdentityKeyPair.generate(random).publicKey();
    IdentityKey b = IdentityKeyPair.generate(random).publicKey();
    DeviceAddress alice = Fixtures.ALICE;
    DeviceAddress bob = Fixtures.BOB;
    SafetyNumber ab = SafetyNumber.of(alice, a, bob, b);
    SafetyNumber ba = SafetyNumber.of(bob, b, alice, a);
    assertThat(ab).isEqualTo(ba);
    assertThat(ab.digits()).hasSize(60).containsOnlyDigits();
    assertThat(ab.toString()).hasSize(71);
    assertThat(ab.matches(ba.toString())).isTrue();
    IdentityKey b2 = IdentityKeyPair.generate(random).publicKey();
    assertThat(SafetyNumber.of(alice, a, bob, b2)).isNotEqualTo(ab);
    assertThat(ab.matches(SafetyNumber.of(alice, a, bob, b2).digits())).isFalse();
  }

  private static PreKeyBundle.Builder base(Party p) {
    return PreKeyBundle.builder().address(p.address).identityKey(p.identity.publicKey());
  }
}
