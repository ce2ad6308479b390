package io.ciphertalk.core.model;

/**
 * How far a message this user sent has got. Only ever moves forward, in declaration order
 * ({@code QUEUED -> SENT -> DELIVERED -> READ}); {@code FAILED} is reached only from
 * {@code QUEUED} and is final.
 */
public enum MessageStatus {
  /** Stored on this device (in the outbox); not yet confirmed by the server. */
  QUEUED,
  /** The server has durably stored it (it answered the send after its commit). */
  SENT,
  /** A device of at least one recipient has confirmed receiving it (a delivery receipt). */
  DELIVERED,
  /** At least one recipient has read it (a read receipt). */
  READ,
  /** It will not be sent: the server refused it or it could not be encrypted; see the reason. */
  FAILED;

  /** Whether a message in this status may move to {@code next}. */
  public boolean canMoveTo(MessageStatus next) {
    if (this == FAILED || next == QUEUED) {
      return false;
    }
    if (next == FAILED) {
      return this == QUEUED;
    }
    return next.ordinal() > ordinal();
  }
}
