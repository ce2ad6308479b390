package io.ciphertalk.core.model;

import java.util.Objects;

/**
 * A member of a room and their role. Immutable.
 *
 * @param userId the member, never null
 * @param role their role, never null
 */
public record RoomMember(String userId, Role role) {
  public RoomMember {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(role, "role");
  }
}
