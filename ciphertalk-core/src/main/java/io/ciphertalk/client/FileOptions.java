package io.ciphertalk.client;

import io.ciphertalk.core.model.MessageId;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link Room#sendFile} sends a file: reply-to and self-destruct as for text
 * ({@link SendOptions}), a progress listener, a {@link Transfer} handle to cancel with, and whether
 * to attach a thumbnail to images. Immutable; build with {@link #builder()}.
 */
public final class FileOptions {
  private static final FileOptions NONE = builder().build();
  private final SendOptions send;
  private final TransferListener listener;
  private final Transfer transfer;
  private final boolean thumbnail;

  private FileOptions(Builder b) {
    SendOptions.Builder s = SendOptions.builder();
    if (b.replyTo != null) {
      s.replyTo(b.replyTo);
    }
    if (b.expiresAfter != null) {
      s.expiresAfter(b.expiresAfter);
    }
    this.send = s.build();
    this.listener = b.listener;
    this.transfer = b.transfer;
    this.thumbnail = b.thumbnail;
  }

  /** Defaults: no reply, no expiry, no listener, thumbnails for images. */
  public static FileOptions none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The text-message options (reply-to, expiry) of the file message. */
  public SendOptions sendOptions() {
    return send;
  }

  /** The progress listener, if any. */
  public Optional<TransferListener> listener() {
    return Optional.ofNullable(listener);
  }

  /** The cancel handle, if any. */
  public Optional<Transfer> transfer() {
    return Optional.ofNullable(transfer);
  }

  /** Whether an image gets a thumbnail (default true). */
  public boolean thumbnail() {
    return thumbnail;
  }

  /** Builds {@link FileOptions}. Not thread-safe. */
  public static final class Builder {
    private MessageId replyTo;
    private Duration expiresAfter;
    private TransferListener listener;
    private Transfer transfer;
    private boolean thumbnail = true;

    private Builder() {}

    /** The message this file answers. */
    public Builder replyTo(MessageId id) {
      this.replyTo = Objects.requireNonNull(id, "id");
      return this;
    }

    /** Self-destruct delay (as {@link SendOptions.Builder#expiresAfter}); the blob expires with it. */
    public Builder expiresAfter(Duration delay) {
      SendOptions.builder().expiresAfter(delay); // validates
      this.expiresAfter = delay;
      return this;
    }

    /** Progress callbacks (on the sending thread; a listener that throws is logged and ignored). */
    public Builder listener(TransferListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** A handle whose {@link Transfer#cancel()} stops the upload. */
    public Builder transfer(Transfer transfer) {
      this.transfer = Objects.requireNonNull(transfer, "transfer");
      return this;
    }

    /** Whether images get a thumbnail (default true). */
    public Builder thumbnail(boolean thumbnail) {
      this.thumbnail = thumbnail;
      return this;
    }

    public FileOptions build() {
      return new FileOptions(this);
    }
  }
}
