package io.ciphertalk.server.internal.metrics;

import io.ciphertalk.server.internal.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.IntSupplier;

/**
 * The aggregate figures behind {@code GET /api/admin/stats}: connections, messages, deliveries and
 * delivery latency per minute (this node), active users per day and storage used (the whole
 * deployment). Only counts, sizes and durations: no content, no user, device or room id, nothing per
 * room or per pair of users. Thread-safe.
 */
public final class AdminStats {
  private final Metrics metrics;
  private final IntSupplier connections;
  private final DailyActiveUsers activeUsers;
  private final Database db;
  private final Clock clock;

  public AdminStats(Metrics metrics, IntSupplier connections, DailyActiveUsers activeUsers, Database db, Clock clock) {
    this.metrics = metrics;
    this.connections = connections;
    this.activeUsers = activeUsers;
    this.db = db;
    this.clock = clock;
  }

  /**
   * Storage used.
   *
   * @param databaseBytes the database's size (H2 file or PostgreSQL database), null for in-memory H2
   * @param blobBytes attachment ciphertext bytes received and kept
   */
  public record Storage(Long databaseBytes, long blobBytes) {}

  /** One reading of every figure. */
  public record Snapshot(long generatedAt, int connections, MinuteSeries.Snapshot minutes,
      DailyActiveUsers.Counts activeUsers, Storage storage) {}

  public Snapshot snapshot() {
    return new Snapshot(clock.millis(), connections.getAsInt(), metrics.minutes(), activeUsers.counts(), storage());
  }

  private Storage storage() {
    long blobBytes = db.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(received), 0) FROM blobs")
        .mapTo(Long.class).one());
    return new Storage(databaseBytes(), blobBytes);
  }

  private Long databaseBytes() {
    if (db.dialect() == Database.Dialect.POSTGRESQL) {
      return db.withHandle(h -> h.createQuery("SELECT pg_database_size(current_database())").mapTo(Long.class).one());
    }
    // H2: the file's size; an in-memory database has no path and no cheap size.
    String path = db.withHandle(h -> h.createQuery("SELECT DATABASE_PATH()").mapTo(String.class).findOne()
        .orElse(null));
    if (path == null) {
      return null;
    }
    try {
      return Files.size(Path.of(path + ".mv.db"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
