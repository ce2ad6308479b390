package io.ciphertalk.client;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import java.util.List;
import java.util.Map;

/**
 * A live handle on one chat room (private 1:1 or group) of a {@link CipherTalkClient}. Obtain rooms
 * from the client; never construct one.
 *
 * <p>Sending never blocks on the network: {@link #send(String)} and the other message operations
 * encrypt and queue the message in the persisted outbox and return at once; the outbox is flushed in
 * order while connected. Membership operations are requests to the server and throw
 * {@link CipherTalkException} if it refuses them.
 *
 * <p>A handle outlives the membership: once this user is removed from the room or leaves it, every
 * operation that would send to the room or change it throws {@link RoomUnavailableException} (an
 * unchecked {@link CipherTalkException}); {@link #id}, {@link #kind}, {@link #name},
 * {@link #history} and {@link #unreadCount} keep answering from local state, and {@link #typing} and
 * {@link #markRead} do nothing.
 *
 * <p>Thread-safe. Null arguments throw {@link NullPointerException}; misuse (editing someone else's
 * message, an unknown message id) throws {@link IllegalArgumentException}.
 */
public interface Room {
  /** The room's server-assigned id. */
  String id();

  /** Private (1:1) or group. */
  RoomKind kind();

  /** The room's display name (for a private room, the other user's id). */
  String name();

  /**
   * The current members and their roles, as last reported by the server.
   *
   * @throws RoomUnavailableException if this user is no longer a member
   */
  Map<String, Role> members();

  /** Sends a text message; returns its id at once (the message is queued in the outbox). */
  MessageId send(String text);

  /** Sends a text message with a reply-to and/or a self-destruct delay. */
  MessageId send(String text, SendOptions options);

  /**
   * Sends a file: encrypts it with a fresh key in the chunked attachment format while uploading
   * the ciphertext to the server (resuming a part that fails), then sends an end-to-end encrypted
   * message carrying the key, digest, size, {@code name}, {@code mimeType} and, for images, a
   * thumbnail. Blocks until the upload finished; the message itself is then queued like
   * {@link #send}. Memory stays at a few 64 KiB chunks whatever the file size. The message's text is
   * {@code name}; receivers get the {@link Attachment} in {@link ChatEvent.MessageReceived}.
   *
   * @throws java.util.concurrent.CancellationException if {@link FileOptions#transfer()} was cancelled
   * @throws RequestFailedException if the server refused it ({@code blob_too_large},
   *     {@code quota_exceeded}, {@code not_member}, ...)
   * @throws TransferFailedException if the connection kept breaking: a part that fails is resumed
   *     from the offset the server committed (not from the start), after a pause, and the upload
   *     gives up after 5 failures in a row without progress; progress callbacks never go back
   * @throws java.io.IOException if the file cannot be read
   */
  Message sendFile(java.nio.file.Path file, String name, String mimeType, FileOptions options)
      throws java.io.IOException;

  /**
   * As {@link #sendFile(java.nio.file.Path, String, String, FileOptions)} for a stream of unknown
   * length: the stream is first encrypted into a temporary file (under a throwaway key, so no
   * plaintext touches the disk), then sent from there. Does not close {@code content}.
   */
  Message sendFile(java.io.InputStream content, String name, String mimeType, FileOptions options)
      throws java.io.IOException;

  /**
   * Replaces the text of one of this user's own messages on every device.
   *
   * @throws IllegalArgumentException if the message is unknown, deleted, or not this user's
   */
  void edit(MessageId messageId, String newText);

  /**
   * Deletes one of this user's own messages on every member's device. For a file message it also
   * tells the server (one HTTP request, on the calling thread) that the message no longer refers
   * to its blob, so the blob is deleted once no message does.
   *
   * @throws IllegalArgumentException if the message is unknown or not this user's
   */
  void deleteForEveryone(MessageId messageId);

  /** Adds an emoji reaction to a message. */
  void react(MessageId messageId, String emoji);

  /** Removes this user's emoji reaction from a message. */
  void unreact(MessageId messageId, String emoji);

  /**
   * Marks every message in the room as read: clears the unread count on all of this user's devices
   * and sends read receipts (encrypted) to the senders.
   */
  void markRead();

  /** The number of messages from other users not yet marked read. */
  int unreadCount();

  /**
   * Tells the other members this user started or stopped typing (an encrypted control message that
   * is dropped, not queued, while offline). A "started" expires by itself on the receivers.
   */
  void typing(boolean typing);

  /** The newest {@code limit} messages of the local history, oldest first. */
  List<Message> history(int limit);

  /** Up to {@code limit} messages sent before {@code before}, oldest first (the previous page). */
  List<Message> historyBefore(MessageId before, int limit);

  /** Adds a user to a group room (owners and admins only). */
  void invite(String userId) throws CipherTalkException;

  /**
   * Removes a member from a group room (owners and admins only). Every remaining device rotates its
   * sender key, so the removed member cannot read later messages.
   */
  void remove(String userId) throws CipherTalkException;

  /** Leaves the room. */
  void leave() throws CipherTalkException;

  /** Changes a member's role (owners and admins only). */
  void setRole(String userId, Role role) throws CipherTalkException;

  /** The longest topic {@link #setTopic} accepts, in characters (the server's limit). */
  int MAX_TOPIC_CHARS = 512;

  /**
   * The room's topic as last reported by the server, {@code ""} when it has none. Keeps answering
   * from local state after this user left the room.
   */
  String topic();

  /**
   * Sets the topic of a group room ({@code ""} clears it); owners and admins only. Every member's
   * devices get a {@link ChatEvent.RoomTopicChanged}. The topic is room metadata that the server
   * stores and sees in the clear, like the room's name: it is not end-to-end encrypted.
   *
   * @throws IllegalArgumentException if this is a private room, or the topic is longer than
   *     {@link #MAX_TOPIC_CHARS} or holds line breaks or other control characters
   * @throws RoomUnavailableException if this user is no longer a member
   * @throws RequestFailedException {@code forbidden} if this user is not an owner or admin
   */
  void setTopic(String topic) throws CipherTalkException;
}
