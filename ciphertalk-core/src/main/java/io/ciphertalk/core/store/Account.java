package io.ciphertalk.core.store;

import java.util.Objects;

/**
 * The account a client store belongs to: this device's address and its bearer token. Immutable;
 * {@code toString} never prints the token.
 *
 * @param userId the user id, never null
 * @param deviceId this device's id, at least 1
 * @param token the bearer token from login, never null (sealed at rest by the encrypted store)
 */
public record Account(String userId, int deviceId, String token) {
  public Account {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(token, "token");
    if (deviceId < 1) {
      throw new IllegalArgumentException("deviceId must be positive: " + deviceId);
    }
  }

  @Override
  public String toString() {
    return "Account[" + userId + "." + deviceId + "]";
  }
}
