package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;

/**
 * A message (or distribution message) belongs to an epoch this device no longer accepts: older
 * than the previous epoch, or the previous epoch after its grace ran out (by time or by message
 * count; see {@link GroupSession}). Nothing was changed.
 */
public final class EpochExpiredException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final String roomId;
  private final long epoch;
  private final long currentEpoch;

  public EpochExpiredException(String roomId, long epoch, long currentEpoch, String detail) {
    super("epoch " + epoch + " of room " + roomId + " is no longer accepted (current "
        + currentEpoch + "): " + detail);
    this.roomId = roomId;
    this.epoch = epoch;
    this.currentEpoch = currentEpoch;
  }

  public String roomId() {
    return roomId;
  }

  /** The rejected epoch. */
  public long epoch() {
    return epoch;
  }

  /** The room's current epoch on this device. */
  public long currentEpoch() {
    return currentEpoch;
  }
}
