package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.DeviceAddress;
import java.util.Arrays;

/**
 * The result of {@link GroupSession#decrypt}: the plaintext and the authenticated metadata (every
 * field was covered by the sender's signature and the AEAD associated data). Immutable and
 * thread-safe; accessors return copies; {@code toString} never shows the plaintext.
 */
public final class DecryptedGroupMessage {
  private final String roomId;
  private final long epoch;
  private final DeviceAddress sender;
  private final byte[] messageId;
  private final long expiresAtMillis;
  private final byte[] plaintext;

  DecryptedGroupMessage(
      String roomId, long epoch, DeviceAddress sender, byte[] messageId, long expiresAtMillis,
      byte[] plaintext) {
    this.roomId = roomId;
    this.epoch = epoch;
    this.sender = sender;
    this.messageId = messageId;
    this.expiresAtMillis = expiresAtMillis;
    this.plaintext = plaintext;
  }

  public String roomId() {
    return roomId;
  }

  /** The epoch the message was sent in (may be the previous epoch during its grace). */
  public long epoch() {
    return epoch;
  }

  /** The authenticated sending device. */
  public DeviceAddress sender() {
    return sender;
  }

  /** The 16-byte message id (a copy). */
  public byte[] messageId() {
    return messageId.clone();
  }

  /**
   * When the sender wants the message destroyed, in Unix epoch milliseconds, or {@link
   * GroupMessage#NO_EXPIRY}. Not enforced here: the caller deletes the plaintext when it passes.
   */
  public long expiresAtEpochMillis() {
    return expiresAtMillis;
  }

  /** Whether the sender set an expiry. */
  public boolean expires() {
    return expiresAtMillis != GroupMessage.NO_EXPIRY;
  }

  /** The plaintext (a copy). */
  public byte[] plaintext() {
    return plaintext.clone();
  }

  /** Overwrites the held plaintext. */
  public void wipe() {
    Arrays.fill(plaintext, (byte) 0);
  }

  @Override
  public String toString() {
    return "DecryptedGroupMessage[room=" + roomId + ", epoch=" + epoch + ", sender=" + sender + ", "
        + plaintext.length + " bytes]";
  }
}
