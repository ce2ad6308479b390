package io.ciphertalk.client.internal;

import io.ciphertalk.client.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the client keeps on the device besides crypto state: the account, the decrypted history,
 * rooms, the outbox, the ids already processed and unread bookkeeping. Implementations are
 * thread-safe and, for the file store, encrypt everything sensitive at rest.
 */
public interface LocalData extends AutoCloseable {
  /** The account this store belongs to. */
  record Account(String userId, int deviceId, String token) {
    @Override
    public String toString() {
      return "Account[" + userId + "." + deviceId + "]"; // never print the token
    }
  }

  Optional<Account> account();

  void saveAccount(Account account);

  /** Inserts or replaces a message (replacing keeps its position in the history). */
  void putMessage(Message message);

  /** The message (without its send state: internal lookups do not need it). */
  Optional<Message> message(MessageId id);

  /**
   * Moves the send state of a message this device sent. {@code QUEUED} starts tracking a message;
   * other states apply only to tracked messages and only forward.
   *
   * @return true if the state changed
   */
  boolean updateSendState(MessageId id, io.ciphertalk.core.model.SendState state);

  void deleteMessage(MessageId id);

  /** Stores the encoded attachment descriptor of the file message {@code id}. */
  void putAttachment(MessageId id, byte[] descriptor);

  /** The encoded attachment descriptor of the file message {@code id}, if it has one. */
  Optional<byte[]> attachment(MessageId id);

  /** Forgets the attachment descriptor of {@code id} (the message expired or was deleted). */
  void removeAttachment(MessageId id);

  /** The newest {@code limit} messages of a room, oldest first. */
  List<Message> latest(String roomId, int limit);

  /** Up to {@code limit} messages stored before {@code before}, oldest first. */
  List<Message> before(String roomId, MessageId before, int limit);

  /** Messages whose text contains {@code needle} (case-insensitive), newest first. */
  List<Message> search(String needle, int limit);

  /** The earliest expiry among stored messages. */
  Optional<java.time.Instant> nextExpiry();

  /** Deletes every expired message and returns them. */
  List<Message> sweepExpired();

  void putRoom(ServerLink.RoomInfo room);

  void removeRoom(String roomId);

  List<ServerLink.RoomInfo> rooms();

  /** Appends to the outbox; returns the entry with its sequence number. */
  OutboxEntry appendOutbox(OutboxEntry entry);

  /** The first {@code limit} entries of the outbox, in order. */
  List<OutboxEntry> outbox(int limit);

  void removeOutbox(OutboxEntry entry);

  /**
   * A ciphertext kept until it can be processed: a pairwise envelope ({@code roomId} null) until
   * its sender's changed identity is trusted, or a group message until its sender key arrives.
   */
  record HeldEnvelope(DeviceAddress from, MessageId id, byte[] ciphertext, Instant expiresAt,
      String roomId) {}

  /** Keeps a ciphertext; false if that message id is already held. */
  boolean holdEnvelope(HeldEnvelope envelope);

  /** How many group messages are held (waiting for sender keys). */
  int heldGroupMessages();

  /** The envelopes held from {@code userId}, oldest first. */
  List<HeldEnvelope> heldFrom(String userId);

  /** The users with held envelopes. */
  Set<String> heldSenders();

  int heldCount(String userId);

  void removeHeld(MessageId id);

  /**
   * Inside a unit of work, before a received batch is processed: reads whether each of its ids was
   * seen or stored in one query each, so the per-message checks of the batch ({@link #isSeen},
   * {@link #message}) need no query of their own (where the store supports it).
   */
  default void prepareInbound(java.util.Collection<MessageId> ids) {}

  /** Whether an inbound payload id was already processed. */
  boolean isSeen(MessageId id);

  /** Records an inbound payload id; false if it was already recorded (a duplicate). */
  boolean markSeen(MessageId id);

  Set<MessageId> unread(String roomId);

  void setUnread(String roomId, Set<MessageId> ids);

  /** Adds one id to a room's unread set (without rewriting the set). */
  void addUnread(String roomId, MessageId id);

  /** Removes ids from a room's unread set; returns how many were in it. */
  int removeUnread(String roomId, Set<MessageId> ids);

  /**
   * Runs {@code work} as one store transaction ({@link io.ciphertalk.core.store.LocalStore#inTransaction}):
   * committed once at the end, or not at all if it throws.
   */
  void inTransaction(Runnable work);

  @Override
  void close();
}
