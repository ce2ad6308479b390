package io.ciphertalk.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * Operation counters of the cluster's shared engines, read before and after a load run so the run
 * can say how many PostgreSQL transactions, row writes, connections and WAL bytes, and how many
 * Redis commands, one message cost. Counters, not timings: the machine's load does not change them.
 *
 * <p>PostgreSQL: {@code pg_stat_database} of the run's database ({@code xact_commit},
 * {@code tup_inserted/updated/deleted}, {@code sessions}) and {@code pg_stat_wal}. A backend
 * reports its counts when it exits or, while connected, at most once a second and within about 10 s
 * of going idle (PostgreSQL 15), so a caller whose server keeps connections open waits that long
 * before reading. Each read here is one connection and one transaction of its own, subtracted.
 * Redis: {@code INFO commandstats} (calls per command), without the {@code INFO} calls themselves.
 *
 * <p>Immutable snapshots; {@link #read} is thread-safe.
 */
record ServiceCounters(Map<String, Long> values) {

  /** Reads both engines now. */
  static ServiceCounters read(String jdbcUrl, String redisUrl) throws SQLException, IOException {
    Map<String, Long> v = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, "
          + "tup_deleted, tup_returned, tup_fetched, sessions FROM pg_stat_database WHERE datname = current_database()")) {
        r.next();
        for (String col : new String[] {"xact_commit", "xact_rollback", "tup_inserted", "tup_updated",
            "tup_deleted", "tup_returned", "tup_fetched", "sessions"}) {
          v.put("pg." + col, r.getLong(col));
        }
      }
      try (ResultSet r = s.executeQuery("SELECT wal_records, wal_bytes FROM pg_stat_wal")) {
        r.next();
        v.put("pg.wal_records", r.getLong(1));
        v.put("pg.wal_bytes", r.getLong(2));
      }
    }
    URI redis = URI.create(redisUrl);
    try (Socket sock = new Socket()) {
      sock.connect(new InetSocketAddress(redis.getHost(), redis.getPort()), 5_000);
      sock.setSoTimeout(10_000);
      OutputStream out = sock.getOutputStream();
      out.write("INFO commandstats\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String info = bulkString(sock.getInputStream());
      for (String line : info.split("\r\n")) {
        // cmdstat_publish:calls=4260,usec=...,usec_per_call=...
        if (line.startsWith("cmdstat_")) {
          int colon = line.indexOf(':');
          int calls = line.indexOf("calls=");
          int end = line.indexOf(',', calls);
          String cmd = line.substring("cmdstat_".length(), colon);
          if (!cmd.equals("info")) {
            v.put("redis." + cmd, Long.parseLong(line.substring(calls + 6, end < 0 ? line.length() : end)));
          }
        }
      }
    }
    return new ServiceCounters(Map.copyOf(v));
  }

  private static String bulkString(InputStream in) throws IOException {
    String header = line(in);
    if (!header.startsWith("$")) {
      throw new IOException("unexpected Redis reply: " + header);
    }
    int len = Integer.parseInt(header.substring(1));
    byte[] body = in.readNBytes(len + 2);
    return new String(body, 0, len, StandardCharsets.UTF_8);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /**
   * This snapshot minus an earlier one; the earlier read's own PostgreSQL connection and
   * transaction (reported when it closed) are taken off.
   */
  ServiceCounters minus(ServiceCounters earlier) {
    Map<String, Long> d = new TreeMap<>();
    for (Map.Entry<String, Long> e : values.entrySet()) {
      d.put(e.getKey(), e.getValue() - earlier.values.getOrDefault(e.getKey(), 0L));
    }
    d.computeIfPresent("pg.sessions", (k, x) -> Math.max(0, x - 1));
    d.computeIfPresent("pg.xact_commit", (k, x) -> Math.max(0, x - 1));
    return new ServiceCounters(Map.copyOf(d));
  }

  long get(String key) {
    return values.getOrDefault(key, 0L);
  }

  /** Row writes: inserted + updated + deleted. */
  long pgRowWrites() {
    return get("pg.tup_inserted") + get("pg.tup_updated") + get("pg.tup_deleted");
  }

  /** Every Redis command but INFO. */
  long redisCommands() {
    long n = 0;
    for (Map.Entry<String, Long> e : values.entrySet()) {
      if (e.getKey().startsWith("redis.")) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** The counters scaled by {@code factor} (a background rate times a window). */
  ServiceCounters times(double factor) {
    Map<String, Long> d = new TreeMap<>();
    values.forEach((k, x) -> d.put(k, Math.round(x * factor)));
    return new ServiceCounters(Map.copyOf(d));
  }

  String toJson() {
    StringBuilder sb = new StringBuilder("{");
    values.forEach((k, x) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(x));
    return sb.append('}').toString();
  }
}
