package io.ciphertalk.client;

import io.ciphertalk.core.model.MessageId;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Options for {@link Room#send(String, SendOptions)}: the message being answered and a
 * self-destruct delay. Immutable; build with {@link #builder()}.
 */
public final class SendOptions {
  /** The longest self-destruct delay accepted: 30 days. */
  public static final Duration MAX_EXPIRY = Duration.ofDays(30);

  private static final SendOptions NONE = new SendOptions(null, null);

  private final MessageId replyTo;
  private final Duration expiresAfter;

  private SendOptions(MessageId replyTo, Duration expiresAfter) {
    this.replyTo = replyTo;
    this.expiresAfter = expiresAfter;
  }

  /** No reply-to, no expiry. */
  public static SendOptions none() {
    return NONE;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The message this one replies to, if any. */
  public Optional<MessageId> replyTo() {
    return Optional.ofNullable(replyTo);
  }

  /** How long after sending the message self-destructs on every device, if it does. */
  public Optional<Duration> expiresAfter() {
    return Optional.ofNullable(expiresAfter);
  }

  /** Builder for {@link SendOptions}; not thread-safe. */
  public static final class Builder {
    private MessageId replyTo;
    private Duration expiresAfter;

    private Builder() {}

    /** Marks the message as a reply to {@code id}. */
    public Builder replyTo(MessageId id) {
      this.replyTo = Objects.requireNonNull(id, "replyTo");
      return this;
    }

    /**
     * Makes the message self-destruct {@code delay} after it is sent.
     *
     * @throws IllegalArgumentException if the delay is not positive or exceeds {@link #MAX_EXPIRY}
     */
    public Builder expiresAfter(Duration delay) {
      Objects.requireNonNull(delay, "expiresAfter");
      if (delay.isNegative() || delay.isZero() || delay.compareTo(MAX_EXPIRY) > 0) {
        throw new IllegalArgumentException("expiresAfter must be in (0, 30 days]: " + delay);
      }
      this.expiresAfter = delay;
      return this;
    }

    /** The options. */
    public SendOptions build() {
      return new SendOptions(replyTo, expiresAfter);
    }
  }
}
