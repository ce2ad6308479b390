package io.ciphertalk.crypto.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Certificates, revocations and account safety numbers, attacked byte by byte. */
class AccountKeysTest {
  private static final RandomSource R = RandomSource.deterministicForTesting(new byte[] {42});
  private static final DeviceAddress ALICE_1 = DeviceAddress.of("alice", 1);
  private static final Instant T = Instant.ofEpochMilli(1_796_000_000_000L);

  private final AccountKeyPair alice = AccountKeyPair.generate(R);
  private final AccountKeyPair mallory = AccountKeyPair.generate(R);
  private final IdentityKeyPair device = IdentityKeyPair.generate(R);

  @Test
  void certificate_roundTrips_andVerifiesUnderThePinnedKeyForItsAddress() throws Exception {
    DeviceCertificate c = DeviceCertificate.issue(alice, ALICE_1, device.publicKey(), T);
    DeviceCertificate parsed = DeviceCertificate.deserialize(c.serialize());
    assertThat(parsed).isEqualTo(c);
    assertThat(parsed.identityKey()).isEqualTo(device.publicKey());
    assertThat(parsed.createdAt()).isEqualTo(T);
    parsed.verify(alice.publicKey(), ALICE_1);
  }

  @Test
  void certificate_signedByAnotherAccountKey_isRejectedAgainstThePinnedOne() throws Exception {
    // The server publishing a device under alice's name with a key of its own making.
    DeviceCertificate forged = DeviceCertificate.issue(mallory, ALICE_1, device.publicKey(), T);
    DeviceCertificate parsed = DeviceCertificate.deserialize(forged.serialize());
    assertThatThrownBy(() -> parsed.verify(alice.publicKey(), ALICE_1))
        .isInstanceOf(InvalidCertificateException.class).hasMessageContaining("another account key");
  }

  @Test
  void certificate_relabelledToAnotherAddress_isRejected() throws Exception {
    DeviceCertificate c = DeviceCertificate.issue(alice, ALICE_1, device.publicKey(), T);
    assertThatThrownBy(() -> c.verify(alice.publicKey(), DeviceAddress.of("alice", 5)))
        .isInstanceOf(InvalidCertificateException.class).hasMessageContaining("not alice.5");
  }

