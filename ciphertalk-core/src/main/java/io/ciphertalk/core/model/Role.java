package io.ciphertalk.core.model;

/**
 * A member's role in a room. {@link #OWNER} can do everything including changing roles;
 * {@link #ADMIN} can add and remove members and rename the room; {@link #MEMBER} can send and
 * read. The server enforces these rules; the client shows them.
 */
public enum Role {
  OWNER,
  ADMIN,
  MEMBER;

  /** Whether this role may add/remove members and rename the room. */
  public boolean canManageMembers() {
    return this != MEMBER;
  }
}
