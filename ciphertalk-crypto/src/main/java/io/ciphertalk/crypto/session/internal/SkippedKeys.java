package io.ciphertalk.crypto.session.internal;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message keys of skipped messages, keyed by (sender ratchet key, counter), oldest first. When the
 * total exceeds the bound the oldest keys are evicted (and wiped). Not thread-safe.
 */
public final class SkippedKeys {
  /** (ratchet public key, counter). */
  public static final class Id {
    final byte[] ratchetKey;
    final int counter;
    private final int hash;

    public Id(byte[] ratchetKey, int counter) {
      this.ratchetKey = ratchetKey;
      this.counter = counter;
      this.hash = 31 * Arrays.hashCode(ratchetKey) + counter;
    }

    public byte[] ratchetKey() {
      return ratchetKey;
    }

    public int counter() {
      return counter;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Id
          && ((Id) o).counter == counter
          && Arrays.equals(((Id) o).ratchetKey, ratchetKey);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final LinkedHashMap<Id, byte[]> keys = new LinkedHashMap<>();
  private final int maxTotal;

  public SkippedKeys(int maxTotal) {
    this.maxTotal = maxTotal;
  }

  public int size() {
    return keys.size();
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** The key for {@code id}, or null; the map keeps it (remove on success). */
  public byte[] get(byte[] ratchetKey, int counter) {
    return keys.isEmpty() ? null : keys.get(new Id(ratchetKey, counter));
  }

  public void remove(byte[] ratchetKey, int counter) {
    byte[] k = keys.remove(new Id(ratchetKey, counter));
    if (k != null) {
      Arrays.fill(k, (byte) 0);
    }
  }

  /** Adds a key, evicting (and wiping) the oldest if the bound is exceeded. */
  public void add(byte[] ratchetKey, int counter, byte[] messageKey) {
    keys.put(new Id(ratchetKey, counter), messageKey);
    if (keys.size() > maxTotal) {
      Iterator<Map.Entry<Id, byte[]>> it = keys.entrySet().iterator();
      Map.Entry<Id, byte[]> oldest = it.next();
      Arrays.fill(oldest.getValue(), (byte) 0);
      it.remove();
    }
  }

  /** Entries oldest first (live view; do not modify). */
  public Iterable<Map.Entry<Id, byte[]>> entries() {
    return keys.entrySet();
  }

  public void wipe() {
    for (byte[] k : keys.values()) {
      Arrays.fill(k, (byte) 0);
    }
    keys.clear();
  }
}
