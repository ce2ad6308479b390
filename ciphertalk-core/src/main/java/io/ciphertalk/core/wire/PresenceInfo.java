package io.ciphertalk.core.wire;

import io.ciphertalk.core.model.PresenceStatus;

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
}
