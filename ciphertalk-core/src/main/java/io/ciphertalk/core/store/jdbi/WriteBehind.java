package io.ciphertalk.core.store.jdbi;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-message writes of one unit of work held back and run as JDBC batches, and what the unit
 * learnt about which ids are seen or stored: a received batch of n messages then costs a few
 * statements per table instead of five per message (issue 21).
 *
 * <p>Equivalence with running every statement at once, which is what makes it safe:
 * <ul>
 *   <li>every held statement is idempotent ({@code INSERT ... WHERE NOT EXISTS}, or an UPDATE to
 *       the same values), so running a group again after a unique violation changes nothing;
 *   <li>every other statement of the unit first runs what is held ({@link Db#with}), and the unit
 *       runs it before it commits, so no statement, and no commit, sees the database without them;
 *   <li>a held statement that fails fails the unit: it is rolled back, and the engine acknowledges
 *       nothing of the batch (the server delivers it again);
 *   <li>the answers kept here ({@link #seen}, {@link #absent}) are read inside the unit and changed
 *       by this unit's own writes as they are held, so they are what a query would answer.
 * </ul>
 *
 * <p>Belongs to one unit on one thread; not thread-safe.
 */
final class WriteBehind {
  /** Binds one row of a held statement. */
  @FunctionalInterface
  interface Row {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Rows of one SQL text, and, if any, the statement to run for a row that changed nothing. */
  private static final class Group {
    final String sql;
    final String ifUnchanged;
    final List<Row> rows = new ArrayList<>();

    Group(String sql, String ifUnchanged) {
      this.sql = sql;
      this.ifUnchanged = ifUnchanged;
    }
  }

  /** Held groups, in the order their SQL was first used (no foreign keys between them). */
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private int held;

  /** Seen tags whose state this unit knows (true: recorded). */
  final Map<String, Boolean> seen = new HashMap<>();
  /** Message ids known to be absent (or expired) in this unit. */
  final Set<String> absent = new HashSet<>();

  /** Holds one row of {@code sql}. */
  void add(String sql, Row row) {
    add(sql, null, row);
  }

  /**
   * Holds one row of {@code sql}; if it changes no row when run, {@code ifUnchanged} runs with the
   * same binding (the UPDATE half of an upsert).
   */
  void add(String sql, String ifUnchanged, Row row) {
    groups.computeIfAbsent(sql, s -> new Group(s, ifUnchanged)).rows.add(row);
    held++;
  }

  int held() {
    return held;
  }

  /** Runs everything held, as one JDBC batch per SQL text, in order, and forgets it. */
  void flush(Connection c) throws SQLException {
    if (held == 0) {
      return;
    }
    List<Group> run = new ArrayList<>(groups.values());
    groups.clear();
    held = 0;
    for (Group g : run) {
      int[] counts;
      try (PreparedStatement ps = c.prepareStatement(g.sql)) {
        for (Row r : g.rows) {
          r.bind(ps);
          ps.addBatch();
        }
        counts = ps.executeBatch();
      } catch (BatchUpdateException e) {
        if (!Db.isUniqueViolation(e)) {
          throw e;
        }
        // Another thread inserted one of these ids since the unit read it. The statements are
        // idempotent: run them one by one (on PostgreSQL the failed batch has already aborted the
        // transaction, so this fails too and the unit is rolled back, as a single statement's
        // failure would).
        counts = oneByOne(c, g);
      }
      if (g.ifUnchanged != null) {
        for (int i = 0; i < counts.length; i++) {
          // 1: inserted. 0: the row existed. Anything else (a driver that does not count): UPDATE,
          // which writes the same values if the INSERT did insert.
          if (counts[i] != 1) {
            try (PreparedStatement ps = c.prepareStatement(g.ifUnchanged)) {
              g.rows.get(i).bind(ps);
              ps.executeUpdate();
            }
          }
        }
      }
    }
  }

  private static int[] oneByOne(Connection c, Group g) throws SQLException {
    int[] counts = new int[g.rows.size()];
    try (PreparedStatement ps = c.prepareStatement(g.sql)) {
      for (int i = 0; i < counts.length; i++) {
        g.rows.get(i).bind(ps);
        try {
          counts[i] = ps.executeUpdate();
        } catch (SQLException e) {
          if (!"23505".equals(e.getSQLState())) {
            throw e;
          }
          counts[i] = 0; // inserted by the other thread: as if it had existed
        }
      }
    }
    return counts;
  }
}
