package io.ciphertalk.core.store;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.SecretBytes;
import java.util.Arrays;
import java.util.Objects;

/**
 * This device's own identity: its address and its identity key pair as opaque bytes (the session
 * layer defines the encoding). The private part is a {@link SecretBytes}; {@code toString} never
 * prints it. Immutable (arrays are copied in and out); the caller may wipe the private part after
 * the store has saved it.
 */
public final class LocalIdentity {
  private final DeviceAddress address;
  private final byte[] publicKey;
  private final SecretBytes privateKey;

  private LocalIdentity(DeviceAddress address, byte[] publicKey, SecretBytes privateKey) {
    this.address = address;
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  /** An identity; copies both key parts. */
  public static LocalIdentity of(DeviceAddress address, byte[] publicKey, SecretBytes privateKey) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(privateKey, "privateKey");
    return new LocalIdentity(address, publicKey.clone(), SecretBytes.copyOf(privateKey.toByteArray()));
  }

  /** This device's address. */
  public DeviceAddress address() {
    return address;
  }

  /** A copy of the public identity key encoding. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The private identity key encoding. */
  public SecretBytes privateKey() {
    return privateKey;
  }

  /** Equal address and public key (the private key is not compared). */
  @Override
  public boolean equals(Object o) {
    return o instanceof LocalIdentity other
        && address.equals(other.address)
        && Arrays.equals(publicKey, other.publicKey);
  }

  @Override
  public int hashCode() {
    return 31 * address.hashCode() + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "LocalIdentity[" + address + ", public " + publicKey.length + " bytes]";
  }
}
