package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * Error codes of the wire protocol: carried by {@link WireException} when a frame cannot be
 * decoded, and by {@link Frame.ErrorReply} when the server refuses a request. The wire form is the
 * constant's name. A code this version does not know (from a newer minor version) decodes as
 * {@link #UNKNOWN}. See {@code docs/protocol.md}, section "Wire", for when each is used.
 */
public enum ErrorCode {
  // Decoding (either side, or the server answering a frame it could not decode).
  /** The frame exceeds the configured maximum size; nothing of it was parsed. */
  FRAME_TOO_LARGE,
  /** The frame is not one well-formed JSON object (truncated, trailing data, bad syntax). */
  MALFORMED_JSON,
  /** A JSON object has the same key twice. */
  DUPLICATE_FIELD,
  /** Nesting depth, number length, name length or token count beyond the parser limits. */
  LIMIT_EXCEEDED,
  /** The {@code v} field names a major version other than 1, or is not {@code major.minor}. */
  UNSUPPORTED_VERSION,
  /** The {@code type} field names no frame type of this version. */
  UNKNOWN_TYPE,
  /** A required field is absent or null. */
  MISSING_FIELD,
  /** A field has the wrong JSON type or a value outside its range or pattern. */
  INVALID_FIELD,
  /** A binary field is not unpadded base64url. */
  INVALID_BASE64,
  /** A string, binary field or list is longer than its documented limit. */
  FIELD_TOO_LARGE,
  /** A well-formed frame that is not valid in this direction or state (e.g. a push sent by a client). */
  UNEXPECTED_FRAME,

  // Server refusals.
  /** A frame other than {@code hello} arrived before authentication. */
  UNAUTHENTICATED,
  /** The token in {@code hello} is unknown, expired or revoked. */
  AUTH_FAILED,
  /** The caller is authenticated but not allowed (not a member, insufficient role). */
  FORBIDDEN,
  /** The recipient has blocked the sender. */
  BLOCKED,
  /** The named user, device, room or message does not exist. */
  NOT_FOUND,
  /** The request conflicts with current state (e.g. already a member). */
  CONFLICT,
  /** The room is at its maximum size. */
  ROOM_FULL,
  /**
   * A 1:1 send did not address exactly the recipient's current devices; the reply lists the
   * missing and extra devices so the client can fix its sessions and retry with the same message
   * id.
   */
  STALE_DEVICES,
  /** Too many requests; {@code retryAfterMs} says when to try again. */
  RATE_LIMITED,
  /** The server failed; the request may be retried with the same ids. */
  INTERNAL,
  /** A code from a newer protocol version that this version does not know. */
  @JsonEnumDefaultValue
  UNKNOWN
}
