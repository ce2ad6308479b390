package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One queued outgoing payload, kept (encrypted at rest by the store) until the server acknowledged
 * it. It holds the plaintext content, not ciphertext, because sessions may have to be established
 * first and ratchet state must only advance when the message really leaves.
 *
 * @param seq the outbox order (assigned by the store)
 * @param id the payload's message id (server-side dedupe key)
 * @param roomId the room
 * @param route how to address it
 * @param users for {@link Route#USERS}: the users whose devices get it
 * @param devices for {@link Route#DEVICES}: the exact devices
 * @param includeOwnDevices also send a copy to this user's other devices
 * @param content the encoded {@link Content}
 * @param expiresAt the payload's expiry (bound into the associated data), or null
 */
public record OutboxEntry(
    long seq,
    MessageId id,
    String roomId,
    Route route,
    Set<String> users,
    Set<DeviceAddress> devices,
    boolean includeOwnDevices,
    byte[] content,
    Instant expiresAt) {

  /** Addressing of an outbox entry. */
  public enum Route {
    /** Every member of the room (group: one sender-key ciphertext; private: pairwise). */
    ROOM,
    /** Every device of the given users, pairwise. */
    USERS,
    /** Exactly the given devices, pairwise. */
    DEVICES
  }

  public OutboxEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(route, "route");
    users = Set.copyOf(users);
    devices = Set.copyOf(devices);
    Objects.requireNonNull(content, "content");
  }

  public OutboxEntry withSeq(long newSeq) {
    return new OutboxEntry(newSeq, id, roomId, route, users, devices, includeOwnDevices, content,
        expiresAt);
  }

  @Override
  public String toString() {
    return "OutboxEntry[" + seq + " " + id + " " + route + " room=" + roomId + "]";
  }
}
