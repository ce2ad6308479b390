package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;

/**
 * The claimed sender is not a member of the room in the message's epoch (or is this device
 * itself), or a distribution message names a sender other than the pairwise session it arrived
 * over. Treat as a forgery. Nothing was changed.
 */
public final class UnknownSenderException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final String roomId;
  private final DeviceAddress sender;

  public UnknownSenderException(String roomId, DeviceAddress sender, String detail) {
    super("sender " + sender + " rejected in room " + roomId + ": " + detail);
    this.roomId = roomId;
    this.sender = sender;
  }

  /** The room the message or distribution names. */
  public String roomId() {
    return roomId;
  }

  /** The claimed sender. */
  public DeviceAddress sender() {
    return sender;
  }
}
