package io.ciphertalk.core.model;

/** How far a message got at a recipient: stored on one of its devices, or read by the user. */
public enum ReceiptStatus {
  DELIVERED,
  READ
}
