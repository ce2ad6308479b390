package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;

/**
 * This device holds no sender key that can decrypt the message: the sender's distribution message
 * (or this device's move to the message's epoch) has not arrived yet, the message names a chain
 * this device was never given, or it predates the chain state this device received (a new member
 * cannot read earlier messages). Callers may keep the message and retry after the next distribution
 * message or membership change for the room. Nothing was changed.
 */
public final class NoSenderKeyException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final String roomId;
  private final DeviceAddress sender;
  private final long epoch;

  public NoSenderKeyException(String roomId, DeviceAddress sender, long epoch, String detail) {
    super("no sender key for " + sender + " in room " + roomId + " epoch " + epoch + ": " + detail);
    this.roomId = roomId;
    this.sender = sender;
    this.epoch = epoch;
  }

  /** The message's room. */
  public String roomId() {
    return roomId;
  }

  /** The device the message claims to come from. */
  public DeviceAddress sender() {
    return sender;
  }

  /** The message's epoch. */
  public long epoch() {
    return epoch;
  }
}
