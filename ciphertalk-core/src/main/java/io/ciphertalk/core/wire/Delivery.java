package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.DeviceAddress;

/**
 * One stored message as the server hands it to a recipient device, in a {@code deliver} push or
 * in a {@code history} reply.
 *
 * <p>Every delivery belongs to a <em>stream</em> with its own sequence: the recipient device's own
 * queue ({@value #DEVICE_STREAM}: {@link DeliveryKind#DIRECT} and {@link DeliveryKind#SENDER_KEY})
 * or a room timeline ({@code room:<roomId>}: {@link DeliveryKind#GROUP}). Sequence numbers grow
 * within a stream; the client acknowledges the highest one it has stored with an {@code ack} and
 * asks for what it missed with {@code history_fetch}. Immutable.
 *
 * @param stream {@value #DEVICE_STREAM} or {@code room:<roomId>}
 * @param seq position in the stream, at least 1
 * @param kind what the ciphertext is
 * @param messageId the sender's message id (deduplicate on it)
 * @param room the room the message belongs to, or null (a sender-key distribution may have none)
 * @param sender the sending device
 * @param sentAt when the server accepted the message, Unix milliseconds
 * @param expiresAt when the message self-destructs, Unix milliseconds, or null
 * @param ciphertext the ciphertext for this device (or the room)
 */
public record Delivery(
    String stream,
    @JsonProperty(required = true) long seq,
    DeliveryKind kind,
    MessageId messageId,
    String room,
    DeviceAddress sender,
    @JsonProperty(required = true) long sentAt,
    Long expiresAt,
    Bytes ciphertext) {

  /** The stream of a device's own queue. */
  public static final String DEVICE_STREAM = "device";

  private static final String ROOM_PREFIX = "room:";

  public Delivery {
    checkStream(stream, "stream");
    if (seq < 1) {
      throw new FieldViolation(ErrorCode.INVALID_FIELD, "seq", "must be at least 1");
    }
    Check.present(kind, "kind");
    Check.present(messageId, "messageId");
    Check.nameOrNull(room, "room");
    Check.address(sender, "sender");
    Check.nonNegative(sentAt, "sentAt");
    Check.nonNegativeOrNull(expiresAt, "expiresAt");
    Check.bytes(ciphertext, "ciphertext", 1, Limits.MAX_CIPHERTEXT_BYTES);
  }

  /** The stream name of {@code roomId}'s timeline: {@code room:<roomId>}. */
  public static String roomStream(String roomId) {
    Check.name(roomId, "roomId");
    return ROOM_PREFIX + roomId;
  }

  /** The room id of a room stream, or null for the device stream. */
  public static String roomOfStream(String stream) {
    checkStream(stream, "stream");
    return stream.startsWith(ROOM_PREFIX) ? stream.substring(ROOM_PREFIX.length()) : null;
  }

  /** A builder, for readability at call sites; the record constructor does the checking. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Delivery}. Not thread-safe. */
  public static final class Builder {
    private String stream;
    private long seq;
    private DeliveryKind kind;
    private MessageId messageId;
    private String room;
    private DeviceAddress sender;
    private long sentAt = -1;
    private Long expiresAt;
    private Bytes ciphertext;

    private Builder() {}

    public Builder stream(String stream) {
      this.stream = stream;
      return this;
    }

    public Builder seq(long seq) {
      this.seq = seq;
      return this;
    }

    public Builder kind(DeliveryKind kind) {
      this.kind = kind;
      return this;
    }

    public Builder messageId(MessageId messageId) {
      this.messageId = messageId;
      return this;
    }

    /** The room, or null. */
    public Builder room(String room) {
      this.room = room;
      return this;
    }

    public Builder sender(DeviceAddress sender) {
      this.sender = sender;
      return this;
    }

    public Builder sentAt(long sentAtMillis) {
      this.sentAt = sentAtMillis;
      return this;
    }

    /** The expiry in Unix milliseconds, or null. */
    public Builder expiresAt(Long expiresAtMillis) {
      this.expiresAt = expiresAtMillis;
      return this;
    }

    public Builder ciphertext(Bytes ciphertext) {
      this.ciphertext = ciphertext;
      return this;
    }

    /**
     * The delivery.
     *
     * @throws IllegalArgumentException naming the first missing or invalid field
     */
    public Delivery build() {
      return new Delivery(stream, seq, kind, messageId, room, sender, sentAt, expiresAt, ciphertext);
    }
  }

  static String checkStream(String stream, String field) {
    Check.present(stream, field);
    if (!DEVICE_STREAM.equals(stream)
        && !(stream.startsWith(ROOM_PREFIX)
            && Check.isIdText(stream.substring(ROOM_PREFIX.length()), false))) {
      throw new FieldViolation(ErrorCode.INVALID_FIELD, field, "must be 'device' or 'room:<roomId>'");
    }
    return stream;
  }
}
