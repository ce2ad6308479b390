package io.ciphertalk.core.store;

import io.ciphertalk.crypto.SecretBytes;
import java.util.List;
import java.util.Optional;

/**
 * This device's private prekeys, by type and id, as opaque secret bytes (the session layer defines
 * the encoding). Thread-safe; arguments must not be null. Failures are {@link StoreException}s.
 */
public interface PreKeyStore {

  /** Saves (or replaces) a private prekey. */
  void storePreKey(PreKeyType type, int id, SecretBytes privateKey);

  /** The private prekey, if present (not removed). */
  Optional<SecretBytes> loadPreKey(PreKeyType type, int id);

  /**
   * Loads and removes a prekey atomically: of concurrent calls for the same key, exactly one gets
   * it. Use for one-time prekeys.
   */
  Optional<SecretBytes> consumePreKey(PreKeyType type, int id);

  /** Removes a prekey; true if it was present. */
  boolean removePreKey(PreKeyType type, int id);

  /** The ids present for {@code type}, ascending. */
  List<Integer> preKeyIds(PreKeyType type);
}
