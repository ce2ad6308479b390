package io.ciphertalk.server.internal.metrics;

import io.ciphertalk.server.internal.store.ActiveUsers;
import io.ciphertalk.server.internal.store.Database;
import io.ciphertalk.server.internal.store.Messages;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the users active on each UTC day (a login, or an authenticated request or connection),
 * for the administrators' statistics. The first activity of a user on a day, per node, writes one
 * mark ({@link ActiveUsers}: a digest, not the id); past days are kept as counts only, for
 * {@link ActiveUsers#DAYS} days. Counts are cluster-wide (the marks are in the shared database). A
 * failure to write a mark is logged and never fails the request that caused it. Thread-safe.
 */
public final class DailyActiveUsers {
  private static final Logger LOG = LoggerFactory.getLogger(DailyActiveUsers.class);
  private static final long DAY_MS = 86_400_000L;

  private final Database db;
  private final Clock clock;
  /** Users this node has marked today (memory only; cleared when the day changes). */
  private final Set<String> markedToday = new HashSet<>();
  private long day = Long.MIN_VALUE;

  public DailyActiveUsers(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  private long today() {
    return Math.floorDiv(clock.millis(), DAY_MS);
  }

  /** {@code user} was active now. */
  public void seen(String user) {
    long today = today();
    synchronized (this) {
      if (today != day) {
        day = today;
        markedToday.clear();
      }
      if (!markedToday.add(user)) {
        return;
      }
    }
    try {
      db.useTransaction(h -> ActiveUsers.mark(h, today, user));
    } catch (RuntimeException e) {
      if (!Messages.isUniqueViolation(e)) {
        // Not marked: try again on this user's next request.
        synchronized (this) {
          if (day == today) {
            markedToday.remove(user);
          }
        }
        LOG.warn("could not record a daily active user: {}", e.toString());
      }
    }
  }

  /** Counts the marks of finished days and prunes old counts (from the sweep and before each read). */
  public void rollOver() {
    long today = today();
    db.useTransaction(h -> ActiveUsers.rollOver(h, today));
  }

  /**
   * Active users on each of the last {@link ActiveUsers#DAYS} UTC days, oldest first.
   *
   * @param firstDay the oldest day
   * @param perDay one count per day, the last one today's so far
   */
  public record Counts(LocalDate firstDay, long[] perDay) {}

  public Counts counts() {
    rollOver();
    long today = today();
    long[] perDay = db.withHandle(h -> ActiveUsers.perDay(h, today));
    return new Counts(LocalDate.ofEpochDay(today - ActiveUsers.DAYS + 1), perDay);
  }
}
