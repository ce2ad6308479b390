package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * What changed in a {@code room_event}. A change this version does not know decodes as
 * {@link #UNKNOWN}; the client should then re-read the room with {@code room_get}.
 */
public enum RoomChange {
  CREATED,
  MEMBERS_ADDED,
  MEMBER_REMOVED,
  MEMBER_LEFT,
  ROLE_CHANGED,
  RENAMED,
  @JsonEnumDefaultValue
  UNKNOWN
}
