package io.ciphertalk.server.internal.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Rooms, members and roles, and contacts/blocks. Stateless. */
public final class Rooms {
  private Rooms() {}

  /** A room row. {@code kind} is "private" or "group". */
  public record Room(
      String roomId, String kind, String name, String description, int maxMembers, String createdBy, long createdAt,
      long lastSeq) {}

  /** A member row; {@code role} is "owner", "admin" or "member". */
  public record Member(String userId, String role, long joinedSeq, long joinedAt) {}

  /** A contact row owned by one user. */
  public record Contact(String contactId, String nickname, boolean blocked, long createdAt) {}

  public static boolean create(
      Handle h, String roomId, String kind, String name, String description, int maxMembers, String owner, long now) {
    if (find(h, roomId).isPresent()) {
      return false;
    }
    h.execute(
        "INSERT INTO rooms (room_id, kind, name, description, max_members, created_by, created_at, last_seq)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        roomId, kind, name, description, maxMembers, owner, now);
    addMember(h, roomId, owner, "owner", now);
    return true;
  }

  public static Optional<Room> find(Handle h, String roomId) {
    return h.createQuery(
            "SELECT room_id, kind, name, description, max_members, created_by, created_at, last_seq FROM rooms WHERE room_id = ?")
        .bind(0, roomId)
        .map(Rooms::room)
        .findOne();
  }

  public static List<Room> listForUser(Handle h, String userId) {
    return h.createQuery(
            "SELECT r.room_id, r.kind, r.name, r.description, r.max_members, r.created_by, r.created_at, r.last_seq"
                + " FROM rooms r JOIN room_members m ON m.room_id = r.room_id WHERE m.user_id = ? ORDER BY r.room_id")
        .bind(0, userId)
        .map(Rooms::room)
        .list();
  }

  public static void rename(Handle h, String roomId, String name, String description) {
    h.execute("UPDATE rooms SET name = COALESCE(?, name), description = COALESCE(?, description) WHERE room_id = ?",
        name, description, roomId);
  }

  public static List<Member> members(Handle h, String roomId) {
    return h.createQuery(
            "SELECT user_id, role, joined_seq, joined_at FROM room_members WHERE room_id = ? ORDER BY user_id")
        .bind(0, roomId)
        .map((rs, ctx) -> new Member(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
        .list();
  }

  public static Optional<Member> member(Handle h, String roomId, String userId) {
    return h.createQuery(
            "SELECT user_id, role, joined_seq, joined_at FROM room_members WHERE room_id = ? AND user_id = ?")
        .bind(0, roomId)
        .bind(1, userId)
        .map((rs, ctx) -> new Member(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
        .findOne();
  }

  public static int memberCount(Handle h, String roomId) {
    return h.createQuery("SELECT COUNT(*) FROM room_members WHERE room_id = ?").bind(0, roomId).mapTo(Integer.class).one();
  }

  /** Adds an accepted member who sees the timeline from the current sequence on. */
  public static boolean addMember(Handle h, String roomId, String userId, String role, long now) {
    return addMember(h, roomId, userId, role, now, true);
  }

  /**
   * Adds a member who sees the timeline from the current sequence on; {@code accepted} false for
   * someone added by another user, who is pending until {@link #accept}.
   */
  public static boolean addMember(Handle h, String roomId, String userId, String role, long now, boolean accepted) {
    if (member(h, roomId, userId).isPresent()) {
      return false;
    }
    long seq = find(h, roomId).map(Room::lastSeq).orElse(0L);
    h.execute(
        "INSERT INTO room_members (room_id, user_id, role, joined_seq, joined_at, accepted) VALUES (?, ?, ?, ?, ?, ?)",
        roomId, userId, role, seq, now, accepted);
    return true;
  }

  /** Marks a pending membership accepted; false if there was no pending membership. */
  public static boolean accept(Handle h, String roomId, String userId) {
    return h.createUpdate("UPDATE room_members SET accepted = TRUE WHERE room_id = ? AND user_id = ? AND accepted = FALSE")
        .bind(0, roomId)
        .bind(1, userId)
        .execute() > 0;
  }

  /** Rooms {@code userId} was added to and has not accepted yet. */
  public static List<Room> pendingForUser(Handle h, String userId) {
    return h.createQuery(
            "SELECT r.room_id, r.kind, r.name, r.description, r.max_members, r.created_by, r.created_at, r.last_seq"
                + " FROM rooms r JOIN room_members m ON m.room_id = r.room_id"
                + " WHERE m.user_id = ? AND m.accepted = FALSE ORDER BY r.room_id")
        .bind(0, userId)
        .map(Rooms::room)
        .list();
  }

  /** True if {@code a} and {@code b} are both accepted members of at least one room. */
  public static boolean shareAcceptedRoom(Handle h, String a, String b) {
    return h.createQuery("SELECT COUNT(*) FROM room_members m JOIN room_members o ON o.room_id = m.room_id"
            + " WHERE m.user_id = ? AND o.user_id = ? AND m.accepted = TRUE AND o.accepted = TRUE")
        .bind(0, a)
        .bind(1, b)
        .mapTo(Long.class)
        .one() > 0;
  }

  public static boolean removeMember(Handle h, String roomId, String userId) {
    h.execute("DELETE FROM room_cursors WHERE room_id = ? AND user_id = ?", roomId, userId);
    return h.createUpdate("DELETE FROM room_members WHERE room_id = ? AND user_id = ?")
            .bind(0, roomId)
            .bind(1, userId)
            .execute()
        > 0;
  }

  public static void setRole(Handle h, String roomId, String userId, String role) {
    h.execute("UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?", role, roomId, userId);
  }

  public static void delete(Handle h, String roomId) {
    h.execute("DELETE FROM rooms WHERE room_id = ?", roomId);
  }

  /**
   * Locks the rows of {@code sortedRoomIds} (ascending) in that order, until the transaction ends:
   * writers that take their room locks this way cannot deadlock on each other (PostgreSQL locks
   * the rows of {@code ORDER BY ... FOR UPDATE} in the sort order).
   */
  public static void lockInOrder(Handle h, List<String> sortedRoomIds) {
    h.createQuery("SELECT room_id FROM rooms WHERE room_id IN (<ids>) ORDER BY room_id FOR UPDATE")
        .bindList("ids", sortedRoomIds).mapTo(String.class).list();
  }

  /** Reserves the next timeline sequence number; the row lock serialises concurrent senders. */
  public static java.util.Optional<Long> nextSeq(Handle h, String roomId) {
    if (h.execute("UPDATE rooms SET last_seq = last_seq + 1 WHERE room_id = ?", roomId) == 0) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        h.createQuery("SELECT last_seq FROM rooms WHERE room_id = ?").bind(0, roomId).mapTo(Long.class).one());
  }

  /** Records {@code seq} as the room's last sequence (the caller allocated it from its cache). */
  public static void setLastSeq(Handle h, String roomId, long seq) {
    h.execute("UPDATE rooms SET last_seq = ? WHERE room_id = ?", seq, roomId);
  }

  /**
   * Users who share at least one room with {@code userId} where both accepted the membership
   * (presence audience: a pending invitation shows neither side the other's presence).
   */
  public static List<String> coMembers(Handle h, String userId) {
    return h.createQuery(
            "SELECT DISTINCT o.user_id FROM room_members m JOIN room_members o ON o.room_id = m.room_id"
                + " WHERE m.user_id = ? AND o.user_id <> ? AND m.accepted = TRUE AND o.accepted = TRUE")
        .bind(0, userId)
        .bind(1, userId)
        .mapTo(String.class)
        .list();
  }

  /**
   * Everyone who shares a room with {@code userId}, whether or not either side accepted it: the
   * users who may encrypt to {@code userId}'s devices, and so must hear when those change.
   */
  public static List<String> anyCoMembers(Handle h, String userId) {
    return h.createQuery(
            "SELECT DISTINCT o.user_id FROM room_members m JOIN room_members o ON o.room_id = m.room_id"
                + " WHERE m.user_id = ? AND o.user_id <> ?")
        .bind(0, userId)
        .bind(1, userId)
        .mapTo(String.class)
        .list();
  }

  // ---- contacts ----

  public static void upsertContact(Handle h, String owner, String contact, String nickname, Boolean blocked, long now) {
    int n =
        h.createUpdate(
                "UPDATE contacts SET nickname = COALESCE(?, nickname), blocked = COALESCE(?, blocked)"
                    + " WHERE owner_id = ? AND contact_id = ?")
            .bind(0, nickname)
            .bind(1, blocked)
            .bind(2, owner)
            .bind(3, contact)
            .execute();
    if (n == 0) {
      h.execute(
          "INSERT INTO contacts (owner_id, contact_id, nickname, blocked, created_at) VALUES (?, ?, ?, ?, ?)",
          owner, contact, nickname == null ? "" : nickname, blocked != null && blocked, now);
    }
  }

  public static boolean removeContact(Handle h, String owner, String contact) {
    return h.createUpdate("DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?")
            .bind(0, owner)
            .bind(1, contact)
            .execute()
        > 0;
  }

  public static List<Contact> contacts(Handle h, String owner) {
    return h.createQuery(
            "SELECT contact_id, nickname, blocked, created_at FROM contacts WHERE owner_id = ? ORDER BY contact_id")
        .bind(0, owner)
        .map((rs, ctx) -> new Contact(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4)))
        .list();
  }

  /** True if {@code blocker} has blocked {@code other}. */
  /** Whether {@code recipient} may receive a 1:1 message from {@code sender}. */
  public enum Reachability { NO_SUCH_USER, BLOCKED, OK }

  /**
   * {@code recipient}'s account exists and has not blocked {@code sender}: one statement for what
   * {@code Accounts.exists} and {@link #isBlocked} ask separately (a 1:1 send asks per recipient).
   */
  public static Reachability reachability(Handle h, String recipient, String sender) {
    try (java.sql.PreparedStatement ps = h.getConnection().prepareStatement(
        "SELECT (SELECT COUNT(*) FROM accounts WHERE user_id = ?), (SELECT COUNT(*) FROM contacts"
            + " WHERE owner_id = ? AND contact_id = ? AND blocked = TRUE)")) {
      ps.setString(1, recipient);
      ps.setString(2, recipient);
      ps.setString(3, sender);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(1) == 0) {
          return Reachability.NO_SUCH_USER;
        }
        return rs.getLong(2) > 0 ? Reachability.BLOCKED : Reachability.OK;
      }
    } catch (java.sql.SQLException e) {
      throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
    }
  }

  public static boolean isBlocked(Handle h, String blocker, String other) {
    return h.createQuery("SELECT COUNT(*) FROM contacts WHERE owner_id = ? AND contact_id = ? AND blocked = TRUE")
            .bind(0, blocker)
            .bind(1, other)
            .mapTo(Long.class)
            .one()
        > 0;
  }

  /** True if {@code owner} lists {@code other} as an unblocked contact. */
  public static boolean hasContact(Handle h, String owner, String other) {
    return h.createQuery("SELECT COUNT(*) FROM contacts WHERE owner_id = ? AND contact_id = ? AND blocked = FALSE")
            .bind(0, owner)
            .bind(1, other)
            .mapTo(Long.class)
            .one()
        > 0;
  }

  /**
   * Mutual contacts of {@code userId}: users who list {@code userId} as an unblocked contact and
   * whom {@code userId} lists back (presence audience: adding someone alone shows you nothing).
   */
  public static List<String> mutualContacts(Handle h, String userId) {
    return h.createQuery("SELECT c.owner_id FROM contacts c JOIN contacts back ON back.owner_id = c.contact_id"
            + " AND back.contact_id = c.owner_id AND back.blocked = FALSE"
            + " WHERE c.contact_id = ? AND c.blocked = FALSE")
        .bind(0, userId)
        .mapTo(String.class)
        .list();
  }

  /** Users who have {@code userId} as an unblocked contact. */
  public static List<String> contactOf(Handle h, String userId) {
    return h.createQuery("SELECT owner_id FROM contacts WHERE contact_id = ? AND blocked = FALSE")
        .bind(0, userId)
        .mapTo(String.class)
        .list();
  }

  /** Users {@code userId} has blocked. */
  public static List<String> blockedBy(Handle h, String userId) {
    return h.createQuery("SELECT contact_id FROM contacts WHERE owner_id = ? AND blocked = TRUE")
        .bind(0, userId)
        .mapTo(String.class)
        .list();
  }

  private static Room room(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws java.sql.SQLException {
    return new Room(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6), rs.getLong(7),
        rs.getLong(8));
  }
}
