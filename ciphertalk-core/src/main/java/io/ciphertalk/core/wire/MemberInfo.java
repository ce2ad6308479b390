package io.ciphertalk.core.wire;

import io.ciphertalk.core.model.Role;

/**
 * A room member on the wire. Immutable.
 *
 * @param user the member's user id
 * @param role the member's role
 */
public record MemberInfo(String user, Role role) {
  public MemberInfo {
    Check.name(user, "user");
    Check.present(role, "role");
  }
}
