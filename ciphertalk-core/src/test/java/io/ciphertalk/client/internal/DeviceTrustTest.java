package io.ciphertalk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.core.store.memory.InMemoryLocalStore;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.account.AccountKeyPair;
import io.ciphertalk.crypto.account.DeviceCertificate;
import io.ciphertalk.crypto.account.DeviceRevocation;
import io.ciphertalk.crypto.session.IdentityKey;
import io.ciphertalk.crypto.session.IdentityKeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Which devices a client accepts: every certificate check, attacked one by one. */
class DeviceTrustTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
  private final RandomSource random = RandomSource.deterministicForTesting(new byte[] {14});
  private final DeviceAddress alice1 = DeviceAddress.of("alice", 1);
  private final DeviceAddress alice2 = DeviceAddress.of("alice", 2);
  private final DeviceAddress bob1 = DeviceAddress.of("bob", 1);
  private final DeviceAddress bob2 = DeviceAddress.of("bob", 2);
  private final AccountKeyPair bob = AccountKeyPair.generate(random);
  private final DeviceTrust trust =
      new DeviceTrust(alice1, InMemoryLocalStore.create(clock).accountKeys(), clock, random);

  private IdentityKey key() {
    return IdentityKeyPair.generate(random).publicKey();
  }

  private byte[] cert(AccountKeyPair account, DeviceAddress a, IdentityKey k) {
    return DeviceCertificate.issue(account, a, k, clock.instant()).serialize();
  }

  @Test
  void contactDevice_withAValidCertificate_isAccepted_andPinsTheAccountKey() throws Exception {
    trust.createAccount();
    IdentityKey k = key();
    trust.verify(bob1, k, cert(bob, bob1, k));
    assertThat(trust.isVerified(bob1, k)).isTrue();
    assertThat(trust.safetyNumber("bob").digits()).hasSize(60);
  }

  @Test
  void deviceWithoutCertificate_orWithOneForAnotherAddressOrKey_isRefused() throws Exception {
    trust.createAccount();
    IdentityKey k = key();
    assertThatThrownBy(() -> trust.verify(bob1, k, null))
        .isInstanceOf(E2eCrypto.UncertifiedDeviceException.class);
    assertThatThrownBy(() -> trust.verify(bob2, k, cert(bob, bob1, k)))
        .isInstanceOf(E2eCrypto.UncertifiedDeviceException.class).hasMessageContaining("is for bob.1");
    assertThatThrownBy(() -> trust.verify(bob1, key(), cert(bob, bob1, k)))
        .isInstanceOf(E2eCrypto.UncertifiedDeviceException.class)
        .hasMessageContaining("another identity key");
    byte[] flipped = cert(bob, bob1, k);
    flipped[flipped.length - 1] ^= 1;
    assertThatThrownBy(() -> trust.verify(bob1, k, flipped))
        .isInstanceOf(E2eCrypto.UncertifiedDeviceException.class);
    assertThat(trust.isVerified(bob1, k)).isFalse();
  }

  @Test
  void ownDevice_isAcceptedOnlyUnderThisAccountsKey_andNotBeforeThisDeviceIsLinked()
      throws Exception {
    IdentityKey k = key();
    AccountKeyPair mine = AccountKeyPair.generate(random);
    assertThatThrownBy(() -> trust.verify(alice2, k, cert(mine, alice2, k)))
        .isInstanceOf(E2eCrypto.UncertifiedDeviceException.class).hasMessageContaining("not linked");
    trust.adoptAccount(mine);
    trust.verify(alice2, k, cert(mine, alice2, k));
    // A device "of alice" certified by any other key (the server's own) is refused, not pinned.
    IdentityKey k3 = key();
    DeviceAddress alice3 = DeviceAddress.of("alice", 3);
    assertThatThrownBy(() -> trust.verify(alice3, k3, cert(bob, alice3, k3)))
        .isInstanceOf(E2eCrypto.UncertifiedDeviceException.class)
        .hasMessageContaining("not certified by this account's key");
  }

  @Test
  void contactsNewAccountKey_isAChange_trustedOnlyWithItsExactSafetyNumber() throws Exception {
    trust.createAccount();
    IdentityKey k = key();
    trust.verify(bob1, k, cert(bob, bob1, k));
    String before = trust.safetyNumber("bob").digits();
    AccountKeyPair swapped = AccountKeyPair.generate(random);
    IdentityKey k2 = key();
    E2eCrypto.IdentityChangedException e = org.junit.jupiter.api.Assertions.assertThrows(
        E2eCrypto.IdentityChangedException.class, () -> trust.verify(bob2, k2, cert(swapped, bob2, k2)));
    assertThat(e.newSafetyNumber()).isNotEqualTo(before).hasSize(60);
    assertThat(trust.trust("bob", before)).isFalse();
    assertThat(trust.trust("bob", "0".repeat(60))).isFalse();
    assertThat(trust.safetyNumber("bob").digits()).isEqualTo(before);
    assertThat(trust.trust("bob", e.newSafetyNumber())).isTrue();
    assertThat(trust.safetyNumber("bob").digits()).isEqualTo(e.newSafetyNumber());
    trust.verify(bob2, k2, cert(swapped, bob2, k2));
  }

  @Test
  void revokedDevice_isRefusedFromThenOn_butALaterDeviceReusingItsIdIsNot() throws Exception {
    trust.createAccount();
    IdentityKey k = key();
    DeviceCertificate c = DeviceCertificate.deserialize(cert(bob, bob2, k));
    trust.verify(bob2, k, c.serialize());
    DeviceRevocation r = DeviceRevocation.issue(bob, c, 1, clock.instant());
    assertThat(trust.acceptRevocation(r)).isTrue();
    assertThat(trust.acceptRevocation(r)).isFalse();
    assertThat(trust.isVerified(bob2, k)).isFalse();
    assertThatThrownBy(() -> trust.verify(bob2, k, c.serialize()))
        .isInstanceOf(E2eCrypto.UncertifiedDeviceException.class).hasMessageContaining("revoked");
    IdentityKey relinked = key();
    trust.verify(bob2, relinked, cert(bob, bob2, relinked));
    // A revocation signed by another key than bob's pinned one is refused.
    AccountKeyPair mallory = AccountKeyPair.generate(random);
    DeviceCertificate forged = DeviceCertificate.deserialize(cert(mallory, bob1, key()));
    assertThatThrownBy(() -> trust.acceptRevocation(DeviceRevocation.issue(mallory, forged, 1,
        clock.instant()))).isInstanceOf(io.ciphertalk.crypto.account.InvalidCertificateException.class);
  }
}
