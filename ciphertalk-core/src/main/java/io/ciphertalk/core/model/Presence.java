package io.ciphertalk.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A user's presence. Immutable.
 *
 * @param userId the user, never null
 * @param status online or offline, never null
 * @param lastSeen when last online, or null if unknown
 */
public record Presence(String userId, PresenceStatus status, Instant lastSeen) {
  public Presence {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
  }
}
