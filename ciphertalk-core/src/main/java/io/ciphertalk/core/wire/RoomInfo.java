package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ciphertalk.core.model.Room;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.model.RoomMember;
import java.util.List;

/**
 * A room as the server describes it. Immutable.
 *
 * @param roomId the server-assigned room id
 * @param kind private (exactly two members) or group
 * @param name display name, null for private rooms, at most {@link Limits#MAX_ROOM_NAME_CHARS}
 * @param description optional description, at most {@link Limits#MAX_DESCRIPTION_CHARS}
 * @param members the members and their roles, at most {@link Limits#MAX_ROOM_MEMBERS}
 * @param maxMembers the room's size limit, 2 to {@link Limits#MAX_ROOM_MEMBERS}
 * @param createdAt Unix milliseconds
 */
public record RoomInfo(
    String roomId,
    RoomKind kind,
    String name,
    String description,
    List<MemberInfo> members,
    @JsonProperty(required = true) int maxMembers,
    @JsonProperty(required = true) long createdAt) {
  public RoomInfo {
    Check.name(roomId, "roomId");
    Check.present(kind, "kind");
    Check.textOrNull(name, "name", Limits.MAX_ROOM_NAME_CHARS);
    Check.textOrNull(description, "description", Limits.MAX_DESCRIPTION_CHARS);
    members = Check.list(members, "members", 0, Limits.MAX_ROOM_MEMBERS);
    Check.range(maxMembers, "maxMembers", 2, Limits.MAX_ROOM_MEMBERS);
    Check.nonNegative(createdAt, "createdAt");
  }

  /** The model view of this room. */
  public Room toRoom() {
    return new Room(
        roomId,
        kind,
        name,
        description,
        members.stream().map(m -> new RoomMember(m.user(), m.role())).toList(),
        maxMembers);
  }
}
