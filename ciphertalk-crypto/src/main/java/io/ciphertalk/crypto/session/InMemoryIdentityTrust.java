package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.DeviceAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trust on first use, in memory: an address with no recorded key trusts any key; afterwards only
 * the recorded key is trusted until {@link #trust} records another. Thread-safe. Arguments must
 * not be null.
 */
public final class InMemoryIdentityTrust implements IdentityTrust {
  private final Map<DeviceAddress, IdentityKey> keys = new ConcurrentHashMap<>();

  @Override
  public boolean isTrusted(DeviceAddress address, IdentityKey identityKey) {
    Objects.requireNonNull(identityKey, "identityKey");
    IdentityKey known = keys.get(Objects.requireNonNull(address, "address"));
    return known == null || known.equals(identityKey);
  }

  @Override
  public void trust(DeviceAddress address, IdentityKey identityKey) {
    keys.put(Objects.requireNonNull(address, "address"),
        Objects.requireNonNull(identityKey, "identityKey"));
  }

  /** The recorded key for {@code address}, if any. */
  public Optional<IdentityKey> trustedKey(DeviceAddress address) {
    return Optional.ofNullable(keys.get(Objects.requireNonNull(address, "address")));
  }
}
