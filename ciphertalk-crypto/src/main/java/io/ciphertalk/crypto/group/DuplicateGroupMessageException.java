package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;

/**
 * An authentic group message whose key was already used: a replay or a duplicate delivery (or a
 * message so old that its skipped key was evicted). Carries the message id so the caller can
 * acknowledge it without showing it twice. Nothing was changed.
 */
public final class DuplicateGroupMessageException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final String roomId;
  private final DeviceAddress sender;
  private final byte[] messageId;

  public DuplicateGroupMessageException(String roomId, DeviceAddress sender, byte[] messageId) {
    super("duplicate group message from " + sender + " in room " + roomId);
    this.roomId = roomId;
    this.sender = sender;
    this.messageId = messageId.clone();
  }

  public String roomId() {
    return roomId;
  }

  public DeviceAddress sender() {
    return sender;
  }

  /** The duplicate's 16-byte message id (a copy). */
  public byte[] messageId() {
    return messageId.clone();
  }
}
