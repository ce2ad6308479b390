package io.ciphertalk.server.internal;

import io.ciphertalk.server.internal.store.Database;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What {@code /health}, {@code /health/live} and {@code /health/ready} report, checked on every
 * call, so it cannot say "ok" about a listener that died a moment ago; only the disk probe (a write
 * and an fsync) runs at most once a second, so that polling {@code /health} cannot load the disk.
 *
 * <p>Live: the parts a restart would fix are running (the WebSocket and HTTP listeners, the writer
 * thread). Ready: live, the database answers a query, and the data directory takes a write and an
 * fsync. Thread-safe.
 */
public final class Health {
  /** A check that passed, failed, or does not apply to this configuration. */
  public enum State { OK, FAILED, DISABLED }

  /** One report: each check's state and whether the server is live and ready. */
  public record Report(Map<String, State> checks, boolean live, boolean ready) {}

  private final BooleanSupplier websocket;
  private final BooleanSupplier http;
  private final BooleanSupplier writer;
  private final Database db;
  private final Path dataDirectory;
  private volatile long diskCheckedAt = System.nanoTime() - 2_000_000_000L;
  private volatile boolean diskOk;

  /**
   * @param websocket null if the listener is disabled
   * @param http null if the listener is disabled
   * @param dataDirectory the H2 data directory, or null when the database is elsewhere
   */
  public Health(BooleanSupplier websocket, BooleanSupplier http, BooleanSupplier writer, Database db,
      Path dataDirectory) {
    this.websocket = websocket;
    this.http = http;
    this.writer = writer;
    this.db = db;
    this.dataDirectory = dataDirectory;
  }

  public Report check() {
    Map<String, State> c = new LinkedHashMap<>();
    c.put("websocket", websocket == null ? State.DISABLED : state(websocket.getAsBoolean()));
    c.put("http", http == null ? State.DISABLED : state(http.getAsBoolean()));
    c.put("writer", state(writer.getAsBoolean()));
    boolean live = c.values().stream().noneMatch(s -> s == State.FAILED);
    c.put("database", state(databaseAnswers()));
    c.put("disk", dataDirectory == null ? State.DISABLED : state(diskWritable()));
    boolean ready = c.values().stream().noneMatch(s -> s == State.FAILED);
    return new Report(c, live, ready);
  }

  private static State state(boolean ok) {
    return ok ? State.OK : State.FAILED;
  }

  private boolean databaseAnswers() {
    try {
      return db.withHandle(h -> h.createQuery("SELECT 1").setQueryTimeout(2).mapTo(Integer.class).one()) == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private boolean diskWritable() {
    long now = System.nanoTime();
    if (now - diskCheckedAt < 1_000_000_000L) {
      return diskOk;
    }
    diskOk = probeDisk();
    diskCheckedAt = now;
    return diskOk;
  }

  private boolean probeDisk() {
    Path probe = dataDirectory.resolve(".health-probe");
    try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}));
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      return false;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        // the next probe truncates it
      }
    }
    return true;
  }
}
