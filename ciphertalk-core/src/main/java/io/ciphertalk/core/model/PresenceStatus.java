package io.ciphertalk.core.model;

/** Whether a user has at least one connected device ({@link #ONLINE}) or none ({@link #OFFLINE}). */
public enum PresenceStatus {
  ONLINE,
  OFFLINE
}
