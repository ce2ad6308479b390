package io.ciphertalk.client;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened that the app may want to show. Events are immutable records delivered to
 * {@link ChatListener}s on the client's callback executor, in the order the client observed them.
 */
public sealed interface ChatEvent {
  /** Calls the matching method of {@code listener}. */
  void dispatchTo(ChatListener listener);

  /**
   * A new message arrived (or was sent from another of this user's devices).
   *
   * @param message the decrypted message
   * @param replyTarget the message it replies to, if it has one and it is in the local history
   * @param fromOwnDevice true if another device of this user sent it
   * @param attachment for a file message, what it carries (fetch it with
   *     {@link CipherTalkClient#download}); the message's text is then the file name
   */
  record MessageReceived(Message message, Optional<Message> replyTarget, boolean fromOwnDevice,
      Optional<Attachment> attachment) implements ChatEvent {
    public MessageReceived {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(replyTarget, "replyTarget");
      Objects.requireNonNull(attachment, "attachment");
    }

    /** A text message (no attachment). */
    public MessageReceived(Message message, Optional<Message> replyTarget, boolean fromOwnDevice) {
      this(message, replyTarget, fromOwnDevice, Optional.empty());
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onMessage(this);
    }
  }

  /** A message was edited by its sender; {@code message} carries the new text. */
  record MessageEdited(Message message) implements ChatEvent {
    public MessageEdited {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onEdited(this);
    }
  }

  /** A message was deleted for everyone by its sender. */
  record MessageDeleted(String roomId, MessageId messageId, String byUserId) implements ChatEvent {
    public MessageDeleted {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(byUserId, "byUserId");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onDeleted(this);
    }
  }

  /** A self-destructing message reached its expiry and was removed from this device. */
  record MessageExpired(String roomId, MessageId messageId) implements ChatEvent {
    public MessageExpired {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(messageId, "messageId");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onExpired(this);
    }
  }

  /**
   * A user added or removed a reaction.
   *
   * @param target the message reacted to, with its updated reactions, if it is in the local history
   */
  record ReactionChanged(
      String roomId, MessageId messageId, String userId, String emoji, boolean added,
      Optional<Message> target) implements ChatEvent {
    public ReactionChanged {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(emoji, "emoji");
      Objects.requireNonNull(target, "target");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onReaction(this);
    }
  }

  /**
   * The send state of a message this device sent changed: the server stored it, a recipient
   * received or read it, or it failed (with the reason). States only move forward
   * ({@link io.ciphertalk.core.model.MessageStatus}).
   */
  record MessageStatusChanged(String roomId, MessageId messageId,
      io.ciphertalk.core.model.SendState state) implements ChatEvent {
    public MessageStatusChanged {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(state, "state");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onMessageStatus(this);
    }
  }

  /** A member's device confirmed delivery of, or the member read, one of this user's messages. */
  record ReceiptReceived(
      String roomId, MessageId messageId, String userId, ReceiptKind kind, Instant at)
      implements ChatEvent {
    public ReceiptReceived {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(at, "at");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onReceipt(this);
    }
  }

  /**
   * A member started or stopped typing. A "started" is followed by a "stopped" either when the
   * member says so or when the indicator expires on this client's clock.
   */
  record TypingChanged(String roomId, String userId, boolean typing) implements ChatEvent {
    public TypingChanged {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(userId, "userId");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onTyping(this);
    }
  }

  /** A contact or room member went online or offline. */
  record PresenceChanged(Presence presence) implements ChatEvent {
    public PresenceChanged {
      Objects.requireNonNull(presence, "presence");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onPresence(this);
    }
  }

  /** What happened to a room's membership. */
  enum MembershipChange {
    JOINED,
    REMOVED,
    LEFT,
    ROLE_CHANGED
  }

  /**
   * A room's membership changed (this user included: being invited shows as {@code JOINED} with
   * this user's id).
   *
   * @param role the member's role after the change; empty when they are no longer a member
   */
  record MembershipChanged(String roomId, String userId, MembershipChange change, Optional<Role> role)
      implements ChatEvent {
    public MembershipChanged {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(change, "change");
      Objects.requireNonNull(role, "role");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onMembership(this);
    }
  }

  /**
   * A group room's name or topic changed (set by an owner or admin with {@link Room#setTopic}). The
   * room's name and topic are room metadata the server stores and sees, like its member list.
   *
   * @param roomId the room
   * @param byUserId who changed it
   * @param name the room's name after the change
   * @param topic the topic after the change, {@code ""} when cleared
   */
  record RoomTopicChanged(String roomId, String byUserId, String name, String topic)
      implements ChatEvent {
    public RoomTopicChanged {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(byUserId, "byUserId");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(topic, "topic");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onTopicChanged(this);
    }
  }

