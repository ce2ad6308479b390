package io.ciphertalk.core.wire;

import io.ciphertalk.crypto.DeviceAddress;

/**
 * One addressed copy of a message: the ciphertext for one recipient device, encrypted under that
 * device's pairwise session. Wire form: {@code {"to":"bob.2","ciphertext":"<base64url>"}}.
 * Immutable.
 *
 * @param to the recipient device
 * @param ciphertext 1 to {@link Limits#MAX_CIPHERTEXT_BYTES} bytes, opaque to the server
 */
public record Recipient(DeviceAddress to, Bytes ciphertext) {
  public Recipient {
    Check.address(to, "to");
    Check.bytes(ciphertext, "ciphertext", 1, Limits.MAX_CIPHERTEXT_BYTES);
  }
}
