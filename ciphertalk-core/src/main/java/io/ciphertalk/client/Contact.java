package io.ciphertalk.client;

import java.util.Objects;

/**
 * An entry of the user's contact list. Immutable.
 *
 * @param userId the contact's user id
 * @param nickname the name the user gave the contact; never null (may be empty)
 * @param blocked true if the contact is blocked (the server will not route their messages to us)
 */
public record Contact(String userId, String nickname, boolean blocked) {
  public Contact {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(nickname, "nickname");
  }
}
