package io.ciphertalk.core.store;

import java.util.Optional;

/**
 * Small records the host app keeps beside the history, under its own keys: its view state (a
 * console's message numbers, which of its messages were read), settings. The encrypted store seals
 * each value like the history, bound to its key; the in-memory store keeps them until it is closed.
 * Thread-safe; arguments must not be null. Failures are {@link StoreException}s.
 */
public interface AppDataStore {
  /** Longest key, in characters. */
  int MAX_KEY_CHARS = 128;

  /** Largest value, in bytes. */
  int MAX_VALUE_BYTES = 256 * 1024;

  /** The value stored under {@code key} (a copy), if any. */
  Optional<byte[]> get(String key);

  /**
   * Stores (or replaces) {@code value} under {@code key}.
   *
   * @throws IllegalArgumentException if the key is empty or longer than {@value #MAX_KEY_CHARS}
   *     characters, or the value longer than {@value #MAX_VALUE_BYTES} bytes
   */
  void put(String key, byte[] value);

  /** Removes the value under {@code key}; true if there was one. */
  boolean remove(String key);

  /** Checks a key and a value against the limits; for implementations. */
  static void check(String key, byte[] value) {
    java.util.Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > MAX_KEY_CHARS) {
      throw new IllegalArgumentException("app data key must be 1 to " + MAX_KEY_CHARS
          + " characters: " + key.length());
    }
    if (value != null && value.length > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("app data value over " + MAX_VALUE_BYTES + " bytes: "
          + value.length);
    }
  }
}
