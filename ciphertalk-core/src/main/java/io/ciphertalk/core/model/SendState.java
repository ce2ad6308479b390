package io.ciphertalk.core.model;

import java.util.Objects;
import java.util.Optional;

/**
 * The send state of a message this user sent: its {@link MessageStatus} and, when it
 * {@link MessageStatus#FAILED failed}, why (a short code such as {@code not_member}). Immutable.
 *
 * @param status where the message is
 * @param failureReason why it failed; present exactly when {@code status} is {@code FAILED}
 */
public record SendState(MessageStatus status, Optional<String> failureReason) {
  /** Longest failure reason kept. */
  public static final int MAX_REASON_CHARS = 200;

  public SendState {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(failureReason, "failureReason");
    if (failureReason.isPresent() != (status == MessageStatus.FAILED)) {
      throw new IllegalArgumentException("a failure reason goes with FAILED and only with it");
    }
    if (failureReason.isPresent() && failureReason.get().length() > MAX_REASON_CHARS) {
      failureReason = Optional.of(failureReason.get().substring(0, MAX_REASON_CHARS));
    }
  }

  /** A state without a failure. */
  public static SendState of(MessageStatus status) {
    return new SendState(status, Optional.empty());
  }

  /** The failed state with its reason. */
  public static SendState failed(String reason) {
    return new SendState(MessageStatus.FAILED, Optional.of(Objects.requireNonNull(reason, "reason")));
  }
}
