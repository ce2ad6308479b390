package io.ciphertalk.client;

/** A member's role in a room. Owners and admins may invite and remove members and change roles. */
public enum Role {
  OWNER,
  ADMIN,
  MEMBER;

  /** Whether this role may invite, remove and change the roles of members. */
  public boolean canManageMembers() {
    return this != MEMBER;
  }
}
