package io.ciphertalk.server.internal.auth;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live connections authenticated with each bearer token, so that revoking a token (logout,
 * revoke-all, password change, disabled or deleted account) also ends the connections that were
 * opened with it. Thread-safe.
 *
 * <p>Race rule: a connection registers <em>after</em> its token was checked and then checks the
 * token once more ({@link AccountService#stillValid}); a revocation commits to the database
 * <em>before</em> it ends the registered connections. Either the revocation sees the registration
 * or the second check sees the revocation, so no connection outlives its token.
 */
public final class LiveSessions {
  /** Ends one connection (closes its socket); must not block. */
  @FunctionalInterface
  public interface Ender {
    void end(String reason);
  }

  private record Entry(String userId, String tokenHash, Ender ender) {}

  private final Map<String, Set<Entry>> byUser = new ConcurrentHashMap<>();

  /** Registers a connection; returns the action that unregisters it (call when it closes). */
  public Runnable register(String userId, String tokenHash, Ender ender) {
    Entry e = new Entry(userId, tokenHash, ender);
    byUser.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet()).add(e);
    return () -> byUser.computeIfPresent(userId, (k, set) -> {
      set.remove(e);
      return set.isEmpty() ? null : set;
    });
  }

  /** Ends the connections opened with {@code tokenHash}; returns how many. */
  public int endToken(String userId, String tokenHash, String reason) {
    return end(userId, e -> e.tokenHash().equals(tokenHash), reason);
  }

  /** Ends every connection of {@code userId} except those opened with {@code keepTokenHash} (may be null). */
  public int endUser(String userId, String keepTokenHash, String reason) {
    return end(userId, e -> !e.tokenHash().equals(keepTokenHash), reason);
  }

  private int end(String userId, java.util.function.Predicate<Entry> which, String reason) {
    Set<Entry> set = byUser.get(userId);
    if (set == null) {
      return 0;
    }
    int n = 0;
    for (Entry e : set) {
      if (which.test(e)) {
        set.remove(e);
        e.ender().end(reason);
        n++;
      }
    }
    return n;
  }

  /** Connections currently registered for {@code userId} (for tests and metrics). */
  public int count(String userId) {
    Set<Entry> set = byUser.get(userId);
    return set == null ? 0 : set.size();
  }
}
