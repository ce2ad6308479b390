package io.ciphertalk.client;

import io.ciphertalk.crypto.RandomSource;
import java.util.Objects;
import java.util.UUID;

/**
 * The unique id of one chat message: a random 128-bit value generated on the sending device, so a
 * retried send is recognised as the same message by the server and by every recipient (duplicates
 * are suppressed by this id). Immutable and thread-safe.
 *
 * @param value the id; never null
 */
public record MessageId(UUID value) {
  public MessageId {
    Objects.requireNonNull(value, "value");
  }

  /** A fresh random id (version-4 UUID layout) drawn from {@code random}. */
  public static MessageId random(RandomSource random) {
    byte[] b = random.bytes(16);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = (hi << 8) | (b[i] & 0xff);
      lo = (lo << 8) | (b[i + 8] & 0xff);
    }
    return new MessageId(new UUID(hi, lo));
  }

  /**
   * Parses the canonical text form.
   *
   * @throws IllegalArgumentException if {@code text} is not a UUID
   */
  public static MessageId parse(String text) {
    Objects.requireNonNull(text, "text");
    return new MessageId(UUID.fromString(text));
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
