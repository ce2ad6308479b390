package io.ciphertalk.client;

import io.ciphertalk.client.internal.InMemoryLocalData;
import io.ciphertalk.client.internal.LocalData;
import java.util.Objects;

/**
 * Where a client keeps its device state: identity and session keys, the decrypted history, the
 * outbox and unread bookkeeping. One store belongs to one device of one user.
 *
 * <p>Thread-safe. Closed by {@link CipherTalkClient#close()}.
 */
public final class LocalStore {
  private final LocalData data;

  private LocalStore(LocalData data) {
    this.data = Objects.requireNonNull(data, "data");
  }

  /** A store that lives in memory only: everything is lost when the client is closed. */
  public static LocalStore inMemory() {
    return new LocalStore(new InMemoryLocalData());
  }

  LocalData data() {
    return data;
  }
}
