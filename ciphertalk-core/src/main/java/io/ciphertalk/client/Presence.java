package io.ciphertalk.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a user is online, and when they were last seen. Presence is routing metadata the server
 * knows (see docs/threat-model.md). Immutable.
 *
 * @param userId the user
 * @param online true if at least one of the user's devices is connected
 * @param lastSeen when the user was last connected, if known; never null (may be empty)
 */
public record Presence(String userId, boolean online, Optional<Instant> lastSeen) {
  public Presence {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(lastSeen, "lastSeen");
  }
}
