package io.ciphertalk.server.internal.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Daily active-user counts (schema V9): a mark per user and UTC day, keyed by a digest of the day
 * and user id, counted into a bare per-day number once the day is over. Nothing here returns a
 * user id or a digest. Stateless.
 */
public final class ActiveUsers {
  /** Days of counts kept (today included). */
  public static final int DAYS = 30;

  private ActiveUsers() {}

  /** The digest stored for {@code user} on {@code day}: SHA-256 over a label, the day and the user id. */
  static byte[] digest(long day, String user) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(("ciphertalk-active-user\0" + day + "\0").getBytes(StandardCharsets.US_ASCII));
      return sha.digest(user.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Marks {@code user} active on {@code day}; true if the mark is new. */
  public static boolean mark(Handle h, long day, String user) {
    byte[] d = digest(day, user);
    // Insert-if-absent in SQL both H2 and PostgreSQL run; a concurrent node may still win the race
    // (a unique violation the caller treats as "already marked").
    return h.createUpdate("INSERT INTO active_user_marks (day_number, digest) SELECT ?, ? WHERE NOT EXISTS"
            + " (SELECT 1 FROM active_user_marks WHERE day_number = ? AND digest = ?)")
        .bind(0, (int) day).bind(1, d).bind(2, (int) day).bind(3, d).execute() == 1;
  }

  /**
   * Turns the marks of every day before {@code today} into counts, deletes those marks, and
   * deletes counts older than {@link #DAYS} days. Returns the number of days counted.
   */
  public static int rollOver(Handle h, long today) {
    List<Map.Entry<Integer, Long>> done = h.createQuery(
            "SELECT day_number, COUNT(*) AS n FROM active_user_marks WHERE day_number < ? GROUP BY day_number")
        .bind(0, (int) today)
        .map((rs, ctx) -> Map.entry(rs.getInt("day_number"), rs.getLong("n")))
        .list();
    for (Map.Entry<Integer, Long> e : done) {
      h.createUpdate("INSERT INTO active_user_days (day_number, user_count) SELECT ?, ? WHERE NOT EXISTS"
              + " (SELECT 1 FROM active_user_days WHERE day_number = ?)")
          .bind(0, e.getKey()).bind(1, e.getValue()).bind(2, e.getKey()).execute();
    }
    h.createUpdate("DELETE FROM active_user_marks WHERE day_number < ?").bind(0, (int) today).execute();
    h.createUpdate("DELETE FROM active_user_days WHERE day_number <= ?").bind(0, (int) (today - DAYS)).execute();
    return done.size();
  }

  /**
   * Active users per day for the {@link #DAYS} days ending with {@code today}, oldest first: past
   * days from their counts (0 if none), today (and any day not yet rolled over) from its marks.
   */
  public static long[] perDay(Handle h, long today) {
    long first = today - DAYS + 1;
    long[] out = new long[DAYS];
    h.createQuery("SELECT day_number, user_count FROM active_user_days WHERE day_number >= ? AND day_number <= ?")
        .bind(0, (int) first).bind(1, (int) today)
        .map((rs, ctx) -> Map.entry(rs.getInt("day_number"), rs.getLong("user_count")))
        .forEach(e -> out[(int) (e.getKey() - first)] = e.getValue());
    h.createQuery("SELECT day_number, COUNT(*) AS n FROM active_user_marks WHERE day_number >= ? AND day_number <= ?"
            + " GROUP BY day_number")
        .bind(0, (int) first).bind(1, (int) today)
        .map((rs, ctx) -> Map.entry(rs.getInt("day_number"), rs.getLong("n")))
        .forEach(e -> out[(int) (e.getKey() - first)] = Math.max(out[(int) (e.getKey() - first)], e.getValue()));
    return out;
  }
}
