package io.ciphertalk.client;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.SendState;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A decrypted chat message as the app sees it. Immutable: an edit, a reaction or a deletion produces
 * a new {@code Message} with the same id.
 *
 * @param id the message's unique id
 * @param roomId the room it belongs to
 * @param senderUserId the user who sent it
 * @param senderDeviceId the device it was sent from
 * @param sentAt the sender's timestamp (as claimed by the sender, authenticated by the encryption)
 * @param text the body; empty once deleted
 * @param replyTo the message this one answers, if any
 * @param expiresAt when the message self-destructs, if it does
 * @param edited true if the sender edited it
 * @param deleted true if the sender deleted it for everyone
 * @param reactions emoji to the set of users who reacted with it; never null
 * @param sendState for a message this device sent, how far it got (queued, sent, delivered, read
 *     or failed); empty for messages from others. Filled in history and search results; changes
 *     are announced by {@link ChatEvent.MessageStatusChanged}.
 */
public record Message(
    MessageId id,
    String roomId,
    String senderUserId,
    int senderDeviceId,
    Instant sentAt,
    String text,
    Optional<MessageId> replyTo,
    Optional<Instant> expiresAt,
    boolean edited,
    boolean deleted,
    Map<String, Set<String>> reactions,
    Optional<SendState> sendState) {
  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(senderUserId, "senderUserId");
    Objects.requireNonNull(sentAt, "sentAt");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(replyTo, "replyTo");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(reactions, "reactions");
    reactions = Map.copyOf(reactions);
    Objects.requireNonNull(sendState, "sendState");
  }

  /** A message without a send state (received, or sent before states were recorded). */
  public Message(MessageId id, String roomId, String senderUserId, int senderDeviceId,
      Instant sentAt, String text, Optional<MessageId> replyTo, Optional<Instant> expiresAt,
      boolean edited, boolean deleted, Map<String, Set<String>> reactions) {
    this(id, roomId, senderUserId, senderDeviceId, sentAt, text, replyTo, expiresAt, edited,
        deleted, reactions, Optional.empty());
  }

  /** A copy with a send state. */
  public Message withSendState(Optional<SendState> state) {
    return new Message(id, roomId, senderUserId, senderDeviceId, sentAt, text, replyTo, expiresAt,
        edited, deleted, reactions, state);
  }

  /** A copy with a new text, marked edited. */
  public Message withEditedText(String newText) {
    return new Message(id, roomId, senderUserId, senderDeviceId, sentAt, newText, replyTo, expiresAt,
        true, deleted, reactions, sendState);
  }

  /** A copy with the body removed, marked deleted. */
  public Message asDeleted() {
    return new Message(id, roomId, senderUserId, senderDeviceId, sentAt, "", replyTo, expiresAt,
        edited, true, Map.of(), sendState);
  }

  /** A copy with different reactions. */
  public Message withReactions(Map<String, Set<String>> newReactions) {
    return new Message(id, roomId, senderUserId, senderDeviceId, sentAt, text, replyTo, expiresAt,
        edited, deleted, newReactions, sendState);
  }

  /** Redacted: never prints the body. */
  @Override
  public String toString() {
    return "Message[id=" + id + ", room=" + roomId + ", from=" + senderUserId + "." + senderDeviceId
        + ", sentAt=" + sentAt + ", edited=" + edited + ", deleted=" + deleted
        + sendState.map(st -> ", status=" + st.status()).orElse("") + "]";
  }
}
