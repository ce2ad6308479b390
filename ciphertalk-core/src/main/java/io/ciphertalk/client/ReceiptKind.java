package io.ciphertalk.client;

/** What a receipt acknowledges. */
public enum ReceiptKind {
  /** The recipient's device received and decrypted the message. */
  DELIVERED,
  /** The recipient marked the message read. */
  READ
}
