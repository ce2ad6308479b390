package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A published prekey with its id and the identity key's signature over it (signed X25519 prekey,
 * ML-KEM-768 prekey or RSA prekey). The key and signature formats belong to the session layer; the
 * wire treats them as opaque blobs and the receiving client checks the signature before use.
 * Immutable.
 *
 * @param keyId the publisher's id for this key, 0 to 2^31-1
 * @param publicKey 1 to {@link Limits#MAX_PUBLIC_KEY_BYTES} bytes
 * @param signature 1 to {@link Limits#MAX_SIGNATURE_BYTES} bytes
 */
public record SignedPreKey(
    @JsonProperty(required = true) int keyId, Bytes publicKey, Bytes signature) {
  public SignedPreKey {
    Check.range(keyId, "keyId", 0, Integer.MAX_VALUE);
    Check.bytes(publicKey, "publicKey", 1, Limits.MAX_PUBLIC_KEY_BYTES);
    Check.bytes(signature, "signature", 1, Limits.MAX_SIGNATURE_BYTES);
  }
}
