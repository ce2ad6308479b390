package io.ciphertalk.client.internal;

import java.util.List;
import java.util.Objects;

/**
 * The plaintext the client encrypts: one record for every kind of end-to-end payload. Only the
 * fields a kind needs are set; the rest are null. Encoded by {@link ContentCodec}. Immutable.
 *
 * @param kind what this is
 * @param roomId the room it belongs to (inside the ciphertext, so a private room's id is not needed
 *     in routing for the recipient to file it)
 * @param messageId this payload's own id (dedupe key)
 * @param sentAtMillis the sender's clock, epoch millis
 * @param body text of a TEXT or EDIT
 * @param replyTo message answered by a TEXT
 * @param expiresAtMillis self-destruct instant, epoch millis, or null
 * @param target the message an EDIT, DELETE or REACTION refers to
 * @param emoji the REACTION's emoji
 * @param flag REACTION: added; TYPING: started
 * @param ids RECEIPT_DELIVERED, RECEIPT_READ and READ_SYNC: the message ids concerned
 * @param keyMaterial SENDER_KEY: the sender-key distribution message; FILE: the encoded attachment
 *     descriptor (blob id, key, digest, size, name, MIME type, thumbnail)
 */
public record Content(
    Kind kind,
    String roomId,
    String messageId,
    long sentAtMillis,
    String body,
    String replyTo,
    Long expiresAtMillis,
    String target,
    String emoji,
    Boolean flag,
    List<String> ids,
    byte[] keyMaterial) {

  /** Kinds of payload. */
  public enum Kind {
    TEXT,
    EDIT,
    DELETE,
    REACTION,
    TYPING,
    RECEIPT_DELIVERED,
    RECEIPT_READ,
    READ_SYNC,
    SENDER_KEY,
    /** A file message: body is the file name, keyMaterial the attachment descriptor. */
    FILE
  }

  public Content {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(messageId, "messageId");
    ids = ids == null ? null : List.copyOf(ids);
  }

  public static Content of(Kind kind, String roomId, String messageId, long sentAt) {
    return new Content(kind, roomId, messageId, sentAt, null, null, null, null, null, null, null,
        null);
  }

  public Content withBody(String v) {
    return new Content(kind, roomId, messageId, sentAtMillis, v, replyTo, expiresAtMillis, target,
        emoji, flag, ids, keyMaterial);
  }

  public Content withReplyTo(String v) {
    return new Content(kind, roomId, messageId, sentAtMillis, body, v, expiresAtMillis, target,
        emoji, flag, ids, keyMaterial);
  }

  public Content withExpiresAt(Long v) {
    return new Content(kind, roomId, messageId, sentAtMillis, body, replyTo, v, target, emoji, flag,
        ids, keyMaterial);
  }

  public Content withTarget(String v) {
    return new Content(kind, roomId, messageId, sentAtMillis, body, replyTo, expiresAtMillis, v,
        emoji, flag, ids, keyMaterial);
  }

  public Content withEmoji(String v) {
    return new Content(kind, roomId, messageId, sentAtMillis, body, replyTo, expiresAtMillis,
        target, v, flag, ids, keyMaterial);
  }

  public Content withFlag(Boolean v) {
    return new Content(kind, roomId, messageId, sentAtMillis, body, replyTo, expiresAtMillis,
        target, emoji, v, ids, keyMaterial);
  }

  public Content withIds(List<String> v) {
    return new Content(kind, roomId, messageId, sentAtMillis, body, replyTo, expiresAtMillis,
        target, emoji, flag, v, keyMaterial);
  }

  public Content withKeyMaterial(byte[] v) {
    return new Content(kind, roomId, messageId, sentAtMillis, body, replyTo, expiresAtMillis,
        target, emoji, flag, ids, v == null ? null : v.clone());
  }

  /** Redacted: never prints the body or key material. */
  @Override
  public String toString() {
    return "Content[" + kind + " room=" + roomId + " id=" + messageId + "]";
  }
}
