package io.ciphertalk.client.internal;

import io.ciphertalk.core.store.AccountKeyStore;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.account.AccountKey;
import io.ciphertalk.crypto.account.AccountKeyPair;
import io.ciphertalk.crypto.account.AccountSafetyNumber;
import io.ciphertalk.crypto.account.DeviceCertificate;
import io.ciphertalk.crypto.account.DeviceRevocation;
import io.ciphertalk.crypto.account.InvalidCertificateException;
import io.ciphertalk.crypto.session.IdentityKey;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which devices this device may talk to (docs/protocol.md, "Accounts and devices"): it holds this
 * account's key (created on the account's first device, or received when linked), issues this
 * device's certificate, pins each peer user's account key on first sight (trust on first use per
 * account) and checks every device's certificate, and the revocations it knows, against it.
 *
 * <p>A device passes {@link #verify} only with a certificate that parses, names exactly that
 * address and identity key, is signed by the pinned (for the own account: this account's) key and
 * is not revoked. Not thread-safe: {@link SessionCrypto} calls it under its own lock.
 */
final class DeviceTrust {
  private final DeviceAddress self;
  private final AccountKeyStore store;
  private final Clock clock;
  private final RandomSource random;
  /** Devices whose certificate passed, with the identity key it certifies. */
  private final Map<DeviceAddress, IdentityKey> verified = new HashMap<>();
  /** Account keys seen for pinned users that differ from the pin, waiting for the user. */
  private final Map<String, AccountKey> pending = new HashMap<>();
  private AccountKeyPair account;

  DeviceTrust(DeviceAddress self, AccountKeyStore store, Clock clock, RandomSource random) {
    this.self = Objects.requireNonNull(self, "self");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  // ------------------------------------------------------------------ this account

  /**
   * Drops what is cached from the store (verified devices, this account's key), so it is read
   * back: after a rolled-back transaction, a pin or key written in it is gone from the store.
   */
  void forgetCached() {
    verified.clear();
    account = null;
  }

  /** Whether this device holds the account key (it is the first device, or was linked). */
  boolean hasAccountKey() {
    return loadAccount().isPresent();
  }

  private Optional<AccountKeyPair> loadAccount() {
    if (account == null) {
      Optional<SecretBytes> stored = store.accountKeyPair();
      if (stored.isPresent()) {
        try {
          account = AccountKeyPair.deserialize(stored.get());
        } catch (InvalidKeyMaterialException e) {
          throw new IllegalStateException("stored account key is unreadable", e);
        } finally {
          stored.get().wipe();
        }
      }
    }
    return Optional.ofNullable(account);
  }

  /** Creates the account key: this is the account's first device. */
  void createAccount() {
    if (hasAccountKey()) {
      throw new IllegalStateException("this device already holds the account key");
    }
    adoptAccount(AccountKeyPair.generate(random));
  }

  /** Takes the account key received by linking (or created here). */
  void adoptAccount(AccountKeyPair pair) {
    Objects.requireNonNull(pair, "pair");
    Optional<AccountKeyPair> current = loadAccount();
    if (current.isPresent() && !current.get().publicKey().equals(pair.publicKey())) {
      throw new IllegalStateException("this device already belongs to another account key");
    }
    SecretBytes enc = pair.serialize();
    try {
      store.saveAccountKeyPair(enc);
    } finally {
      enc.wipe();
    }
    account = pair;
    verified.clear();
  }

  /** This account's key pair; only while {@link #hasAccountKey()}. */
  AccountKeyPair accountKeyPair() {
    return loadAccount().orElseThrow(() -> new IllegalStateException(
        "this device is not linked to its account yet"));
  }

  /**
   * This device's certificate for {@code identity}: the stored one if it certifies that key under
   * this account's key, else a new one (issued now and stored).
   */
  byte[] ownCertificate(IdentityKey identity) {
    AccountKeyPair pair = accountKeyPair();
    Optional<byte[]> stored = store.ownCertificate();
    if (stored.isPresent()) {
      try {
        DeviceCertificate c = DeviceCertificate.deserialize(stored.get());
        if (c.accountKey().equals(pair.publicKey()) && c.address().equals(self)
            && c.identityKey().equals(identity)) {
          return stored.get();
        }
      } catch (InvalidCertificateException e) {
        // replaced below
      }
    }
    byte[] cert = DeviceCertificate.issue(pair, self, identity, clock.instant()).serialize();
    store.saveOwnCertificate(cert);
    return cert;
  }

  // ------------------------------------------------------------------ peers (own devices included)

  /**
   * Checks {@code certificate} for {@code device} and {@code identity}; on success remembers the
   * device as verified, and pins the user's account key if none was pinned yet.
   *
   * @throws E2eCrypto.UncertifiedDeviceException if the device may not be used
   * @throws E2eCrypto.IdentityChangedException if a valid certificate is signed by another account
   *     key than the one pinned for that (other) user: the account key changed
   */
  void verify(DeviceAddress device, IdentityKey identity, byte[] certificate)
      throws CryptoException {
    if (certificate == null) {
      throw new E2eCrypto.UncertifiedDeviceException(device, "it published no certificate");
    }
    DeviceCertificate cert;
    try {
      cert = DeviceCertificate.deserialize(certificate);
    } catch (InvalidCertificateException e) {
      throw new E2eCrypto.UncertifiedDeviceException(device, e.getMessage());
    }
    if (!cert.address().equals(device)) {
      throw new E2eCrypto.UncertifiedDeviceException(device, "its certificate is for " + cert.address());
    }
    if (!cert.identityKey().equals(identity)) {
      throw new E2eCrypto.UncertifiedDeviceException(device, "its certificate is for another identity key");
    }
    for (byte[] r : store.revocations(device.userId())) {
      try {
        if (DeviceRevocation.deserialize(r).revokes(cert)) {
          throw new E2eCrypto.UncertifiedDeviceException(device, "it was revoked");
        }
      } catch (InvalidCertificateException e) {
        // only verified revocations are stored
      }
    }
    String user = device.userId();
    if (user.equals(self.userId())) {
      Optional<AccountKeyPair> own = loadAccount();
      if (own.isEmpty()) {
        throw new E2eCrypto.UncertifiedDeviceException(device, "this device is not linked to its account yet");
      }
      if (!cert.accountKey().equals(own.get().publicKey())) {
        throw new E2eCrypto.UncertifiedDeviceException(device, "it is not certified by this account's key");
      }
    } else {
      Optional<AccountKey> pinned = pinned(user);
      if (pinned.isEmpty()) {
        store.pinAccountKey(user, cert.accountKey().serialize());
      } else if (!pinned.get().equals(cert.accountKey())) {
        pending.put(user, cert.accountKey());
        throw new E2eCrypto.IdentityChangedException(device,
            number(user, cert.accountKey()).digits());
      }
    }
    verified.put(device, identity);
  }

  /** Whether {@code device} passed {@link #verify} with {@code identity} (and was not revoked since). */
  boolean isVerified(DeviceAddress device, IdentityKey identity) {
    return identity.equals(verified.get(device));
  }

  /** Forgets what was verified about {@code device} (after a revocation). */
  void forget(DeviceAddress device) {
    verified.remove(device);
  }

  private Optional<AccountKey> pinned(String user) {
    Optional<byte[]> k = store.pinnedAccountKey(user);
    if (k.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(AccountKey.deserialize(k.get()));
    } catch (InvalidKeyMaterialException e) {
      throw new IllegalStateException("pinned account key of " + user + " is unreadable", e);
    }
  }

  private AccountSafetyNumber number(String user, AccountKey theirs) {
    return AccountSafetyNumber.of(self.userId(), accountKeyPair().publicKey(), user, theirs);
  }

  /**
   * The safety number of this account and {@code userId}'s pinned account key.
   *
   * @throws IllegalArgumentException if no account key is pinned for that user yet
   */
  AccountSafetyNumber safetyNumber(String userId) {
    if (userId.equals(self.userId())) {
      throw new IllegalArgumentException("no safety number with one's own account");
    }
    AccountKey k = pinned(userId).orElseThrow(() -> new IllegalArgumentException(
        "no account key known for " + userId + " yet"));
    return number(userId, k);
  }

  /** The safety number with the changed account key of {@code userId}, if one is waiting. */
  Optional<AccountSafetyNumber> pendingSafetyNumber(String userId) {
    AccountKey k = pending.get(userId);
    return k == null ? Optional.empty() : Optional.of(number(userId, k));
  }

  /**
   * Accepts {@code userId}'s changed account key if {@code seen} is exactly its safety number (the
   * digits, or the scanned payload, the user compared); the old pin stays otherwise.
   *
   * @return whether the new key is now pinned
   */
  boolean trust(String userId, String seen) {
    AccountKey k = pending.get(userId);
    if (k == null || !number(userId, k).matches(seen)) {
      return false;
    }
    store.pinAccountKey(userId, k.serialize());
    pending.remove(userId);
    verified.keySet().removeIf(d -> d.userId().equals(userId));
    return true;
  }

  /**
   * Records a revocation signed by the key pinned for its user (this account's key for own
   * devices).
   *
   * @return whether it was new and valid
   */
  boolean acceptRevocation(DeviceRevocation revocation) throws InvalidCertificateException {
    String user = revocation.address().userId();
    AccountKey key = user.equals(self.userId()) ? accountKeyPair().publicKey()
        : pinned(user).orElseThrow(() -> new InvalidCertificateException(
            "no account key pinned for " + user));
    revocation.verify(key);
    int before = store.revocations(user).size();
    store.addRevocation(user, revocation.serialize());
    verified.remove(revocation.address());
    return store.revocations(user).size() > before;
  }

  /** A revocation of {@code certificate} (of this account), signed now on this device. */
  DeviceRevocation revoke(DeviceCertificate certificate) {
    return DeviceRevocation.issue(accountKeyPair(), certificate, self.deviceId(), clock.instant());
  }

  /** Whether a stored revocation applies to {@code device} with {@code identity}. */
  boolean isRevoked(DeviceAddress device) {
    for (byte[] r : store.revocations(device.userId())) {
      try {
        if (DeviceRevocation.deserialize(r).address().equals(device)) {
          return true;
        }
      } catch (InvalidCertificateException e) {
        // only verified revocations are stored
      }
    }
    return false;
  }
}
