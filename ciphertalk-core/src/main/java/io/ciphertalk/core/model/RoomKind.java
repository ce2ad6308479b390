package io.ciphertalk.core.model;

/**
 * Whether a room is a private (1:1) conversation between exactly two users, or a group. Private
 * rooms encrypt with pairwise Double Ratchet sessions; groups with Sender Keys.
 */
public enum RoomKind {
  PRIVATE,
  GROUP
}
