package io.ciphertalk.client.internal;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.Presence;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The client engine's view of the server: semantic requests and a stream of inbound events. One
 * implementation maps this onto the wire frames over a transport; tests use an in-process fake.
 *
 * <p>Requests block until the server answered (or a timeout) and throw {@link CipherTalkException}
 * on refusal. {@link Inbound} callbacks may come on any thread, one at a time.
 */
public interface ServerLink extends AutoCloseable {
  /** Creates an account; returns a bearer token. */
  String register(String userId, String password) throws CipherTalkException;

  /** Logs in; returns a bearer token. */
  String login(String userId, String password) throws CipherTalkException;

  /**
   * Changes the account's password, authenticated by {@code token}, the current password and, when
   * the account has a second factor, a one-time code ({@code oneTimeCode}, else null). The server
   * keeps {@code token} valid and revokes every other token of the account; returns how many it
   * revoked.
   */
  int changePassword(String token, String currentPassword, String newPassword, String oneTimeCode)
      throws CipherTalkException;

  /** Opens the live connection and authenticates this device; inbound events start flowing. */
  void connect(DeviceAddress self, String token, Inbound inbound) throws CipherTalkException;

  /** Drops the live connection (no reconnect by the link itself). */
  void disconnect();

  boolean isConnected();

  /**
   * Publishes this device's public keys: replaces the identity and signed prekeys, adds the
   * one-time prekeys to the stock.
   */
  void publishKeys(KeyUpload upload) throws CipherTalkException;

  /** The devices a user has registered. */
  List<Integer> devices(String userId) throws CipherTalkException;

  /** A hint that {@code device} exists (it just sent us an authenticated message). */
  default void noteDevice(DeviceAddress device) {}

  /** One device's prekey bundle (consumes one one-time prekey if any is left). */
  DeviceBundle fetchBundle(DeviceAddress device) throws CipherTalkException;

  /**
   * The certificate {@code device} published, as the directory serves it (unverified: the caller
   * checks it), or empty if it published none. {@code fresh} asks the server again instead of
   * answering from what earlier directory answers held.
   */
  Optional<byte[]> certificate(DeviceAddress device, boolean fresh) throws CipherTalkException;

  /**
   * Relays a linking envelope to this account's device {@code device}, which must be connected.
   *
   * @throws RequestFailedException {@code not_found} if it is not connected
   */
  void sendLinkEnvelope(int device, byte[] envelope) throws CipherTalkException;

  /** Publishes a signed revocation of one of this account's devices. */
  void publishRevocation(byte[] revocation) throws CipherTalkException;

  /**
   * The revocations of {@code userId}'s devices the directory served with its last answer about
   * that user (unverified: the caller checks them).
   */
  List<byte[]> revocations(String userId);

  /** Sends per-device ciphertexts; returns once the server durably stored them. */
  void sendPairwise(MessageId id, String roomId, List<Envelope> envelopes, Instant expiresAt)
      throws CipherTalkException;

  /** Sends one group ciphertext to a room; returns once the server durably stored it. */
  void sendGroup(MessageId id, String roomId, byte[] ciphertext, Instant expiresAt)
      throws CipherTalkException;

