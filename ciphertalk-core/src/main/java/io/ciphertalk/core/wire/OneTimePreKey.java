package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A published one-time prekey (X25519, unsigned): handed out by the server at most once. Immutable.
 *
 * @param keyId the publisher's id for this key, 0 to 2^31-1
 * @param publicKey 1 to {@link Limits#MAX_PUBLIC_KEY_BYTES} bytes
 */
public record OneTimePreKey(@JsonProperty(required = true) int keyId, Bytes publicKey) {
  public OneTimePreKey {
    Check.range(keyId, "keyId", 0, Integer.MAX_VALUE);
    Check.bytes(publicKey, "publicKey", 1, Limits.MAX_PUBLIC_KEY_BYTES);
  }
}
