package io.ciphertalk.core.store.jdbi;

import io.ciphertalk.core.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Versioned schema migrations: the ordered scripts below, recorded in {@code schema_version}. Each
 * script runs in its own transaction together with its version row, so a failed migration leaves
 * the previous version intact. A database with a newer version than this code knows is refused.
 */
final class Migrations {
  /** Script names in order; script {@code i} (1-based) upgrades version {@code i-1} to {@code i}. */
  static final List<String> SCRIPTS =
      List.of("V1__keys.sql", "V2__messages.sql", "V3__client_state.sql", "V4__held_envelopes.sql",
          "V5__send_state.sql", "V6__app_data.sql", "V7__account_keys.sql");

  private Migrations() {}

  static int latest() {
    return SCRIPTS.size();
  }

  /** Migrates to {@code target} (at most {@link #latest()}); returns the version before. */
  static int migrate(Jdbi jdbi, int target, InstantSource clock) {
    return jdbi.withHandle(
        h -> {
          h.execute(
              "CREATE TABLE IF NOT EXISTS schema_version ("
                  + "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
          int current = currentVersion(h);
          if (current > latest()) {
            throw new StoreException(
                "database schema version " + current + " is newer than this code (" + latest() + ")");
          }
          for (int v = current + 1; v <= target; v++) {
            String sql = load(SCRIPTS.get(v - 1));
            int version = v;
            h.useTransaction(
                tx -> {
                  tx.createScript(sql).execute();
                  tx.createUpdate("INSERT INTO schema_version (version, applied_at) VALUES (:v, :t)")
                      .bind("v", version)
                      .bind("t", clock.millis())
                      .execute();
                });
          }
          return current;
        });
  }

  static int currentVersion(Handle h) {
    Integer v = h.createQuery("SELECT MAX(version) FROM schema_version").mapTo(Integer.class).one();
    return v == null ? 0 : v;
  }

  private static String load(String name) {
    try (InputStream in = Migrations.class.getResourceAsStream("db-migrations/" + name)) {
      if (in == null) {
        throw new StoreException("migration script missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read migration script " + name, e);
    }
  }
}
