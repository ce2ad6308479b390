package io.ciphertalk.core.store;

import io.ciphertalk.core.model.MessageId;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message waiting for the server's acknowledgement: its id, room, and an opaque payload (the
 * client defines it; typically the encoded plaintext content to encrypt at flush time). Immutable;
 * the payload is copied in and out; {@code toString} never prints it.
 */
public final class OutboxEntry {
  private final long seq;
  private final MessageId messageId;
  private final String roomId;
  private final Instant enqueuedAt;
  private final byte[] payload;

  /**
   * An entry.
   *
   * @param seq the store-assigned position; entries are flushed in ascending order
   */
  public OutboxEntry(long seq, MessageId messageId, String roomId, Instant enqueuedAt, byte[] payload) {
    this.seq = seq;
    this.messageId = Objects.requireNonNull(messageId, "messageId");
    this.roomId = Objects.requireNonNull(roomId, "roomId");
    this.enqueuedAt = Objects.requireNonNull(enqueuedAt, "enqueuedAt");
    this.payload = Objects.requireNonNull(payload, "payload").clone();
  }

  public long seq() {
    return seq;
  }

  public MessageId messageId() {
    return messageId;
  }

  public String roomId() {
    return roomId;
  }

  public Instant enqueuedAt() {
    return enqueuedAt;
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutboxEntry e
        && seq == e.seq
        && messageId.equals(e.messageId)
        && roomId.equals(e.roomId)
        && enqueuedAt.equals(e.enqueuedAt)
        && Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, messageId, roomId, enqueuedAt) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "OutboxEntry[seq=" + seq + ", " + messageId + ", room=" + roomId + ", " + payload.length + " bytes]";
  }
}
