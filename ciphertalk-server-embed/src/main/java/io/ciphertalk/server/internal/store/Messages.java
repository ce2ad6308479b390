package io.ciphertalk.server.internal.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Ciphertext storage: per-device 1:1 queues, room timelines with per-device cursors, message-id
 * dedupe and expiry purge. The payload is opaque ciphertext. Stateless.
 */
public final class Messages {
  private Messages() {}

  /** A queued 1:1 envelope for one device. */
  public record DirectRow(
      long id, String messageId, String senderUser, int senderDevice, String roomId, String kind, byte[] payload,
      long sentAt, Long expiresAt) {}

  /** A room timeline entry, stored once for all members. */
  public record RoomRow(
      String roomId, long seq, String messageId, String senderUser, int senderDevice, byte[] payload, long sentAt,
      Long expiresAt) {}

  /** What an earlier accepted send with the same id produced. */
  public record Accepted(String roomId, Long seq, long acceptedAt) {}

  public static long insertDirect(
      Handle h, String recipientUser, int recipientDevice, String messageId, String senderUser, int senderDevice,
      String roomId, String kind, byte[] payload, long sentAt, Long expiresAt) {
    // Plain JDBC, as insertRoomMessage: one of these runs per addressed device of every 1:1 send.
    try (PreparedStatement ps = h.getConnection().prepareStatement(
        "INSERT INTO direct_queue (recipient_user, recipient_device, message_id, sender_user, sender_device,"
            + " room_id, kind, payload, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new String[] {"id"})) {
      ps.setString(1, recipientUser);
      ps.setInt(2, recipientDevice);
      ps.setString(3, messageId);
      ps.setString(4, senderUser);
      ps.setInt(5, senderDevice);
      ps.setString(6, roomId);
      ps.setString(7, kind);
      ps.setBytes(8, payload);
      ps.setLong(9, sentAt);
      setLongOrNull(ps, 10, expiresAt);
      ps.executeUpdate();
      try (java.sql.ResultSet keys = ps.getGeneratedKeys()) {
        if (!keys.next()) {
          throw new SQLException("no generated id for a queued envelope");
        }
        return keys.getLong(1);
      }
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }

  /** Undelivered, unexpired envelopes for a device, oldest first, skipping ids in {@code exclude}. */
  public static List<DirectRow> pendingDirect(
      Handle h, String user, int device, long now, Collection<Long> exclude, int limit) {
    // Fetch a little more than needed so that skipping in-flight ids still fills the page.
    return h.createQuery(
            "SELECT id, message_id, sender_user, sender_device, room_id, kind, payload, sent_at, expires_at"
                + " FROM direct_queue WHERE recipient_user = ? AND recipient_device = ?"
                + " AND (expires_at IS NULL OR expires_at > ?) ORDER BY id FETCH FIRST ? ROWS ONLY")
        .bind(0, user)
        .bind(1, device)
        .bind(2, now)
        .bind(3, limit + exclude.size())
        .map(
            (rs, ctx) ->
                new DirectRow(
                    rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6),
                    rs.getBytes(7), rs.getLong(8), rs.getObject(9, Long.class)))
        .stream()
        .filter(r -> !exclude.contains(r.id()))
        .limit(limit)
        .toList();
  }

  /**
   * Removes every queued envelope of the device's stream up to and including {@code seq} (acks are
   * cumulative); returns the number of rows removed (0 if already acked).
   */
  public static int ackDirect(Handle h, String user, int device, long seq) {
    return h.createUpdate(
            "DELETE FROM direct_queue WHERE recipient_user = ? AND recipient_device = ? AND id <= ?")
        .bind(0, user)
        .bind(1, device)
        .bind(2, seq)
        .execute();
  }

  /** Removes exactly the envelopes {@code ids} of the device's queue; returns how many were removed. */
  public static int deleteDirect(Handle h, String user, int device, Collection<Long> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    org.jdbi.v3.core.statement.PreparedBatch batch = h.prepareBatch(
        "DELETE FROM direct_queue WHERE recipient_user = ? AND recipient_device = ? AND id = ?");
    for (long id : ids) {
      batch.bind(0, user).bind(1, device).bind(2, id).add();
    }
    int n = 0;
    for (int c : batch.execute()) {
      n += Math.max(0, c);
    }
    return n;
  }

  /** Queued, unexpired envelopes of the device stream after {@code afterSeq}, oldest first. */
  public static List<DirectRow> directAfter(Handle h, String user, int device, long afterSeq, long now, int limit) {
    return h.createQuery(
            "SELECT id, message_id, sender_user, sender_device, room_id, kind, payload, sent_at, expires_at"
                + " FROM direct_queue WHERE recipient_user = ? AND recipient_device = ? AND id > ?"
                + " AND (expires_at IS NULL OR expires_at > ?) ORDER BY id FETCH FIRST ? ROWS ONLY")
        .bind(0, user)
        .bind(1, device)
        .bind(2, afterSeq)
        .bind(3, now)
        .bind(4, limit)
        .map(
            (rs, ctx) ->
                new DirectRow(
                    rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6),
                    rs.getBytes(7), rs.getLong(8), rs.getObject(9, Long.class)))
        .list();
  }

