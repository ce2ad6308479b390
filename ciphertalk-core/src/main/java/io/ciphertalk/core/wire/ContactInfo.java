package io.ciphertalk.core.wire;

/**
 * A contact in the caller's contact list on the wire. Immutable.
 *
 * @param user the contact's user id
 * @param nickname the caller's nickname for them, or null; at most {@link Limits#MAX_NICKNAME_CHARS}
 * @param blocked whether the caller blocks them
 */
public record ContactInfo(String user, String nickname, boolean blocked) {
  public ContactInfo {
    Check.name(user, "user");
    Check.textOrNull(nickname, "nickname", Limits.MAX_NICKNAME_CHARS);
  }
}
