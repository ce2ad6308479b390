package io.ciphertalk.core.wire;

import io.ciphertalk.core.model.Presence;
import io.ciphertalk.core.model.PresenceStatus;
import java.time.Instant;

/**
 * One user's presence on the wire. Immutable.
 *
 * @param user the user id
 * @param status online or offline
 * @param lastSeen when the user was last online, Unix milliseconds, or null if never or hidden
 */
public record PresenceInfo(String user, PresenceStatus status, Long lastSeen) {
  public PresenceInfo {
    Check.name(user, "user");
    Check.present(status, "status");
    Check.nonNegativeOrNull(lastSeen, "lastSeen");
  }

  /** The model view of this presence. */
  public Presence toPresence() {
    return new Presence(user, status, lastSeen == null ? null : Instant.ofEpochMilli(lastSeen));
  }
}
