package io.ciphertalk.core.wire;

import io.ciphertalk.crypto.DeviceAddress;

/**
 * What a client needs to start a session with one device: its identity key and prekeys, as
 * published by that device. The server hands each one-time prekey out at most once. Immutable.
 *
 * @param device the device the keys belong to
 * @param identityKey the device's identity key blob, 1 to {@link Limits#MAX_IDENTITY_KEY_BYTES}
 * @param signedPreKey the current signed X25519 prekey
 * @param oneTimePreKey a one-time prekey, or null if none are left
 * @param kemPreKey the signed ML-KEM-768 prekey, or null if not published (no PQXDH)
 * @param rsaPreKey the signed RSA prekey, or null if not published (no RSA-OAEP)
 */
public record PreKeyBundle(
    DeviceAddress device,
    Bytes identityKey,
    SignedPreKey signedPreKey,
    OneTimePreKey oneTimePreKey,
    SignedPreKey kemPreKey,
    SignedPreKey rsaPreKey) {
  public PreKeyBundle {
    Check.address(device, "device");
    Check.bytes(identityKey, "identityKey", 1, Limits.MAX_IDENTITY_KEY_BYTES);
    Check.present(signedPreKey, "signedPreKey");
  }
}
