package io.ciphertalk.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a user is typing in a room. A "typing" state lapses by itself at {@code expiresAt}
 * unless renewed. Immutable.
 *
 * @param roomId the room, never null
 * @param userId the user, never null
 * @param typing whether they are typing
 * @param expiresAt when a typing state lapses; null when {@code typing} is false
 */
public record TypingState(String roomId, String userId, boolean typing, Instant expiresAt) {
  public TypingState {
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(userId, "userId");
    if (typing) {
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /** Whether the user is still typing at {@code now}. */
  public boolean isTypingAt(Instant now) {
    return typing && now.isBefore(expiresAt);
  }
}
