package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.CryptoException;

/**
 * An epoch no member may choose: a distribution message whose epoch lies more than {@link
 * GroupSession#MAX_EPOCH_STEP} ahead of the room's current epoch, or a rotation that would go past
 * {@link GroupSession#MAX_EPOCH}. Nothing was changed; in particular the room keeps its epoch and
 * keys, and a caller that needs a rotation must not send in the old epoch instead.
 */
public final class EpochOutOfRangeException extends CryptoException {
  private static final long serialVersionUID = 1L;

  private final String roomId;
  private final long epoch;
  private final long currentEpoch;

  public EpochOutOfRangeException(String roomId, long epoch, long currentEpoch, String detail) {
    super("epoch " + epoch + " of room " + roomId + " is out of range (current " + currentEpoch
        + "): " + detail);
    this.roomId = roomId;
    this.epoch = epoch;
    this.currentEpoch = currentEpoch;
  }

  public String roomId() {
    return roomId;
  }

  /** The refused epoch (for an exhausted rotation: the current epoch). */
  public long epoch() {
    return epoch;
  }

  /** The room's current epoch on this device. */
  public long currentEpoch() {
    return currentEpoch;
  }
}
