package io.ciphertalk.core.model;

import java.util.Objects;

/**
 * Someone in the user's contact list. Immutable and thread-safe.
 *
 * @param userId the contact's user id, never null
 * @param nickname the user's own name for the contact, or null
 * @param blocked whether the user blocks this contact (the server then refuses their messages)
 */
public record Contact(String userId, String nickname, boolean blocked) {
  public Contact {
    Objects.requireNonNull(userId, "userId");
    if (userId.isEmpty()) {
      throw new IllegalArgumentException("userId must not be empty");
    }
  }

  /** This contact with {@code blocked} set. */
  public Contact withBlocked(boolean blocked) {
    return new Contact(userId, nickname, blocked);
  }
}
