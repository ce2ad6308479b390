package io.ciphertalk.core.store;

import io.ciphertalk.core.model.MessageId;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * An envelope the client received but may not process yet (see {@link HeldEnvelopeStore}): its
 * message id, the sending user, when it was held, and an opaque payload (the client defines it;
 * typically the sender device, the ciphertext and its expiry). Immutable; the payload is copied in
 * and out; {@code toString} never prints it.
 */
public final class HeldEnvelope {
  private final long seq;
  private final MessageId messageId;
  private final String senderUserId;
  private final Instant heldAt;
  private final byte[] payload;

  /**
   * An entry.
   *
   * @param seq the store-assigned position; entries are returned in ascending order
   */
  public HeldEnvelope(long seq, MessageId messageId, String senderUserId, Instant heldAt,
      byte[] payload) {
    this.seq = seq;
    this.messageId = Objects.requireNonNull(messageId, "messageId");
    this.senderUserId = Objects.requireNonNull(senderUserId, "senderUserId");
    this.heldAt = Objects.requireNonNull(heldAt, "heldAt");
    this.payload = Objects.requireNonNull(payload, "payload").clone();
  }

  public long seq() {
    return seq;
  }

  public MessageId messageId() {
    return messageId;
  }

  public String senderUserId() {
    return senderUserId;
  }

  public Instant heldAt() {
    return heldAt;
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeldEnvelope e
        && seq == e.seq
        && messageId.equals(e.messageId)
        && senderUserId.equals(e.senderUserId)
        && heldAt.equals(e.heldAt)
        && Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, messageId, senderUserId, heldAt) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "HeldEnvelope[seq=" + seq + ", " + messageId + ", from=" + senderUserId + ", "
        + payload.length + " bytes]";
  }
}
