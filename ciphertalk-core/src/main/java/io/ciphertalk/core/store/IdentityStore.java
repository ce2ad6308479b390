package io.ciphertalk.core.store;

import io.ciphertalk.crypto.DeviceAddress;
import java.util.Optional;

/**
 * This device's identity key pair and the identity keys of peers it trusts (trust on first use).
 * Implementations are thread-safe; arguments must not be null; arrays are copied. Failures are
 * {@link StoreException}s.
 */
public interface IdentityStore {

  /** This device's identity, if one was saved. */
  Optional<LocalIdentity> localIdentity();

  /** Saves (or replaces) this device's identity. */
  void saveLocalIdentity(LocalIdentity identity);

  /** The trusted identity key of {@code peer}, if any. */
  Optional<byte[]> peerIdentity(DeviceAddress peer);

  /**
   * Trusts {@code identityKey} for {@code peer}.
   *
   * @return true if a different key was trusted before and has been replaced (the app should
   *     have asked the user first), false if the key is new or unchanged
   */
  boolean savePeerIdentity(DeviceAddress peer, byte[] identityKey);

  /** Forgets the identity of {@code peer}; true if there was one. */
  boolean removePeerIdentity(DeviceAddress peer);
}