  @Test
  void certificate_withAnyBitFlipped_isRejectedOrNoLongerVerifiesForAlice() throws Exception {
    byte[] good = DeviceCertificate.issue(alice, ALICE_1, device.publicKey(), T).serialize();
    for (int i = 0; i < good.length * 8; i++) {
      byte[] bad = good.clone();
      bad[i / 8] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> DeviceCertificate.deserialize(bad).verify(alice.publicKey(), ALICE_1))
          .as("bit %d", i).isInstanceOf(InvalidCertificateException.class);
    }
  }

  @Test
  void certificate_truncated_extended_orOfAnotherVersion_isRejected() throws Exception {
    byte[] good = DeviceCertificate.issue(alice, ALICE_1, device.publicKey(), T).serialize();
    for (int n = 0; n < good.length; n++) {
      byte[] cut = Arrays.copyOf(good, n);
      assertThatThrownBy(() -> DeviceCertificate.deserialize(cut))
          .isInstanceOf(InvalidCertificateException.class);
    }
    assertThatThrownBy(() -> DeviceCertificate.deserialize(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(InvalidCertificateException.class);
    byte[] v2 = good.clone();
    v2[0] = 2;
    assertThatThrownBy(() -> DeviceCertificate.deserialize(v2))
        .isInstanceOf(InvalidCertificateException.class).hasMessageContaining("version 2");
  }

  @Test
  void revocation_roundTrips_andRevokesExactlyTheCertifiedKey() throws Exception {
    DeviceCertificate c = DeviceCertificate.issue(alice, ALICE_1, device.publicKey(), T);
    DeviceRevocation r = DeviceRevocation.issue(alice, c, 2, T.plusSeconds(60));
    DeviceRevocation parsed = DeviceRevocation.deserialize(r.serialize());
    parsed.verify(alice.publicKey());
    assertThat(parsed.revokes(c)).isTrue();
    assertThat(parsed.revokedBy()).isEqualTo(2);
    // A later device that reuses the id, with a new identity key, is not revoked by it.
    DeviceCertificate reused = DeviceCertificate.issue(alice, ALICE_1,
        IdentityKeyPair.generate(R).publicKey(), T.plusSeconds(120));
    assertThat(parsed.revokes(reused)).isFalse();
  }

  @Test
  void revocation_forgedByAnotherKey_orWithAnyBitFlipped_isRejected() throws Exception {
    DeviceCertificate c = DeviceCertificate.issue(alice, ALICE_1, device.publicKey(), T);
    DeviceCertificate byMallory = DeviceCertificate.issue(mallory, ALICE_1, device.publicKey(), T);
    DeviceRevocation forged = DeviceRevocation.issue(mallory, byMallory, 1, T);
    assertThatThrownBy(() -> DeviceRevocation.deserialize(forged.serialize()).verify(alice.publicKey()))
        .isInstanceOf(InvalidCertificateException.class);
    assertThat(forged.revokes(c)).isFalse();
    byte[] good = DeviceRevocation.issue(alice, c, 1, T).serialize();
    for (int i = 0; i < good.length * 8; i++) {
      byte[] bad = good.clone();
      bad[i / 8] ^= (byte) (1 << (i % 8));
      boolean rejected;
      try {
        DeviceRevocation p = DeviceRevocation.deserialize(bad);
        p.verify(alice.publicKey());
        rejected = !p.revokes(c);
      } catch (InvalidCertificateException e) {
        rejected = true;
      }
      assertThat(rejected).as("bit %d", i).isTrue();
    }
  }

  @Test
  void safetyNumber_isTheSameFromBothSides_andChangesWithEitherAccountKey() {
    AccountKeyPair bob = AccountKeyPair.generate(R);
    AccountSafetyNumber ab = AccountSafetyNumber.of("alice", alice.publicKey(), "bob", bob.publicKey());
    AccountSafetyNumber ba = AccountSafetyNumber.of("bob", bob.publicKey(), "alice", alice.publicKey());
    assertThat(ab).isEqualTo(ba);
    assertThat(ab.scannable()).isEqualTo(ba.scannable());
    assertThat(ab.digits()).hasSize(60).containsOnlyDigits();
    assertThat(ab.toString()).matches("(\\d{5} ){11}\\d{5}");
    AccountSafetyNumber swapped =
        AccountSafetyNumber.of("alice", mallory.publicKey(), "bob", bob.publicKey());
    assertThat(swapped.digits()).isNotEqualTo(ab.digits());
    assertThat(ab.matches(ab.toString())).isTrue();
    assertThat(ab.matches(ba.scannableText())).isTrue();
    assertThat(ab.matches(swapped.toString())).isFalse();
    assertThat(ab.matches(swapped.scannableText())).isFalse();
    assertThat(ab.matches("ciphertalk-sn:!!")).isFalse();
  }

  @Test
  void safetyNumber_bindsTheUserId_soAKeyCannotBeReusedUnderAnotherName() {
    AccountKeyPair bob = AccountKeyPair.generate(R);
    assertThat(AccountSafetyNumber.of("alice", alice.publicKey(), "bob", bob.publicKey()).digits())
        .isNotEqualTo(AccountSafetyNumber.of("alice", alice.publicKey(), "bob2", bob.publicKey())
            .digits());
  }

  @Test
  void accountKeyPair_storageEncoding_roundTrips_andRejectsOtherVersions() throws Exception {
    AccountKeyPair back = AccountKeyPair.deserialize(alice.serialize());
    assertThat(back.publicKey()).isEqualTo(alice.publicKey());
    byte[] bad = alice.serialize().toByteArray();
    bad[0] = 2;
    assertThatThrownBy(() -> AccountKeyPair.deserialize(io.ciphertalk.crypto.SecretBytes.wrap(bad)))
        .isInstanceOf(io.ciphertalk.crypto.InvalidKeyMaterialException.class);
    assertThat(alice.toString()).doesNotContain(
        java.util.HexFormat.of().formatHex(alice.seed().toByteArray()));
  }
}
