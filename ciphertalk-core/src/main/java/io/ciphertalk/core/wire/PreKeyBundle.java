package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.ciphertalk.crypto.DeviceAddress;

/**
 * What a client needs to start a session with one device: its identity key and prekeys, as
 * published by that device. The server hands each one-time prekey out at most once. Immutable.
 *
 * @param device the device the keys belong to
 * @param identityKey the device's identity key blob, 1 to {@link Limits#MAX_IDENTITY_KEY_BYTES}
 * @param signedPreKey the current signed X25519 prekey
 * @param oneTimePreKey a one-time prekey, or null if none are left
 * @param kemPreKey the signed last-resort ML-KEM-768 prekey, or null if not published (no PQXDH)
 * @param rsaPreKey the signed RSA prekey, or null if not published (no RSA-OAEP)
 * @param certificate the device certificate as the device published it, or null if it published
 *     none (clients never use such a device)
 * @param oneTimeKemPreKey a signed one-time ML-KEM-768 prekey, handed out at most once, or null if
 *     none are left; an initiator uses it instead of {@code kemPreKey} when present
 */
public record PreKeyBundle(
    DeviceAddress device,
    Bytes identityKey,
    SignedPreKey signedPreKey,
    OneTimePreKey oneTimePreKey,
    SignedPreKey kemPreKey,
    SignedPreKey rsaPreKey,
    @JsonInclude(JsonInclude.Include.NON_NULL) Bytes certificate,
    @JsonInclude(JsonInclude.Include.NON_NULL) SignedPreKey oneTimeKemPreKey) {
  /** A bundle without a certificate. */
  public PreKeyBundle(DeviceAddress device, Bytes identityKey, SignedPreKey signedPreKey,
      OneTimePreKey oneTimePreKey, SignedPreKey kemPreKey, SignedPreKey rsaPreKey) {
    this(device, identityKey, signedPreKey, oneTimePreKey, kemPreKey, rsaPreKey, null);
  }

  /** A bundle without a one-time KEM prekey. */
  public PreKeyBundle(DeviceAddress device, Bytes identityKey, SignedPreKey signedPreKey,
      OneTimePreKey oneTimePreKey, SignedPreKey kemPreKey, SignedPreKey rsaPreKey,
      Bytes certificate) {
    this(device, identityKey, signedPreKey, oneTimePreKey, kemPreKey, rsaPreKey, certificate, null);
  }

  public PreKeyBundle {
    Check.address(device, "device");
    Check.bytes(identityKey, "identityKey", 1, Limits.MAX_IDENTITY_KEY_BYTES);
    Check.present(signedPreKey, "signedPreKey");
    if (certificate != null) {
      Check.bytes(certificate, "certificate", 1, Limits.MAX_CERTIFICATE_BYTES);
    }
  }
}
