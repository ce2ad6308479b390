package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * Why the server sent a {@code notice}. A kind this version does not know decodes as
 * {@link #UNKNOWN} and should be ignored.
 */
public enum NoticeKind {
  /** Fewer one-time prekeys are left than the server's threshold; {@code count} says how many. */
  PREKEYS_LOW,
  /** Another connection authenticated as this device; this one is about to be closed. */
  SESSION_REPLACED,
  /** The connection is sending too fast; {@code retryAfterMs} says when to resume. */
  RATE_LIMITED,
  /**
   * The devices of the user named in {@code message} changed (a device was revoked): fetch that
   * user's bundles again, which carry the signed revocations.
   */
  DEVICES_CHANGED,
  @JsonEnumDefaultValue
  UNKNOWN
}
