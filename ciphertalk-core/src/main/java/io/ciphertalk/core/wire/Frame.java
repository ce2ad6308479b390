package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.ReceiptStatus;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.crypto.DeviceAddress;
import java.util.List;

/**
 * One frame of the CipherTalk wire protocol, version {@value #PROTOCOL_VERSION}: a JSON object with
 * {@code "v"} (protocol version), {@code "type"} (see {@link FrameType}) and {@code "id"}, plus the
 * fields of its record. {@link WireCodec} turns frames into JSON and back.
 *
 * <p>Three families: a {@link Request} goes from client to server and is answered by exactly one
 * {@link Response} carrying the same {@code id} (an {@link Ok}, an {@link ErrorReply} or a typed
 * result); a {@link Push} goes from server to client unasked and is not answered ({@link Deliver}
 * is acknowledged with an {@link Ack} request). Frame ids are 1-64 characters of
 * {@code [A-Za-z0-9._:-]}, chosen by the sender of a request or push and unique per connection.
 *
 * <p>Every record is immutable and validates its components against {@link Limits} on
 * construction (an {@link IllegalArgumentException} naming the field); lists are copied. Nullable
 * components are said so; every other component is required. Binary components are {@link Bytes}
 * (base64url on the wire), device addresses are {@code user.device} strings, times are Unix
 * milliseconds.
 */
@JsonPropertyOrder({"v", "type", "id"})
public sealed interface Frame {

  /** The version this code writes; it reads any {@code 1.x}. */
  String PROTOCOL_VERSION = "1.0";

  /** The frame id (for a response, the id of the request it answers). */
  String id();

  /** The frame's type, written as {@code "type"}. */
  @JsonProperty("type")
  FrameType type();

  /** The protocol version this frame is written with, {@code "v"}. */
  @JsonProperty("v")
  default String protocolVersion() {
    return PROTOCOL_VERSION;
  }

  /** A frame the client sends and the server answers with one {@link Response}. */
  sealed interface Request extends Frame {}

  /** The server's answer to a {@link Request}, carrying the request's id. */
  sealed interface Response extends Frame {}

  /** A frame the server sends unasked. */
  sealed interface Push extends Frame {}

  // ---------------------------------------------------------------- authentication

