package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.DeviceAddress;

/**
 * Decides whether a peer's identity key is acceptable: the hook for trust on first use and for
 * re-trust after the user compares a {@link SafetyNumber}. The host application implements it over
 * its identity store; {@link InMemoryIdentityTrust} is the in-memory TOFU implementation.
 *
 * <p>{@link Session} calls {@link #isTrusted} before using a peer's identity and {@link #trust}
 * after a session with that identity has been established (recording first use). Applications
 * call {@link #trust} to accept a changed key. Implementations must be thread-safe; arguments are
 * never null.
 */
public interface IdentityTrust {

  /** Whether {@code identityKey} may be used for {@code address}. */
  boolean isTrusted(DeviceAddress address, IdentityKey identityKey);

  /** Records {@code identityKey} as the trusted key for {@code address}, replacing any other. */
  void trust(DeviceAddress address, IdentityKey identityKey);
}
