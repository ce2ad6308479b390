package io.ciphertalk.core.store.internal;

import io.ciphertalk.core.model.Message;
import io.ciphertalk.core.store.MessageStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Helpers shared by the store implementations. Internal: may change at any time. */
public final class StoreSupport {
  private StoreSupport() {}

  /** {@code m} with its times truncated to milliseconds, the precision every store keeps. */
  public static Message toMillis(Message m) {
    Instant sent = m.sentAt().truncatedTo(ChronoUnit.MILLIS);
    Instant exp = m.expiresAt() == null ? null : m.expiresAt().truncatedTo(ChronoUnit.MILLIS);
    if (sent.equals(m.sentAt()) && (exp == null || exp.equals(m.expiresAt()))) {
      return m;
    }
    return new Message(
        m.id(), m.roomId(), m.sender(), sent, m.body(), m.replyTo(), exp, m.edited(), m.deleted(), m.reactions());
  }

  public static void checkLimit(int limit) {
    if (limit < 1 || limit > MessageStore.MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1 to " + MessageStore.MAX_PAGE + ": " + limit);
    }
  }

  /** Case-insensitive containment used by every store's search. */
  public static boolean matches(Message m, String needleLower) {
    return !m.deleted() && m.body().toLowerCase(Locale.ROOT).contains(needleLower);
  }

  public static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