  /**
   * {@code hello}: the first frame on a connection; authenticates it as one device of the token's
   * user. Answered by {@link Welcome} or {@link ErrorReply} ({@code AUTH_FAILED}).
   *
   * @param token the bearer token from login, 1 to {@value Limits#MAX_TOKEN_CHARS} characters
   * @param device this device's id, at least 1
   * @param client optional client software description, at most {@value Limits#MAX_CLIENT_CHARS}
   */
  record Hello(String id, String token, @JsonProperty(required = true) int device, String client)
      implements Request {
    public Hello {
      Check.frameId(id);
      Check.text(token, "token", Limits.MAX_TOKEN_CHARS);
      if (token.isEmpty()) {
        throw new FieldViolation(ErrorCode.INVALID_FIELD, "token", "must not be empty");
      }
      Check.range(device, "device", 1, Integer.MAX_VALUE);
      Check.textOrNull(client, "client", Limits.MAX_CLIENT_CHARS);
    }

    /** Hides the token. */
    @Override
    public String toString() {
      return "Hello[id=" + id + ", device=" + device + ", client=" + client + "]";
    }

    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }
  }

  /**
   * {@code welcome}: the connection is authenticated.
   *
   * @param device the authenticated device's address
   * @param serverTime the server's clock, Unix milliseconds (lets the client estimate skew)
   */
  record Welcome(String id, DeviceAddress device, @JsonProperty(required = true) long serverTime)
      implements Response {
    public Welcome {
      Check.frameId(id);
      Check.address(device, "device");
      Check.nonNegative(serverTime, "serverTime");
    }

    @Override
    public FrameType type() {
      return FrameType.WELCOME;
    }
  }

  // ---------------------------------------------------------------- generic responses

  /** {@code ok}: the request succeeded and has no result. */
  record Ok(String id) implements Response {
    public Ok {
      Check.frameId(id);
    }

    @Override
    public FrameType type() {
      return FrameType.OK;
    }
  }

  /**
   * {@code error}: the request was refused, or a frame could not be decoded (id {@code "0"} when
   * its id could not be read).
   *
   * @param code what went wrong
   * @param message a human-readable explanation, at most {@value Limits#MAX_MESSAGE_CHARS}; never
   *     contains secrets
   * @param retryAfterMs for {@code RATE_LIMITED}: when to retry, or null
   * @param missingDevices for {@code STALE_DEVICES}: devices the send must also address (empty
   *     otherwise; omitted on the wire when empty)
   * @param extraDevices for {@code STALE_DEVICES}: addressed devices that no longer exist
   */
  record ErrorReply(
      String id,
      ErrorCode code,
      String message,
      Long retryAfterMs,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DeviceAddress> missingDevices,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DeviceAddress> extraDevices)
      implements Response {
    public ErrorReply {
      Check.frameId(id);
      Check.present(code, "code");
      Check.text(message, "message", Limits.MAX_MESSAGE_CHARS);
      Check.nonNegativeOrNull(retryAfterMs, "retryAfterMs");
      missingDevices =
          missingDevices == null
              ? List.of()
              : Check.list(missingDevices, "missingDevices", 0, Limits.MAX_RECIPIENTS);
      extraDevices =
          extraDevices == null
              ? List.of()
              : Check.list(extraDevices, "extraDevices", 0, Limits.MAX_RECIPIENTS);
    }

    /** An error with just a code and message. */
    public static ErrorReply of(String id, ErrorCode code, String message) {
      return new ErrorReply(id, code, message, null, List.of(), List.of());
    }

    /** A {@code RATE_LIMITED} error telling the client when to retry. */
    public static ErrorReply rateLimited(String id, String message, long retryAfterMs) {
      return new ErrorReply(id, ErrorCode.RATE_LIMITED, message, retryAfterMs, List.of(), List.of());
    }

    /** A {@code STALE_DEVICES} error listing the devices to add and to drop. */
    public static ErrorReply staleDevices(
        String id, List<DeviceAddress> missingDevices, List<DeviceAddress> extraDevices) {
      return new ErrorReply(
          id,
          ErrorCode.STALE_DEVICES,
          "the recipients' device list has changed",
          null,
          missingDevices,
          extraDevices);
    }

    @Override
    public FrameType type() {
      return FrameType.ERROR;
    }
  }

  // ---------------------------------------------------------------- prekeys

  /**
   * {@code prekeys_publish}: publishes (or refreshes) this device's keys in the server's
   * directory. Parts left null are kept as previously published; one-time prekeys are added to
   * the stock. Answered by {@link Ok}.
   *
   * @param identityKey this device's identity key blob (the server refuses a change of identity
   *     for an existing device unless the device is re-registered)
   * @param signedPreKey a new signed X25519 prekey, or null to keep the current one
   * @param oneTimePreKeys one-time prekeys to add, 0 to {@value Limits#MAX_ONE_TIME_PREKEYS}
   * @param kemPreKey a new signed last-resort ML-KEM-768 prekey, or null
   * @param rsaPreKey a new signed RSA prekey, or null
   * @param certificate the device certificate (docs/protocol.md, "Accounts and devices") signed
   *     by the account key, at most {@value Limits#MAX_CERTIFICATE_BYTES} bytes, or null to keep
   *     the current one; clients use no device without one
   * @param oneTimeKemPreKeys signed one-time ML-KEM-768 prekeys to add, 0 to {@value
   *     Limits#MAX_ONE_TIME_KEM_PREKEYS} (absent = none); each is handed out at most once, before
   *     the last-resort {@code kemPreKey}
   */
  record PreKeysPublish(
      String id,
      Bytes identityKey,
      SignedPreKey signedPreKey,
      List<OneTimePreKey> oneTimePreKeys,
      SignedPreKey kemPreKey,
      SignedPreKey rsaPreKey,
      @JsonInclude(JsonInclude.Include.NON_NULL) Bytes certificate,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SignedPreKey> oneTimeKemPreKeys)
      implements Request {
    /** Without a certificate (a device of an account created before certificates). */
    public PreKeysPublish(String id, Bytes identityKey, SignedPreKey signedPreKey,
        List<OneTimePreKey> oneTimePreKeys, SignedPreKey kemPreKey, SignedPreKey rsaPreKey) {
      this(id, identityKey, signedPreKey, oneTimePreKeys, kemPreKey, rsaPreKey, null);
    }

    /** Without one-time KEM prekeys. */
    public PreKeysPublish(String id, Bytes identityKey, SignedPreKey signedPreKey,
        List<OneTimePreKey> oneTimePreKeys, SignedPreKey kemPreKey, SignedPreKey rsaPreKey,
        Bytes certificate) {
      this(id, identityKey, signedPreKey, oneTimePreKeys, kemPreKey, rsaPreKey, certificate,
          List.of());
    }

    public PreKeysPublish {
      Check.frameId(id);
      Check.bytes(identityKey, "identityKey", 1, Limits.MAX_IDENTITY_KEY_BYTES);
      if (certificate != null) {
        Check.bytes(certificate, "certificate", 1, Limits.MAX_CERTIFICATE_BYTES);
      }
      oneTimePreKeys =
          Check.list(oneTimePreKeys, "oneTimePreKeys", 0, Limits.MAX_ONE_TIME_PREKEYS);
      oneTimeKemPreKeys = oneTimeKemPreKeys == null ? List.of()
          : Check.list(oneTimeKemPreKeys, "oneTimeKemPreKeys", 0, Limits.MAX_ONE_TIME_KEM_PREKEYS);
    }

    @Override
    public FrameType type() {
      return FrameType.PREKEYS_PUBLISH;
    }
  }

  /**
   * {@code bundle_fetch}: asks for the prekey bundles of one device, or of all devices of a user.
   * Answered by {@link BundlesReply}; each bundle consumes one one-time prekey and one one-time KEM
   * prekey (if any are left) unless {@code withOneTimePreKey} is false.
   *
   * @param user the user id
   * @param device a device id, or null for all of the user's devices
   * @param withOneTimePreKey false to get the bundles without one-time prekeys, consuming none
   *     (to list a user's devices or read their certificates); null or true: one per bundle
   *     (a server that predates the field ignores it and hands one out)
   */
  record BundleFetch(String id, String user, Integer device,
      @JsonInclude(JsonInclude.Include.NON_NULL) Boolean withOneTimePreKey) implements Request {
    /** Fetches bundles with one-time prekeys. */
    public BundleFetch(String id, String user, Integer device) {
      this(id, user, device, null);
    }

    /** Whether each returned bundle should carry (and so consume) a one-time prekey. */
    public boolean consumesOneTimePreKeys() {
      return withOneTimePreKey == null || withOneTimePreKey;
    }

    public BundleFetch {
      Check.frameId(id);
      Check.name(user, "user");
      if (device != null) {
        Check.range(device, "device", 1, Integer.MAX_VALUE);
      }
    }

    @Override
    public FrameType type() {
      return FrameType.BUNDLE_FETCH;
    }
  }

  /**
   * {@code bundles}: the answer to {@link BundleFetch}.
   *
   * @param user the user id asked for
   * @param bundles one per device, at most {@value Limits#MAX_BUNDLES} (empty if none published)
   * @param revocations the signed revocations of this user's devices (docs/protocol.md, "Accounts
   *     and devices"), at most {@value Limits#MAX_BUNDLES}; empty if none
   */
  record BundlesReply(String id, String user, List<PreKeyBundle> bundles,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Bytes> revocations) implements Response {
    /** Without revocations. */
    public BundlesReply(String id, String user, List<PreKeyBundle> bundles) {
      this(id, user, bundles, List.of());
    }

    public BundlesReply {
      Check.frameId(id);
      Check.name(user, "user");
      bundles = Check.list(bundles, "bundles", 0, Limits.MAX_BUNDLES);
      revocations = revocations == null ? List.of()
          : Check.list(revocations, "revocations", 0, Limits.MAX_BUNDLES);
      for (Bytes r : revocations) {
        Check.bytes(r, "revocations", 1, Limits.MAX_REVOCATION_BYTES);
      }
    }

    @Override
    public FrameType type() {
      return FrameType.BUNDLES;
    }
  }

  // ---------------------------------------------------------------- sending

  /**
   * {@code send}: a 1:1 message (or a pairwise-encrypted control message) fanned out to devices,
   * one ciphertext per device: every device of the recipient(s) and the sender's own other
   * devices. Answered by {@link Sent} once durably stored, or {@link ErrorReply} with
   * {@code STALE_DEVICES} if the device list is not current. A retry with the same message id is
   * answered {@link Sent} with {@code duplicate} true and delivers nothing again.
   *
   * @param messageId the client-generated message id
   * @param room the room the message belongs to
   * @param expiresAt self-destruct time, Unix milliseconds, or null
   * @param recipients 1 to {@value Limits#MAX_RECIPIENTS} addressed ciphertexts, distinct devices
   */
  record Send(
      String id, MessageId messageId, String room, Long expiresAt, List<Recipient> recipients)
      implements Request {
    public Send {
      Check.frameId(id);
      Check.present(messageId, "messageId");
      Check.name(room, "room");
      Check.nonNegativeOrNull(expiresAt, "expiresAt");
      recipients = Check.list(recipients, "recipients", 1, Limits.MAX_RECIPIENTS);
    }

    @Override
    public FrameType type() {
      return FrameType.SEND;
    }
  }

  /**
   * {@code send_group}: a group message encrypted once under the sender's sender key, stored once
   * in the room timeline and delivered to every member device. Answered by {@link Sent}.
   *
   * @param messageId the client-generated message id
   * @param room the group room
   * @param expiresAt self-destruct time, Unix milliseconds, or null
   * @param ciphertext the sender-key ciphertext, 1 to {@value Limits#MAX_CIPHERTEXT_BYTES} bytes
   */
  record SendGroup(String id, MessageId messageId, String room, Long expiresAt, Bytes ciphertext)
      implements Request {
    public SendGroup {
      Check.frameId(id);
      Check.present(messageId, "messageId");
      Check.name(room, "room");
      Check.nonNegativeOrNull(expiresAt, "expiresAt");
      Check.bytes(ciphertext, "ciphertext", 1, Limits.MAX_CIPHERTEXT_BYTES);
    }

    @Override
    public FrameType type() {
      return FrameType.SEND_GROUP;
    }
  }

  /**
   * {@code sender_key}: distributes the sender's sender key for a room, pairwise-encrypted to each
   * member device. Delivered as {@link DeliveryKind#SENDER_KEY}. Answered by {@link Sent}.
   *
   * @param messageId a fresh id for this distribution (deduplicated like a message)
   * @param room the group room
   * @param recipients 1 to {@value Limits#MAX_RECIPIENTS} addressed ciphertexts
   */
  record SenderKeyDistribute(
      String id, MessageId messageId, String room, List<Recipient> recipients) implements Request {
    public SenderKeyDistribute {
      Check.frameId(id);
      Check.present(messageId, "messageId");
      Check.name(room, "room");
      recipients = Check.list(recipients, "recipients", 1, Limits.MAX_RECIPIENTS);
    }

    @Override
    public FrameType type() {
      return FrameType.SENDER_KEY;
    }
  }

  /**
   * {@code sent}: the message is durably stored and will be delivered.
   *
   * @param messageId the message id
   * @param sentAt the server's acceptance time, Unix milliseconds (the same for a duplicate)
   * @param duplicate true if this message id had already been accepted
   */
  record Sent(
      String id,
      MessageId messageId,
      @JsonProperty(required = true) long sentAt,
      boolean duplicate)
      implements Response {
    public Sent {
      Check.frameId(id);
      Check.present(messageId, "messageId");
      Check.nonNegative(sentAt, "sentAt");
    }

    @Override
    public FrameType type() {
      return FrameType.SENT;
    }
  }

  // ---------------------------------------------------------------- delivery and history

  /**
   * {@code deliver}: a stored message for this device. The client stores it, then acknowledges
   * with {@link Ack}; unacknowledged deliveries are delivered again after a reconnect.
   *
   * @param delivery the message
   */
  record Deliver(String id, Delivery delivery) implements Push {
    public Deliver {
      Check.frameId(id);
      Check.present(delivery, "delivery");
    }

    @Override
    public FrameType type() {
      return FrameType.DELIVER;
    }
  }

  /**
   * {@code ack}: everything in {@code stream} up to and including {@code seq} is stored by the
   * client and need not be delivered again. Answered by {@link Ok}.
   *
   * @param stream {@code device} or {@code room:<roomId>}
   * @param seq the highest sequence number stored, at least 1
   */
  record Ack(String id, String stream, @JsonProperty(required = true) long seq) implements Request {
    public Ack {
      Check.frameId(id);
      Delivery.checkStream(stream, "stream");
      if (seq < 1) {
        throw new FieldViolation(ErrorCode.INVALID_FIELD, "seq", "must be at least 1");
      }
    }

    @Override
    public FrameType type() {
      return FrameType.ACK;
    }
  }

  /**
   * {@code history_fetch}: asks for the deliveries of {@code stream} after sequence
   * {@code after}, oldest first. Answered by {@link HistoryReply}.
   *
   * @param stream {@code device} or {@code room:<roomId>}
   * @param after return deliveries with a greater sequence number (0 for the start)
   * @param limit 1 to {@value Limits#MAX_HISTORY_ITEMS}
   */
  record HistoryFetch(
      String id,
      String stream,
      @JsonProperty(required = true) long after,
      @JsonProperty(required = true) int limit)
      implements Request {
    public HistoryFetch {
      Check.frameId(id);
      Delivery.checkStream(stream, "stream");
      Check.nonNegative(after, "after");
      Check.range(limit, "limit", 1, Limits.MAX_HISTORY_ITEMS);
    }

    @Override
    public FrameType type() {
      return FrameType.HISTORY_FETCH;
    }
  }

  /**
   * {@code history}: the answer to {@link HistoryFetch}; expired messages are never included.
   *
   * @param stream the stream asked for
   * @param deliveries oldest first, at most the requested limit
   * @param more whether more deliveries follow the last one
   */
  record HistoryReply(String id, String stream, List<Delivery> deliveries, boolean more)
      implements Response {
    public HistoryReply {
      Check.frameId(id);
      Delivery.checkStream(stream, "stream");
      deliveries = Check.list(deliveries, "deliveries", 0, Limits.MAX_HISTORY_ITEMS);
    }

    @Override
    public FrameType type() {
      return FrameType.HISTORY;
    }
  }

  // ---------------------------------------------------------------- receipts, typing, presence

  /**
   * {@code receipt}: tells the senders of {@code messageIds} (and this user's other devices) that
   * they were delivered to or read by this user. Clients that send receipts end-to-end encrypted
   * as control messages do not use this frame. Answered by {@link Ok}.
   *
   * @param room the room of the messages
   * @param status delivered or read
   * @param messageIds 1 to {@value Limits#MAX_RECEIPT_IDS} ids
   */
  record Receipt(String id, String room, ReceiptStatus status, List<MessageId> messageIds)
      implements Request {
    public Receipt {
      Check.frameId(id);
      Check.name(room, "room");
      Check.present(status, "status");
      messageIds = Check.list(messageIds, "messageIds", 1, Limits.MAX_RECEIPT_IDS);
    }

    @Override
    public FrameType type() {
      return FrameType.RECEIPT;
    }
  }

  /**
   * {@code receipt_event}: another device reports delivery or reading.
   *
   * @param room the room
   * @param from the reporting device
   * @param status delivered or read
   * @param messageIds 1 to {@value Limits#MAX_RECEIPT_IDS} ids
   * @param at when the server received the receipt, Unix milliseconds
   */
  record ReceiptEvent(
      String id,
      String room,
      DeviceAddress from,
      ReceiptStatus status,
      List<MessageId> messageIds,
      @JsonProperty(required = true) long at)
      implements Push {
    public ReceiptEvent {
      Check.frameId(id);
      Check.name(room, "room");
      Check.address(from, "from");
      Check.present(status, "status");
      messageIds = Check.list(messageIds, "messageIds", 1, Limits.MAX_RECEIPT_IDS);
      Check.nonNegative(at, "at");
    }

    @Override
    public FrameType type() {
      return FrameType.RECEIPT_EVENT;
    }
  }

  /**
   * {@code typing}: this user started ({@code true}) or stopped typing in a room. Receivers treat
   * "started" as expiring after a few seconds unless repeated. Answered by {@link Ok}.
   */
  record Typing(String id, String room, @JsonProperty(required = true) boolean typing)
      implements Request {
    public Typing {
      Check.frameId(id);
      Check.name(room, "room");
    }

    @Override
    public FrameType type() {
      return FrameType.TYPING;
    }
  }

  /** {@code typing_event}: device {@code from} started or stopped typing in {@code room}. */
  record TypingEvent(
      String id, String room, DeviceAddress from, @JsonProperty(required = true) boolean typing)
      implements Push {
    public TypingEvent {
      Check.frameId(id);
      Check.name(room, "room");
      Check.address(from, "from");
    }

    @Override
    public FrameType type() {
      return FrameType.TYPING_EVENT;
    }
  }

  /**
   * {@code presence_get}: asks for the presence of users the caller may see (contacts and room
   * members; others are omitted from the answer). Answered by {@link PresenceReply}.
   *
   * @param users 1 to {@value Limits#MAX_PRESENCE_USERS} user ids
   */
  record PresenceGet(String id, List<String> users) implements Request {
    public PresenceGet {
      Check.frameId(id);
      users = Check.names(users, "users", 1, Limits.MAX_PRESENCE_USERS);
    }

    @Override
    public FrameType type() {
      return FrameType.PRESENCE_GET;
    }
  }

  /** {@code presences}: the answer to {@link PresenceGet}. */
  record PresenceReply(String id, List<PresenceInfo> presences) implements Response {
    public PresenceReply {
      Check.frameId(id);
      presences = Check.list(presences, "presences", 0, Limits.MAX_PRESENCE_USERS);
    }

    @Override
    public FrameType type() {
      return FrameType.PRESENCES;
    }
  }

  /** {@code presence_event}: a contact or room member came online or went offline. */
  record PresenceEvent(String id, PresenceInfo presence) implements Push {
    public PresenceEvent {
      Check.frameId(id);
      Check.present(presence, "presence");
    }

    @Override
    public FrameType type() {
      return FrameType.PRESENCE_EVENT;
    }
  }

  // ---------------------------------------------------------------- rooms

  /**
   * {@code room_create}: creates a room with the caller as owner. Answered by {@link RoomReply}.
   *
   * @param kind private (exactly one other member) or group
   * @param name display name (null for private rooms)
   * @param description optional description
   * @param members the other initial members, 0 to {@value Limits#MAX_ROOM_MEMBERS} user ids
   * @param maxMembers the size limit, or null for the server's default
   */
  record RoomCreate(
      String id,
      RoomKind kind,
      String name,
      String description,
      List<String> members,
      Integer maxMembers)
      implements Request {
    public RoomCreate {
      Check.frameId(id);
      Check.present(kind, "kind");
      Check.textOrNull(name, "name", Limits.MAX_ROOM_NAME_CHARS);
      Check.textOrNull(description, "description", Limits.MAX_DESCRIPTION_CHARS);
      members = Check.names(members, "members", 0, Limits.MAX_ROOM_MEMBERS);
      if (maxMembers != null) {
        Check.range(maxMembers, "maxMembers", 2, Limits.MAX_ROOM_MEMBERS);
      }
      if (kind == RoomKind.PRIVATE && members.size() != 1) {
        throw new FieldViolation(
            ErrorCode.INVALID_FIELD, "members", "a private room has exactly one other member");
      }
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_CREATE;
    }
  }

  /** {@code room_get}: asks for one room the caller is a member of. Answered by {@link RoomReply}. */
  record RoomGet(String id, String room) implements Request {
    public RoomGet {
      Check.frameId(id);
      Check.name(room, "room");
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_GET;
    }
  }

  /** {@code room_list}: asks for all rooms the caller is a member of. Answered by {@link RoomsReply}. */
  record RoomList(String id) implements Request {
    public RoomList {
      Check.frameId(id);
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_LIST;
    }
  }

  /**
   * {@code room_add}: adds (invites) users to a group room; needs the admin or owner role.
   * Answered by {@link RoomReply}.
   */
  record RoomAdd(String id, String room, List<String> users) implements Request {
    public RoomAdd {
      Check.frameId(id);
      Check.name(room, "room");
      users = Check.names(users, "users", 1, Limits.MAX_ROOM_MEMBERS);
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_ADD;
    }
  }

  /** {@code room_remove}: removes a member; needs admin or owner. Answered by {@link RoomReply}. */
  record RoomRemove(String id, String room, String user) implements Request {
    public RoomRemove {
      Check.frameId(id);
      Check.name(room, "room");
      Check.name(user, "user");
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_REMOVE;
    }
  }

  /** {@code room_leave}: the caller leaves the room. Answered by {@link Ok}. */
  record RoomLeave(String id, String room) implements Request {
    public RoomLeave {
      Check.frameId(id);
      Check.name(room, "room");
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_LEAVE;
    }
  }

  /**
   * {@code invite_list}: the rooms the caller was added to by someone else and has not accepted
   * yet (pending invitations). Answered by {@link RoomsReply}.
   */
  record InviteList(String id) implements Request {
    public InviteList {
      Check.frameId(id);
    }

    @Override
    public FrameType type() {
      return FrameType.INVITE_LIST;
    }
  }

  /**
   * {@code invite_accept}: accepts a pending invitation; from then on the room's accepted members
   * and the caller see each other's presence. Answered by {@link RoomReply}, or {@code NOT_FOUND}
   * if no invitation to that room is pending.
   */
  record InviteAccept(String id, String room) implements Request {
    public InviteAccept {
      Check.frameId(id);
      Check.name(room, "room");
    }

    @Override
    public FrameType type() {
      return FrameType.INVITE_ACCEPT;
    }
  }

  /**
   * {@code invite_decline}: declines a pending invitation (the caller leaves the room). Answered by
   * {@link Ok}, or {@code NOT_FOUND} if no invitation to that room is pending.
   */
  record InviteDecline(String id, String room) implements Request {
    public InviteDecline {
      Check.frameId(id);
      Check.name(room, "room");
    }

    @Override
    public FrameType type() {
      return FrameType.INVITE_DECLINE;
    }
  }

  /** {@code room_role}: changes a member's role; needs owner. Answered by {@link RoomReply}. */
  record RoomSetRole(String id, String room, String user, Role role) implements Request {
    public RoomSetRole {
      Check.frameId(id);
      Check.name(room, "room");
      Check.name(user, "user");
      Check.present(role, "role");
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_ROLE;
    }
  }

  /**
   * {@code room_rename}: changes a group room's name and description; needs admin or owner.
   * Answered by {@link RoomReply}.
   *
   * @param name the new name, 1 to {@value Limits#MAX_ROOM_NAME_CHARS} characters
   * @param description the new description, or null to keep the current one
   */
  record RoomRename(String id, String room, String name, String description) implements Request {
    public RoomRename {
      Check.frameId(id);
      Check.name(room, "room");
      Check.text(name, "name", Limits.MAX_ROOM_NAME_CHARS);
      Check.textOrNull(description, "description", Limits.MAX_DESCRIPTION_CHARS);
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_RENAME;
    }
  }

  /** {@code room}: one room, the answer to room requests. */
  record RoomReply(String id, RoomInfo room) implements Response {
    public RoomReply {
      Check.frameId(id);
      Check.present(room, "room");
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM;
    }
  }

  /** {@code rooms}: the caller's rooms, the answer to {@link RoomList}. */
  record RoomsReply(String id, List<RoomInfo> rooms) implements Response {
    public RoomsReply {
      Check.frameId(id);
      rooms = Check.list(rooms, "rooms", 0, Limits.MAX_ROOMS);
    }

    @Override
    public FrameType type() {
      return FrameType.ROOMS;
    }
  }

  /**
   * {@code room_event}: a room the caller belongs (or belonged) to changed. Clients rotate their
   * sender key when a member is removed or leaves.
   *
   * @param change what changed
   * @param actor the user who made the change
   * @param users the users the change is about (added, removed, whose role changed); may be empty
   * @param room the room after the change
   */
  record RoomEvent(String id, RoomChange change, String actor, List<String> users, RoomInfo room)
      implements Push {
    public RoomEvent {
      Check.frameId(id);
      Check.present(change, "change");
      Check.name(actor, "actor");
      users = Check.names(users, "users", 0, Limits.MAX_ROOM_MEMBERS);
      Check.present(room, "room");
    }

    @Override
    public FrameType type() {
      return FrameType.ROOM_EVENT;
    }
  }

  // ---------------------------------------------------------------- contacts

  /** {@code contact_add}: adds a user to the caller's contacts. Answered by {@link Ok}. */
  record ContactAdd(String id, String user, String nickname) implements Request {
    public ContactAdd {
      Check.frameId(id);
      Check.name(user, "user");
      Check.textOrNull(nickname, "nickname", Limits.MAX_NICKNAME_CHARS);
    }

    @Override
    public FrameType type() {
      return FrameType.CONTACT_ADD;
    }
  }

  /** {@code contact_list}: asks for the caller's contacts. Answered by {@link ContactsReply}. */
  record ContactList(String id) implements Request {
    public ContactList {
      Check.frameId(id);
    }

    @Override
    public FrameType type() {
      return FrameType.CONTACT_LIST;
    }
  }

  /** {@code contact_remove}: removes a contact. Answered by {@link Ok}. */
  record ContactRemove(String id, String user) implements Request {
    public ContactRemove {
      Check.frameId(id);
      Check.name(user, "user");
    }

    @Override
    public FrameType type() {
      return FrameType.CONTACT_REMOVE;
    }
  }

  /**
   * {@code contact_block}: blocks ({@code true}) or unblocks a user; a blocked user's messages,
   * typing and presence do not reach the caller. Answered by {@link Ok}.
   */
  record ContactBlock(String id, String user, @JsonProperty(required = true) boolean blocked)
      implements Request {
    public ContactBlock {
      Check.frameId(id);
      Check.name(user, "user");
    }

    @Override
    public FrameType type() {
      return FrameType.CONTACT_BLOCK;
    }
  }

  /** {@code contacts}: the caller's contacts. */
  record ContactsReply(String id, List<ContactInfo> contacts) implements Response {
    public ContactsReply {
      Check.frameId(id);
      contacts = Check.list(contacts, "contacts", 0, Limits.MAX_CONTACTS);
    }

    @Override
    public FrameType type() {
      return FrameType.CONTACTS;
    }
  }

  // ---------------------------------------------------------------- device linking

  /**
   * {@code device_revoke}: publishes a revocation, signed with the account key, of one of the
   * sender's own account's devices (itself on logout). The server checks that it revokes that
   * device's current certificate, deletes the device, refuses it from then on and serves the
   * revocation with the user's bundles. Answered by {@link Ok}.
   *
   * @param revocation the revocation, 1 to {@value Limits#MAX_REVOCATION_BYTES} bytes
   */
  record DeviceRevoke(String id, Bytes revocation) implements Request {
    public DeviceRevoke {
      Check.frameId(id);
      Check.bytes(revocation, "revocation", 1, Limits.MAX_REVOCATION_BYTES);
    }

    @Override
    public FrameType type() {
      return FrameType.DEVICE_REVOKE;
    }
  }

  /**
   * {@code link_send}: relays a linking envelope (docs/protocol.md, "Linking a device") to another
   * device of the sender's own account, which must be connected. Answered by {@link Ok}, or
   * {@link ErrorReply} {@code NOT_FOUND} if that device is not connected. The server cannot read
   * or make envelopes; it only relays them.
   *
   * @param device the new device's id (from the linking code)
   * @param envelope the sealed envelope, 1 to {@value Limits#MAX_LINK_ENVELOPE_BYTES} bytes
   */
  record LinkSend(String id, int device, Bytes envelope) implements Request {
    public LinkSend {
      Check.frameId(id);
      Check.range(device, "device", 1, Integer.MAX_VALUE);
      Check.bytes(envelope, "envelope", 1, Limits.MAX_LINK_ENVELOPE_BYTES);
    }

    @Override
    public FrameType type() {
      return FrameType.LINK_SEND;
    }
  }

  /**
   * {@code link_deliver}: a linking envelope relayed from another device of this account.
   *
   * @param from the sending device (authenticated by the server, same user)
   * @param envelope the sealed envelope
   */
  record LinkDeliver(String id, DeviceAddress from, Bytes envelope) implements Push {
    public LinkDeliver {
      Check.frameId(id);
      Check.address(from, "from");
      Check.bytes(envelope, "envelope", 1, Limits.MAX_LINK_ENVELOPE_BYTES);
    }

    @Override
    public FrameType type() {
      return FrameType.LINK_DELIVER;
    }
  }

  // ---------------------------------------------------------------- notices

  /**
   * {@code notice}: something the client should act on.
   *
   * @param kind what happened
   * @param message optional human-readable text
   * @param count for {@code PREKEYS_LOW}: one-time prekeys left, else null
   * @param retryAfterMs for {@code RATE_LIMITED}: when to resume, else null
   */
  record Notice(String id, NoticeKind kind, String message, Integer count, Long retryAfterMs)
      implements Push {
    public Notice {
      Check.frameId(id);
      Check.present(kind, "kind");
      Check.textOrNull(message, "message", Limits.MAX_MESSAGE_CHARS);
      if (count != null && count < 0) {
        throw new FieldViolation(ErrorCode.INVALID_FIELD, "count", "must not be negative");
      }
      Check.nonNegativeOrNull(retryAfterMs, "retryAfterMs");
    }

    @Override
    public FrameType type() {
      return FrameType.NOTICE;
    }
  }
}