  /**
   * {@link #sendPairwise} without waiting: the send leaves at once (sends keep their order on the
   * connection) and the future completes when the server stored it, or exceptionally with the
   * {@link CipherTalkException} the blocking call would throw. The default waits.
   */
  default java.util.concurrent.CompletableFuture<Void> sendPairwiseAsync(MessageId id,
      String roomId, List<Envelope> envelopes, Instant expiresAt) {
    try {
      sendPairwise(id, roomId, envelopes, expiresAt);
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    } catch (CipherTalkException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  /** {@link #sendGroup} without waiting, like {@link #sendPairwiseAsync}. The default waits. */
  default java.util.concurrent.CompletableFuture<Void> sendGroupAsync(MessageId id, String roomId,
      byte[] ciphertext, Instant expiresAt) {
    try {
      sendGroup(id, roomId, ciphertext, expiresAt);
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    } catch (CipherTalkException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  RoomInfo createRoom(RoomKind kind, String name, Set<String> members) throws CipherTalkException;

  List<RoomInfo> rooms() throws CipherTalkException;

  void invite(String roomId, String userId) throws CipherTalkException;

  void remove(String roomId, String userId) throws CipherTalkException;

  void leave(String roomId) throws CipherTalkException;

  /** Rooms this user was added to by someone else and has not accepted yet. */
  List<RoomInfo> pendingInvites() throws CipherTalkException;

  /** Accepts a pending invitation ({@code not_found} if none is pending for the room). */
  void acceptInvite(String roomId) throws CipherTalkException;

  /** Declines a pending invitation: leaves the room ({@code not_found} if none is pending). */
  void declineInvite(String roomId) throws CipherTalkException;

  void setRole(String roomId, String userId, Role role) throws CipherTalkException;

  /**
   * Sets a group room's name and topic (the server's room description; {@code ""} clears it);
   * owners and admins only. Returns the room after the change.
   */
  RoomInfo renameRoom(String roomId, String name, String topic) throws CipherTalkException;

  void addContact(String userId, String nickname) throws CipherTalkException;

  List<Contact> contacts() throws CipherTalkException;

  void removeContact(String userId) throws CipherTalkException;

  void block(String userId, boolean blocked) throws CipherTalkException;

  Map<String, Presence> presence(Collection<String> userIds) throws CipherTalkException;

  @Override
  void close();

  /** Events from the server. Implemented by the engine. */
  interface Inbound {
    /**
     * A pairwise ciphertext for this device; {@code expiresAt} (null = none) is the routing copy of
     * the expiry, authenticated by the decryption. Call {@code ack} once it is safely processed.
     */
    void onEnvelope(DeviceAddress from, MessageId id, byte[] ciphertext, Instant expiresAt,
        Runnable ack);

    /** A group ciphertext in a room. Call {@code ack} once it is safely processed. */
    void onGroupMessage(String roomId, DeviceAddress from, MessageId id, byte[] ciphertext,
        Instant expiresAt, Runnable ack);

    void onPresence(Presence presence);

    /** A membership change; {@code room} is the room after it (empty if this user left it). */
    void onMembership(String roomId, String userId, ChatEvent.MembershipChange change,
        Optional<Role> role, Optional<RoomInfo> room);

    /** {@code byUserId} changed the room's name or topic; {@code room} is the room after it. */
    default void onRoomRenamed(RoomInfo room, String byUserId) {}

    /** The devices of {@code userId} changed (a revocation): its directory entry was refreshed. */
    default void onDevicesChanged(String userId) {}

    /** A linking envelope relayed from another device of this account. */
    default void onLinkEnvelope(DeviceAddress from, byte[] envelope) {}

    /** The server's notice that this device's one-time prekeys run low. */
    void onPrekeysLow(int remaining);

    /** The connection dropped (not called after {@link #disconnect()}). */
    void onDisconnected(String reason);
  }

  /** A ciphertext for one device. */
  record Envelope(DeviceAddress to, byte[] ciphertext) {
    public Envelope {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(ciphertext, "ciphertext");
    }
  }

  /**
   * A room as the server describes it.
   *
   * @param topic the room's topic (the server's description), {@code ""} when it has none
   */
  record RoomInfo(String id, RoomKind kind, String name, Map<String, Role> members, String topic) {
    public RoomInfo {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      members = Map.copyOf(members);
      topic = topic == null ? "" : topic;
    }

    /** A room without a topic. */
    public RoomInfo(String id, RoomKind kind, String name, Map<String, Role> members) {
      this(id, kind, name, members, "");
    }

    /** The same room with other members (the topic kept). */
    public RoomInfo withMembers(Map<String, Role> newMembers) {
      return new RoomInfo(id, kind, name, newMembers, topic);
    }
  }

  /**
   * A device's public keys as fetched from the directory: the encoded bundle without a one-time
   * prekey (identity, signed prekeys), plus the one one-time prekey the server handed out, if any.
   */
  record DeviceBundle(DeviceAddress device, byte[] bundle, KeyUpload.OneTimePrekey oneTimePrekey,
      byte[] certificate) {
    public DeviceBundle {
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(bundle, "bundle");
    }

    /** A bundle without a certificate. */
    public DeviceBundle(DeviceAddress device, byte[] bundle, KeyUpload.OneTimePrekey oneTimePrekey) {
      this(device, bundle, oneTimePrekey, null);
    }
  }

  /** A device's public keys to publish. */
  record KeyUpload(byte[] identityAndSignedPrekeys, List<OneTimePrekey> oneTimePrekeys,
      byte[] certificate, List<KemPrekey> oneTimeKemPrekeys) {
    public KeyUpload {
      Objects.requireNonNull(identityAndSignedPrekeys, "identityAndSignedPrekeys");
      oneTimePrekeys = List.copyOf(oneTimePrekeys);
      oneTimeKemPrekeys = List.copyOf(oneTimeKemPrekeys);
    }

    /** Keys without a certificate or one-time KEM prekeys. */
    public KeyUpload(byte[] identityAndSignedPrekeys, List<OneTimePrekey> oneTimePrekeys) {
      this(identityAndSignedPrekeys, oneTimePrekeys, null, List.of());
    }

    /** The same keys with {@code certificate}. */
    public KeyUpload withCertificate(byte[] certificate) {
      return new KeyUpload(identityAndSignedPrekeys, oneTimePrekeys, certificate,
          oneTimeKemPrekeys);
    }

    /** One one-time prekey: its id and public encoding. */
    public record OneTimePrekey(int id, byte[] publicKey) {}

    /** One signed one-time ML-KEM-768 prekey: id, encapsulation key, signature. */
    public record KemPrekey(int id, byte[] publicKey, byte[] signature) {}
  }
}
