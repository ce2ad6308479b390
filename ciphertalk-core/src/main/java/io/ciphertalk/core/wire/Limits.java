package io.ciphertalk.core.wire;

/**
 * The field limits of protocol version 1, enforced when a frame is decoded and when a frame record
 * is constructed. Documented in {@code docs/protocol.md}, section "Wire". The whole-frame limit is
 * configurable on {@link WireCodec.Builder#maxFrameBytes(int)}.
 */
public final class Limits {
  /** Default maximum size of one frame in bytes (1 MiB). */
  public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
  /** Frame ids, user ids, room ids: 1 to 64 characters of {@code [A-Za-z0-9._:-]} / {@code [A-Za-z0-9._-]}. */
  public static final int MAX_ID_CHARS = 64;
  /** Bearer token in {@code hello}. */
  public static final int MAX_TOKEN_CHARS = 512;
  /** Free-form client software description in {@code hello}. */
  public static final int MAX_CLIENT_CHARS = 128;
  /** Room name. */
  public static final int MAX_ROOM_NAME_CHARS = 128;
  /** Room description. */
  public static final int MAX_DESCRIPTION_CHARS = 1024;
  /** Contact nickname. */
  public static final int MAX_NICKNAME_CHARS = 64;
  /** Human-readable message in {@code error} and {@code notice}. */
  public static final int MAX_MESSAGE_CHARS = 512;
  /** Identity key blob. */
  public static final int MAX_IDENTITY_KEY_BYTES = 256;
  /** Device certificate blob (a version-1 certificate is at most 303 bytes). */
  public static final int MAX_CERTIFICATE_BYTES = 512;
  /** Device revocation blob (a version-1 revocation is at most 243 bytes). */
  public static final int MAX_REVOCATION_BYTES = 512;
  /** Linking envelope blob (a version-1 envelope is at most 171 bytes). */
  public static final int MAX_LINK_ENVELOPE_BYTES = 512;
  /** A prekey's public key blob (ML-KEM-768 public keys are 1,184 bytes). */
  public static final int MAX_PUBLIC_KEY_BYTES = 2048;
  /** A signature blob (RSA-3072 signatures are 384 bytes). */
  public static final int MAX_SIGNATURE_BYTES = 512;
  /** One ciphertext blob (per recipient device, or one group message). */
  public static final int MAX_CIPHERTEXT_BYTES = 64 * 1024;
  /** Recipient devices in one {@code send} or {@code sender_key} frame. */
  public static final int MAX_RECIPIENTS = 1024;
  /** One-time prekeys in one {@code prekeys_publish} frame. */
  public static final int MAX_ONE_TIME_PREKEYS = 200;
  /** One-time ML-KEM-768 prekeys in one {@code prekeys_publish} frame (about 1.7 KB each). */
  public static final int MAX_ONE_TIME_KEM_PREKEYS = 100;
  /** Message ids in one {@code receipt}. */
  public static final int MAX_RECEIPT_IDS = 256;
  /** Members of a room (also the largest allowed {@code maxMembers}). */
  public static final int MAX_ROOM_MEMBERS = 1000;
  /** Rooms in one {@code rooms} reply. */
  public static final int MAX_ROOMS = 2000;
  /** Contacts in one {@code contacts} reply. */
  public static final int MAX_CONTACTS = 5000;
  /** Users in one {@code presence_get} or {@code presences} frame. */
  public static final int MAX_PRESENCE_USERS = 1000;
  /** Device bundles in one {@code bundles} reply. */
  public static final int MAX_BUNDLES = 64;
  /** Deliveries in one {@code history} reply, and the largest {@code limit} of {@code history_fetch}. */
  public static final int MAX_HISTORY_ITEMS = 500;
  /** Parser limit on JSON nesting depth. */
  public static final int MAX_NESTING_DEPTH = 16;
  /** Parser limit on the digits of one JSON number. */
  public static final int MAX_NUMBER_CHARS = 24;
  /** Parser limit on the length of one JSON object key. */
  public static final int MAX_KEY_CHARS = 64;

  private Limits() {}
}
