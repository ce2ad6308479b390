package io.ciphertalk.core.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A room: a private (1:1) conversation or a group. Immutable; the member list is copied.
 *
 * @param roomId the server-assigned id, never null
 * @param kind private or group, never null
 * @param name display name, or null (private rooms are named after the other member by the app)
 * @param description optional description, or null
 * @param members members and roles, never null
 * @param maxMembers the size limit, at least 2
 */
public record Room(
    String roomId,
    RoomKind kind,
    String name,
    String description,
    List<RoomMember> members,
    int maxMembers) {
  public Room {
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(kind, "kind");
    members = List.copyOf(Objects.requireNonNull(members, "members"));
    if (maxMembers < 2) {
      throw new IllegalArgumentException("maxMembers must be at least 2: " + maxMembers);
    }
    if (members.size() > maxMembers) {
      throw new IllegalArgumentException(
          members.size() + " members exceed maxMembers " + maxMembers);
    }
  }

  /** The role of {@code userId}, if a member. */
  public Optional<Role> roleOf(String userId) {
    for (RoomMember m : members) {
      if (m.userId().equals(userId)) {
        return Optional.of(m.role());
      }
    }
    return Optional.empty();
  }

  /** Whether {@code userId} is a member. */
  public boolean isMember(String userId) {
    return roleOf(userId).isPresent();
  }
}
