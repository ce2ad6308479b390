package io.ciphertalk.core.model;

import io.ciphertalk.crypto.DeviceAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A decrypted chat message as the app sees it. Immutable and thread-safe; build with
 * {@link #builder()}.
 *
 * @param id the message id (unique, client-generated), never null
 * @param roomId the room it belongs to, never null
 * @param sender the sending device, never null
 * @param sentAt when the server accepted it (or, for the sender's own pending messages, when it
 *     was composed), never null
 * @param body the text; empty (never null) for a message deleted for everyone
 * @param replyTo the message this one replies to, or null
 * @param expiresAt when the message self-destructs, or null for never
 * @param edited whether the body was replaced by an edit
 * @param deleted whether the sender deleted it for everyone
 * @param reactions emoji to the ids of the users who reacted with it; never null, copied, no empty
 *     sets
 */
public record Message(
    MessageId id,
    String roomId,
    DeviceAddress sender,
    Instant sentAt,
    String body,
    MessageId replyTo,
    Instant expiresAt,
    boolean edited,
    boolean deleted,
    Map<String, Set<String>> reactions) {

  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(sentAt, "sentAt");
    Objects.requireNonNull(body, "body");
    if (body.length() > PlaintextContent.MAX_BODY_CHARS) {
      throw new IllegalArgumentException(
          "body longer than " + PlaintextContent.MAX_BODY_CHARS + " characters");
    }
    Objects.requireNonNull(reactions, "reactions");
    Map<String, Set<String>> copy = new HashMap<>();
    for (Map.Entry<String, Set<String>> e : reactions.entrySet()) {
      Set<String> users = Set.copyOf(Objects.requireNonNull(e.getValue(), "reaction users"));
      if (!users.isEmpty()) {
        copy.put(Objects.requireNonNull(e.getKey(), "emoji"), users);
      }
    }
    reactions = Map.copyOf(copy);
  }

  /** This message with {@code userId}'s reaction {@code emoji} added, or removed if {@code remove}. */
  public Message withReaction(String emoji, String userId, boolean remove) {
    Objects.requireNonNull(emoji, "emoji");
    Objects.requireNonNull(userId, "userId");
    Map<String, Set<String>> next = new HashMap<>(reactions);
    Set<String> users = new HashSet<>(next.getOrDefault(emoji, Set.of()));
    if (remove) {
      users.remove(userId);
    } else {
      users.add(userId);
    }
    next.put(emoji, users);
    return new Message(id, roomId, sender, sentAt, body, replyTo, expiresAt, edited, deleted, next);
  }

  /** Whether the message has expired at {@code now}. */
  public boolean isExpiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  /** This message with its body replaced by an edit. */
  public Message withEdit(String newBody) {
    return new Message(id, roomId, sender, sentAt, newBody, replyTo, expiresAt, true, deleted, reactions);
  }

  /** This message deleted for everyone: the body and reactions are dropped. */
  public Message asDeleted() {
    return new Message(id, roomId, sender, sentAt, "", replyTo, expiresAt, edited, true, Map.of());
  }

  /** Hides the body. */
  @Override
  public String toString() {
    return "Message[id=" + id + ", room=" + roomId + ", sender=" + sender + ", sentAt=" + sentAt
        + ", body=<" + body.length() + " chars>, replyTo=" + replyTo + ", expiresAt=" + expiresAt
        + ", edited=" + edited + ", deleted=" + deleted + ", reactions=" + reactions.size() + "]";
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Message}; checks each value as it is set. Not thread-safe. */
  public static final class Builder {
    private MessageId id;
    private String roomId;
    private DeviceAddress sender;
    private Instant sentAt;
    private String body = "";
    private MessageId replyTo;
    private Instant expiresAt;
    private boolean edited;
    private boolean deleted;
    private Map<String, Set<String>> reactions = Map.of();

    private Builder() {}

    public Builder id(MessageId id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder roomId(String roomId) {
      this.roomId = Objects.requireNonNull(roomId, "roomId");
      return this;
    }

    public Builder sender(DeviceAddress sender) {
      this.sender = Objects.requireNonNull(sender, "sender");
      return this;
    }

    public Builder sentAt(Instant sentAt) {
      this.sentAt = Objects.requireNonNull(sentAt, "sentAt");
      return this;
    }

    public Builder body(String body) {
      this.body = Objects.requireNonNull(body, "body");
      return this;
    }

    /** The replied-to message, or null. */
    public Builder replyTo(MessageId replyTo) {
      this.replyTo = replyTo;
      return this;
    }

    /** The self-destruct time, or null. */
    public Builder expiresAt(Instant expiresAt) {
      this.expiresAt = expiresAt;
      return this;
    }

    public Builder edited(boolean edited) {
      this.edited = edited;
      return this;
    }

    public Builder deleted(boolean deleted) {
      this.deleted = deleted;
      return this;
    }

    /** Reactions: emoji to user ids. */
    public Builder reactions(Map<String, Set<String>> reactions) {
      this.reactions = Objects.requireNonNull(reactions, "reactions");
      return this;
    }

    /**
     * The message.
     *
     * @throws IllegalStateException if id, room, sender or sentAt is unset
     */
    public Message build() {
      if (id == null || roomId == null || sender == null || sentAt == null) {
        throw new IllegalStateException("id, roomId, sender and sentAt are required");
      }
      return new Message(
          id, roomId, sender, sentAt, body, replyTo, expiresAt, edited, deleted, reactions);
    }
  }
}