  /**
   * A contact's account identity changed: a device of that user is certified by another account
   * key than the one pinned on first contact (the user reset the account, or the server substitutes
   * keys). Messages to and from that user are <b>held</b> until the app calls
   * {@link CipherTalkClient#trustIdentity(String, String)} with the new safety number the users
   * compared out of band. ({@code newDevice} is always false; a new device of a known account is a
   * {@link DeviceLinked} event.)
   *
   * @param userId the user whose account key changed
   * @param deviceId the device that presented it
   * @param newSafetyNumber the safety number with the new account key, to compare out of band
   * @param newDevice false (kept for source compatibility)
   */
  record IdentityKeyChanged(String userId, int deviceId, String newSafetyNumber,
      boolean newDevice) implements ChatEvent {
    public IdentityKeyChanged {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(newSafetyNumber, "newSafetyNumber");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onIdentityKeyChanged(this);
    }
  }

  /**
   * A device joined an account this client knows (a contact's, or this user's own): it is certified
   * by that account's pinned key, so it was linked on one of the account's devices. Nothing is held;
   * the app should tell the user.
   *
   * @param userId the account
   * @param deviceId the new device
   */
  record DeviceLinked(String userId, int deviceId) implements ChatEvent {
    public DeviceLinked {
      Objects.requireNonNull(userId, "userId");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onDeviceLinked(this);
    }
  }

  /**
   * A device the directory lists, or that sent a message, is not certified by its account's key
   * (or was revoked): nothing is encrypted to it and nothing from it is accepted. Announced once per
   * device and run of the client. A device the server added to an account shows up here.
   *
   * @param userId the account the device claims to belong to
   * @param deviceId the device
   * @param reason why it was refused
   */
  record DeviceRejected(String userId, int deviceId, String reason) implements ChatEvent {
    public DeviceRejected {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onDeviceRejected(this);
    }
  }

  /**
   * This device was linked to its account (on the new device, after another device approved its
   * linking code). Show {@code confirmationCode}: it must equal the one the approving device shows.
   *
   * @param confirmationCode six digits
   */
  record LinkCompleted(String confirmationCode) implements ChatEvent {
    public LinkCompleted {
      Objects.requireNonNull(confirmationCode, "confirmationCode");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onLinkCompleted(this);
    }
  }

  /**
   * This device connected to an account that already has certified devices but holds no account
   * key: it must be linked ({@link CipherTalkClient#startLinking()} here, then
   * {@link CipherTalkClient#approveLink(String)} on a device of the account) before it can send or
   * receive.
   */
  record LinkingRequired() implements ChatEvent {
    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onLinkingRequired(this);
    }
  }

  /** The connection to the server changed state. */
  record ConnectionStateChanged(ConnectionState state) implements ChatEvent {
    public ConnectionStateChanged {
      Objects.requireNonNull(state, "state");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onConnectionState(this);
    }
  }

  /**
   * A message reached this device but could not be decrypted (a corrupted or forged ciphertext, a
   * replay, a session or sender key this device does not have): it is dropped and counted in
   * {@link CipherTalkClient#stats()}. Nothing of its content is known; the app should tell the user
   * that a message from {@code senderUserId} was lost, so they can ask for it again.
   *
   * @param roomId the room, when the server's routing says (group messages); empty for a 1:1
   *     envelope, whose room is inside the ciphertext (the app may assume the private room with
   *     the sender)
   * @param senderUserId the sending user, as the server routed it (not authenticated)
   * @param senderDeviceId the sending device, as the server routed it
   * @param messageId the message's routing id
   */
  record MessageUndecryptable(Optional<String> roomId, String senderUserId, int senderDeviceId,
      MessageId messageId) implements ChatEvent {
    public MessageUndecryptable {
      Objects.requireNonNull(roomId, "roomId");
      Objects.requireNonNull(senderUserId, "senderUserId");
      Objects.requireNonNull(messageId, "messageId");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onUndecryptable(this);
    }
  }

  /**
   * The server no longer accepts this device's session: its token was revoked or expired, or the
   * account was deleted. The client has stopped reconnecting (its state is
   * {@link ConnectionState#DISCONNECTED}) and sends wait in the outbox. To continue, log in again
   * ({@link CipherTalkClient#login}) and {@link CipherTalkClient#connect()}; the device keeps its
   * keys and its outbox.
   *
   * @param reason the server's reason, for the user
   */
  record SessionEnded(String reason) implements ChatEvent {
    public SessionEnded {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public void dispatchTo(ChatListener listener) {
      listener.onSessionEnded(this);
    }
  }
}
