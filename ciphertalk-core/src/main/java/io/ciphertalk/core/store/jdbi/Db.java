package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.core.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** The shared database access of one store: closed check, exception translation, upsert. */
final class Db {
  final Jdbi jdbi;
  final Sealer sealer;
  final RowSetDigest digest;
  private volatile boolean closed;
  /** The handle of the unit of work running on this thread ({@link #inUnit}), if any. */
  private final ThreadLocal<Handle> unit = new ThreadLocal<>();
  /** State kept for the running unit only (cleared when it ends, committed or not). */
  private final ThreadLocal<Map<String, Object>> unitState = new ThreadLocal<>();
  /** Work to run at the end of the running unit, inside its transaction, before it commits. */
  private final ThreadLocal<List<Runnable>> beforeCommit = new ThreadLocal<>();
  /** The running unit's held-back writes and what it knows ({@link WriteBehind}). */
  private final ThreadLocal<WriteBehind> writeBehind = new ThreadLocal<>();

  Db(Jdbi jdbi, Sealer sealer, RowSetDigest digest) {
    this.jdbi = jdbi;
    this.sealer = sealer;
    this.digest = digest;
  }

  void close() {
    closed = true;
  }

  <R> R with(HandleCallback<R, RuntimeException> callback) {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
    try {
      Handle h = unit.get();
      if (h == null) {
        return jdbi.withHandle(callback);
      }
      flushHeld(h); // no statement of the unit runs before the writes held back before it
      return callback.withHandle(h);
    } catch (JdbiException e) {
      throw new StoreException("database operation failed", e);
    }
  }

  private void flushHeld(Handle h) {
    WriteBehind w = writeBehind.get();
    if (w != null && w.held() > 0) {
      try {
        w.flush(h.getConnection());
      } catch (SQLException e) {
        throw new StoreException("database operation failed", e);
      }
    }
  }

  /**
   * The running unit's {@link WriteBehind} (null outside a unit): statements it holds run before
   * the unit's next other statement and before the commit.
   */
  WriteBehind writeBehind() {
    return closed ? null : writeBehind.get();
  }

  /** Plain JDBC on a connection: the per-message statements of a catch-up. */
  @FunctionalInterface
  interface Sql<R> {
    R run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code sql} on the unit's connection (or a pooled one, auto-committed). For the statements
   * run for every received message, where Jdbi's per-statement work (statement context, argument
   * resolution per bind) cost about as much as H2 executing them.
   */
  <R> R jdbc(Sql<R> sql) {
    return with(h -> {
      try {
        return sql.run(h.getConnection());
      } catch (SQLException e) {
        throw new UnableToExecuteStatementException(e, null);
      }
    });
  }

  <R> R inTransaction(HandleCallback<R, RuntimeException> callback) {
    return with(h -> h.inTransaction(callback::withHandle));
  }

  /**
   * Runs {@code work} with one transaction bound to this thread: every {@link #with} call it makes
   * uses that handle (nested transactions join it), committed once at the end, rolled back if
   * {@code work} throws. A nested call joins the running unit.
   */
  void inUnit(Runnable work) {
    if (unit.get() != null) {
      work.run();
      return;
    }
    with(h -> h.inTransaction(tx -> {
      unit.set(tx);
      unitState.set(new HashMap<>());
      beforeCommit.set(new ArrayList<>());
      writeBehind.set(new WriteBehind());
      try {
        work.run();
        flushHeld(tx);
        for (Runnable r : beforeCommit.get()) {
          r.run();
        }
        flushHeld(tx);
      } finally {
        unit.remove();
        unitState.remove();
        beforeCommit.remove();
        writeBehind.remove();
      }
      return null;
    }));
  }

  /** The running unit's state map, or null outside a unit. */
  Map<String, Object> unitState() {
    return unitState.get();
  }

  /** Runs {@code r} before the running unit commits (only valid inside a unit). */
  void beforeCommit(Runnable r) {
    beforeCommit.get().add(r);
  }

  /**
   * UPDATE, and INSERT if no row matched; if a concurrent writer inserted first (unique
   * violation, SQLSTATE 23505 on H2 and PostgreSQL), UPDATE again. Each statement runs on its own,
   * so a failed INSERT does not poison a PostgreSQL transaction.
   */
  void upsert(Handle h, String update, String insert, Map<String, ?> binds) {
    if (h.createUpdate(update).bindMap(binds).execute() > 0) {
      return;
    }
    try {
      h.createUpdate(insert).bindMap(binds).execute();
    } catch (JdbiException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      h.createUpdate(update).bindMap(binds).execute();
    }
  }

  static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
