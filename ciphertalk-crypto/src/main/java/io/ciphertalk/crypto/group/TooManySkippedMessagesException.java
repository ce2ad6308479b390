package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;

/**
 * An authentic message lies more than {@link GroupSession#MAX_SKIP} iterations ahead of the
 * sender's chain on this device; deriving the keys in between is refused. Nothing was changed.
 */
public final class TooManySkippedMessagesException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final DeviceAddress sender;
  private final long gap;

  public TooManySkippedMessagesException(String roomId, DeviceAddress sender, long gap) {
    super("message from " + sender + " in room " + roomId + " is " + gap
        + " iterations ahead (limit " + GroupSession.MAX_SKIP + ")");
    this.sender = sender;
    this.gap = gap;
  }

  public DeviceAddress sender() {
    return sender;
  }

  /** How many keys would have had to be skipped. */
  public long gap() {
    return gap;
  }
}
