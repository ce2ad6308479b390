package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import java.util.Objects;

/**
 * The peer presented an identity key that {@link IdentityTrust} does not trust (typically: it
 * changed since first use). Nothing was created or changed. Show the user the new
 * {@link SafetyNumber}; if they accept it, call {@link IdentityTrust#trust} and retry.
 */
public final class UntrustedIdentityException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final DeviceAddress address;
  private final transient IdentityKey identityKey;

  public UntrustedIdentityException(DeviceAddress address, IdentityKey identityKey) {
    super("untrusted identity key for " + Objects.requireNonNull(address, "address"));
    this.address = address;
    this.identityKey = Objects.requireNonNull(identityKey, "identityKey");
  }

  /** The peer's address. */
  public DeviceAddress address() {
    return address;
  }

  /** The new, untrusted identity key. */
  public IdentityKey identityKey() {
    return identityKey;
  }
}