  public static void insertRoomMessage(
      Handle h, String roomId, long seq, String messageId, String senderUser, int senderDevice, byte[] payload,
      long sentAt, Long expiresAt) {
    // Plain JDBC on the handle's connection: this and recordAccepted run for every group send on the
    // writer thread, where Jdbi's per-bind argument resolution was about a sixth of the writer's time.
    try (PreparedStatement ps = h.getConnection().prepareStatement(
        "INSERT INTO room_messages (room_id, seq, message_id, sender_user, sender_device, payload, sent_at,"
            + " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, roomId);
      ps.setLong(2, seq);
      ps.setString(3, messageId);
      ps.setString(4, senderUser);
      ps.setInt(5, senderDevice);
      ps.setBytes(6, payload);
      ps.setLong(7, sentAt);
      setLongOrNull(ps, 8, expiresAt);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }

  /** Unexpired timeline entries after {@code afterSeq}, in sequence order. */
  public static List<RoomRow> roomAfter(Handle h, String roomId, long afterSeq, long now, int limit) {
    return h.createQuery(
            "SELECT room_id, seq, message_id, sender_user, sender_device, payload, sent_at, expires_at"
                + " FROM room_messages WHERE room_id = ? AND seq > ? AND (expires_at IS NULL OR expires_at > ?)"
                + " ORDER BY seq FETCH FIRST ? ROWS ONLY")
        .bind(0, roomId)
        .bind(1, afterSeq)
        .bind(2, now)
        .bind(3, limit)
        .map(Messages::roomRow)
        .list();
  }

  /** The most recent unexpired entries (ascending), not older than {@code notBeforeSeq}. */
  public static List<RoomRow> roomRecent(Handle h, String roomId, long notBeforeSeq, long now, int limit) {
    List<RoomRow> desc =
        h.createQuery(
                "SELECT room_id, seq, message_id, sender_user, sender_device, payload, sent_at, expires_at"
                    + " FROM room_messages WHERE room_id = ? AND seq > ? AND (expires_at IS NULL OR expires_at > ?)"
                    + " ORDER BY seq DESC FETCH FIRST ? ROWS ONLY")
            .bind(0, roomId)
            .bind(1, notBeforeSeq)
            .bind(2, now)
            .bind(3, limit)
            .map(Messages::roomRow)
            .list();
    List<RoomRow> asc = new java.util.ArrayList<>(desc);
    java.util.Collections.reverse(asc);
    return asc;
  }

  public static Optional<RoomRow> roomMessageById(Handle h, String roomId, String messageId) {
    return h.createQuery(
            "SELECT room_id, seq, message_id, sender_user, sender_device, payload, sent_at, expires_at"
                + " FROM room_messages WHERE room_id = ? AND message_id = ?")
        .bind(0, roomId)
        .bind(1, messageId)
        .map(Messages::roomRow)
        .findOne();
  }

  public static Optional<Long> cursor(Handle h, String roomId, String user, int device) {
    return h.createQuery(
            "SELECT delivered_seq FROM room_cursors WHERE room_id = ? AND user_id = ? AND device_id = ?")
        .bind(0, roomId)
        .bind(1, user)
        .bind(2, device)
        .mapTo(Long.class)
        .findOne();
  }

  /** Moves a device's cursor forward (never backwards). */
  public static void advanceCursor(Handle h, String roomId, String user, int device, long seq) {
    Optional<Long> current = cursor(h, roomId, user, device);
    if (current.isEmpty()) {
      h.execute(
          "INSERT INTO room_cursors (room_id, user_id, device_id, delivered_seq) VALUES (?, ?, ?, ?)",
          roomId, user, device, seq);
    } else if (current.get() < seq) {
      h.execute(
          "UPDATE room_cursors SET delivered_seq = ? WHERE room_id = ? AND user_id = ? AND device_id = ?"
              + " AND delivered_seq < ?",
          seq, roomId, user, device, seq);
    }
  }

  /** One device's acknowledged position in a room timeline, to be persisted. */
  public record CursorAdvance(String roomId, String userId, int deviceId, long seq) {}

  /**
   * Moves many cursors forward (never backwards) with one batched {@code UPDATE}; only cursors the
   * update did not touch (no row yet, or already at or past {@code seq}) are read back, and created
   * if missing. Used by the coalesced acknowledgement flush.
   */
  public static void advanceCursors(Handle h, List<CursorAdvance> advances) {
    if (advances.isEmpty()) {
      return;
    }
    org.jdbi.v3.core.statement.PreparedBatch batch = h.prepareBatch(
        "UPDATE room_cursors SET delivered_seq = ? WHERE room_id = ? AND user_id = ? AND device_id = ?"
            + " AND delivered_seq < ?");
    for (CursorAdvance a : advances) {
      batch.bind(0, a.seq()).bind(1, a.roomId()).bind(2, a.userId()).bind(3, a.deviceId()).bind(4, a.seq()).add();
    }
    int[] counts = batch.execute();
    for (int i = 0; i < advances.size(); i++) {
      if (i >= counts.length || counts[i] != 1) {
        CursorAdvance a = advances.get(i);
        advanceCursor(h, a.roomId(), a.userId(), a.deviceId(), a.seq());
      }
    }
  }

  /** True if {@code e} (or a cause) is a unique/primary-key violation (SQLSTATE 23505, H2 and PostgreSQL). */
  public static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  public static Optional<Accepted> accepted(Handle h, String senderUser, String messageId) {
    return h.createQuery(
            "SELECT room_id, seq, accepted_at FROM message_ids WHERE sender_user = ? AND message_id = ?")
        .bind(0, senderUser)
        .bind(1, messageId)
        .map((rs, ctx) -> new Accepted(rs.getString(1), rs.getObject(2, Long.class), rs.getLong(3)))
        .findOne();
  }

  /** Senders who sent {@code messageId} (normally one), for receipt routing. */
  public static List<String> sendersOf(Handle h, String messageId) {
    return h.createQuery("SELECT sender_user FROM message_ids WHERE message_id = ?")
        .bind(0, messageId)
        .mapTo(String.class)
        .list();
  }

  public static void recordAccepted(Handle h, String senderUser, String messageId, String roomId, Long seq, long now) {
    try (PreparedStatement ps = h.getConnection().prepareStatement(
        "INSERT INTO message_ids (sender_user, message_id, room_id, seq, accepted_at) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, senderUser);
      ps.setString(2, messageId);
      ps.setString(3, roomId);
      setLongOrNull(ps, 4, seq);
      ps.setLong(5, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }

  private static void setLongOrNull(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  // The sweep's deletes, each served by an index (StoreTest checks the plans): the sweep runs on the
  // writer thread, so a full table scan there would stall every send for as long as it takes.
  // "expires_at >= 0" (expiries are never negative) gives the index range a lower bound, so the
  // scan starts after the NULLs (no expiry, most rows) instead of reading through all of them.
  static final String PURGE_EXPIRED_DIRECT = "DELETE FROM direct_queue WHERE expires_at >= 0 AND expires_at <= ?";
  static final String PURGE_EXPIRED_ROOM = "DELETE FROM room_messages WHERE expires_at >= 0 AND expires_at <= ?";
  static final String PURGE_IDS = "DELETE FROM message_ids WHERE accepted_at < ?";
  static final String PURGE_ROOM_HISTORY = "DELETE FROM room_messages WHERE sent_at < ?";
  static final String PURGE_DIRECT_QUEUE = "DELETE FROM direct_queue WHERE sent_at < ?";

  /** Counts of rows purged by {@link #purgeExpired}. */
  public record Purged(int direct, int room, int ids) {}

  /** Deletes expired ciphertext, and dedupe records older than {@code idsBefore}. */
  public static Purged purgeExpired(Handle h, long now, long idsBefore) {
    int d = h.createUpdate(PURGE_EXPIRED_DIRECT).bind(0, now).execute();
    int r = h.createUpdate(PURGE_EXPIRED_ROOM).bind(0, now).execute();
    int i = h.createUpdate(PURGE_IDS).bind(0, idsBefore).execute();
    return new Purged(d, r, i);
  }

  /** Deletes room timeline entries older than the retention horizon. */
  public static int purgeRoomHistory(Handle h, long sentBefore) {
    return h.createUpdate(PURGE_ROOM_HISTORY).bind(0, sentBefore).execute();
  }

  /** Deletes queued 1:1 envelopes nobody fetched within the retention horizon. */
  public static int purgeDirectQueue(Handle h, long sentBefore) {
    return h.createUpdate(PURGE_DIRECT_QUEUE).bind(0, sentBefore).execute();
  }

  public static long directQueueDepth(Handle h) {
    return h.createQuery("SELECT COUNT(*) FROM direct_queue").mapTo(Long.class).one();
  }

  public static long roomTimelineSize(Handle h) {
    return h.createQuery("SELECT COUNT(*) FROM room_messages").mapTo(Long.class).one();
  }

  /** A group room the device's user belongs to, with where its delivery starts. */
  public record DeviceRoom(String roomId, long joinedSeq, Long cursor) {
    /** The highest sequence this device must not be sent again. */
    public long startAfter() {
      return cursor == null ? joinedSeq : Math.max(joinedSeq, cursor);
    }
  }

  public static List<DeviceRoom> deviceRooms(Handle h, String user, int device) {
    return h.createQuery(
            "SELECT m.room_id, m.joined_seq, c.delivered_seq FROM room_members m"
                + " JOIN rooms r ON r.room_id = m.room_id AND r.kind = 'group'"
                + " LEFT JOIN room_cursors c"
                + " ON c.room_id = m.room_id AND c.user_id = m.user_id AND c.device_id = ? WHERE m.user_id = ?")
        .bind(0, device)
        .bind(1, user)
        .map((rs, ctx) -> new DeviceRoom(rs.getString(1), rs.getLong(2), rs.getObject(3, Long.class)))
        .list();
  }

  /** What a device has queued: how many envelopes that have not expired, and the highest queue id. */
  public record QueuedDirect(String user, int device, long count, long maxId) {}

  /** A group room of a user and the highest sequence in its timeline. */
  public record RoomHead(String user, String roomId, long lastSeq) {}

  /**
   * Per device of {@code users}, the envelopes queued and not expired at {@code now}: the cluster's
   * catch-up poll reads this once per node instead of draining every connection (index
   * direct_queue_by_device).
   */
  public static List<QueuedDirect> queuedDirect(Handle h, Collection<String> users, long now) {
    return h.createQuery(
            "SELECT recipient_user, recipient_device, COUNT(*), MAX(id) FROM direct_queue"
                + " WHERE recipient_user IN (<users>) AND (expires_at IS NULL OR expires_at > :now)"
                + " GROUP BY recipient_user, recipient_device")
        .bindList("users", List.copyOf(users))
        .bind("now", now)
        .map((rs, ctx) -> new QueuedDirect(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getLong(4)))
        .list();
  }

  /**
   * The group rooms of {@code users} with a message after the user joined, each with its last
   * sequence (index room_members_by_user).
   */
  public static List<RoomHead> roomHeads(Handle h, Collection<String> users) {
    return h.createQuery(
            "SELECT m.user_id, m.room_id, r.last_seq FROM room_members m"
                + " JOIN rooms r ON r.room_id = m.room_id AND r.kind = 'group'"
                + " WHERE m.user_id IN (<users>) AND r.last_seq > m.joined_seq")
        .bindList("users", List.copyOf(users))
        .map((rs, ctx) -> new RoomHead(rs.getString(1), rs.getString(2), rs.getLong(3)))
        .list();
  }

  private static RoomRow roomRow(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws java.sql.SQLException {
    return new RoomRow(
        rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getBytes(6), rs.getLong(7),
        rs.getObject(8, Long.class));
  }
}
