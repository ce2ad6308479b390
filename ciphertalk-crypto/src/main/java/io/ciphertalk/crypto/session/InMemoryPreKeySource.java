package io.ciphertalk.crypto.session;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link PreKeySource} held in memory, for tests and short-lived devices. Thread-safe. Adding a
 * prekey with an id already present replaces it. Arguments must not be null.
 */
public final class InMemoryPreKeySource implements PreKeySource {
  private final Map<Integer, SignedPreKey> signed = new ConcurrentHashMap<>();
  private final Map<Integer, OneTimePreKey> oneTime = new ConcurrentHashMap<>();
  private final Map<Integer, KemPreKey> kem = new ConcurrentHashMap<>();
  private final Map<Integer, KemPreKey> oneTimeKem = new ConcurrentHashMap<>();
  private final Map<Integer, RsaPreKey> rsa = new ConcurrentHashMap<>();

  /** Adds (or replaces by id) a SignedPreKey; returns this source. */
  public InMemoryPreKeySource add(SignedPreKey key) {
    signed.put(key.id(), key);
    return this;
  }

  /** Adds (or replaces by id) a OneTimePreKey; returns this source. */
  public InMemoryPreKeySource add(OneTimePreKey key) {
    oneTime.put(key.id(), key);
    return this;
  }

  /** Adds (or replaces by id) a last-resort KemPreKey, kept after use; returns this source. */
  public InMemoryPreKeySource add(KemPreKey key) {
    kem.put(key.id(), key);
    return this;
  }

  /**
   * Adds (or replaces by id) a one-time KemPreKey, deleted after its first use; returns this
   * source. Its id must differ from every last-resort KEM prekey's.
   */
  public InMemoryPreKeySource addOneTimeKem(KemPreKey key) {
    if (kem.containsKey(key.id())) {
      throw new IllegalArgumentException("KEM prekey id " + key.id() + " is a last-resort key");
    }
    oneTimeKem.put(key.id(), key);
    return this;
  }

  /** Number of one-time KEM prekeys not yet consumed. */
  public int oneTimeKemPreKeyCount() {
    return oneTimeKem.size();
  }

  /** Whether a KEM prekey (either kind) with {@code id} is held. */
  public boolean holdsKemPreKey(int id) {
    return kem.containsKey(id) || oneTimeKem.containsKey(id);
  }

  /** Adds (or replaces by id) a RsaPreKey; returns this source. */
  public InMemoryPreKeySource add(RsaPreKey key) {
    rsa.put(key.id(), key);
    return this;
  }

  /** Removes (and wipes) a rotated-out signed prekey. */
  public void removeSignedPreKey(int id) {
    SignedPreKey k = signed.remove(id);
    if (k != null) {
      k.wipe();
    }
  }

  /** Number of one-time prekeys not yet consumed. */
  public int oneTimePreKeyCount() {
    return oneTime.size();
  }

  @Override
  public Optional<SignedPreKey> signedPreKey(int id) {
    return Optional.ofNullable(signed.get(id));
  }

  @Override
  public Optional<OneTimePreKey> oneTimePreKey(int id) {
    return Optional.ofNullable(oneTime.get(id));
  }

  @Override
  public boolean consumeOneTimePreKey(int id) {
    OneTimePreKey k = oneTime.remove(id);
    if (k == null) {
      return false;
    }
    k.wipe();
    return true;
  }

  @Override
  public Optional<KemPreKey> kemPreKey(int id) {
    KemPreKey k = oneTimeKem.get(id);
    return Optional.ofNullable(k != null ? k : kem.get(id));
  }

  @Override
  public boolean consumeKemPreKey(int id) {
    KemPreKey k = oneTimeKem.remove(id);
    if (k != null) {
      k.wipe();
      return true;
    }
    return kem.containsKey(id);
  }

  @Override
  public Optional<RsaPreKey> rsaPreKey(int id) {
    return Optional.ofNullable(rsa.get(id));
  }

  @Override
  public String toString() {
    return "InMemoryPreKeySource[signed=" + signed.size() + ", oneTime=" + oneTime.size()
        + ", kem=" + kem.size() + ", oneTimeKem=" + oneTimeKem.size() + ", rsa=" + rsa.size() + "]";
  }

}
