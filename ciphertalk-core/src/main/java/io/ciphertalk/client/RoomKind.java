package io.ciphertalk.client;

/** Whether a room is a private (1:1) conversation or a group. */
public enum RoomKind {
  /** Exactly two users; messages are encrypted pairwise with the Double Ratchet. */
  PRIVATE,
  /** Any number of users up to the room's maximum; messages are encrypted once with Sender Keys. */
  GROUP
}
