package io.ciphertalk.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * That a message reached ({@link ReceiptStatus#DELIVERED}) or was read by ({@link
 * ReceiptStatus#READ}) a user. Immutable.
 *
 * @param messageId the message, never null
 * @param roomId its room, never null
 * @param userId the user who received or read it, never null
 * @param status delivered or read, never null
 * @param at when, never null
 */
public record Receipt(
    MessageId messageId, String roomId, String userId, ReceiptStatus status, Instant at) {
  public Receipt {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
  }
}
