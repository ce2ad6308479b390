package io.ciphertalk.crypto.session;

import io.ciphertalk.crypto.DeviceAddress;
import java.util.Objects;

/**
 * A decrypted and authenticated message: the plaintext and the metadata that was bound into its
 * associated data. Expiry is not enforced here; the caller deletes the plaintext when it passes.
 *
 * @param sender the peer's address (as the session knows it)
 * @param messageId the sender's message id
 * @param expiresAtEpochMillis expiry in epoch milliseconds, or {@link Session#NO_EXPIRY}
 * @param plaintext the plaintext (the record hands out its array: copy it if you keep it)
 */
public record DecryptedMessage(
    DeviceAddress sender, MessageId messageId, long expiresAtEpochMillis, byte[] plaintext) {
  public DecryptedMessage {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(plaintext, "plaintext");
  }

  /** Whether the sender set an expiry. */
  public boolean expires() {
    return expiresAtEpochMillis != Session.NO_EXPIRY;
  }

  @Override
  public String toString() {
    return "DecryptedMessage[from=" + sender + ", id=" + messageId + ", " + plaintext.length
        + " bytes]";
  }
}
