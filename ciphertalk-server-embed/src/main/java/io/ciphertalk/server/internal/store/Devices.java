package io.ciphertalk.server.internal.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Device and prekey directory rows. Key material is stored as the opaque public bytes the device
 * published (the server never sees private keys). Stateless.
 */
public final class Devices {
  private Devices() {}

  /** A device's published public keys (each may be null until published). */
  public record Device(
      String userId,
      int deviceId,
      byte[] identityKey,
      byte[] signedPrekey,
      byte[] kemPrekey,
      byte[] rsaPrekey,
      long registeredAt,
      long lastSeen,
      byte[] certificate) {}

  /** A one-time prekey: its id and public bytes. */
  public record OneTimePrekey(long keyId, byte[] publicKey) {}

  /** A signed one-time ML-KEM-768 prekey: its id, public bytes and signature. */
  public record OneTimeKemPrekey(long keyId, byte[] publicKey, byte[] signature) {}

  /** Registers the device if unknown and records it as seen. */
  public static void ensure(Handle h, String userId, int deviceId, long now) {
    int n =
        h.createUpdate("UPDATE devices SET last_seen = ? WHERE user_id = ? AND device_id = ?")
            .bind(0, now)
            .bind(1, userId)
            .bind(2, deviceId)
            .execute();
    if (n == 0) {
      h.execute(
          "INSERT INTO devices (user_id, device_id, registered_at, last_seen) VALUES (?, ?, ?, ?)",
          userId,
          deviceId,
          now,
          now);
    }
  }

  public static void publishKeys(
      Handle h, String userId, int deviceId, byte[] identityKey, byte[] signedPrekey, byte[] kemPrekey, byte[] rsaPrekey,
      byte[] certificate, long now) {
    ensure(h, userId, deviceId, now);
    h.createUpdate(
            "UPDATE devices SET identity_key = COALESCE(?, identity_key), signed_prekey = COALESCE(?, signed_prekey),"
                + " kem_prekey = COALESCE(?, kem_prekey), rsa_prekey = COALESCE(?, rsa_prekey),"
                + " certificate = COALESCE(?, certificate)"
                + " WHERE user_id = ? AND device_id = ?")
        .bind(0, identityKey)
        .bind(1, signedPrekey)
        .bind(2, kemPrekey)
        .bind(3, rsaPrekey)
        .bind(4, certificate)
        .bind(5, userId)
        .bind(6, deviceId)
        .execute();
  }

  /** Adds one-time prekeys, skipping ids already stored. Returns how many were added. */
  public static int addOneTimePrekeys(Handle h, String userId, int deviceId, List<OneTimePrekey> keys) {
    int added = 0;
    for (OneTimePrekey k : keys) {
      boolean exists =
          h.createQuery("SELECT COUNT(*) FROM one_time_prekeys WHERE user_id = ? AND device_id = ? AND key_id = ?")
                  .bind(0, userId)
                  .bind(1, deviceId)
                  .bind(2, k.keyId())
                  .mapTo(Long.class)
                  .one()
              > 0;
      if (!exists) {
        h.execute(
            "INSERT INTO one_time_prekeys (user_id, device_id, key_id, public_key) VALUES (?, ?, ?, ?)",
            userId,
            deviceId,
            k.keyId(),
            k.publicKey());
        added++;
      }
    }
    return added;
  }

  public static int countOneTimePrekeys(Handle h, String userId, int deviceId) {
    return h.createQuery("SELECT COUNT(*) FROM one_time_prekeys WHERE user_id = ? AND device_id = ?")
        .bind(0, userId)
        .bind(1, deviceId)
        .mapTo(Integer.class)
        .one();
  }

  /** Adds signed one-time KEM prekeys, skipping ids already stored. Returns how many were added. */
  public static int addOneTimeKemPrekeys(Handle h, String userId, int deviceId, List<OneTimeKemPrekey> keys) {
    if (!keys.isEmpty()) {
      h.execute("UPDATE devices SET one_time_kem = TRUE WHERE user_id = ? AND device_id = ?", userId, deviceId);
    }
    int added = 0;
    for (OneTimeKemPrekey k : keys) {
      boolean exists =
          h.createQuery("SELECT COUNT(*) FROM one_time_kem_prekeys WHERE user_id = ? AND device_id = ? AND key_id = ?")
                  .bind(0, userId)
                  .bind(1, deviceId)
                  .bind(2, k.keyId())
                  .mapTo(Long.class)
                  .one()
              > 0;
      if (!exists) {
        h.execute(
            "INSERT INTO one_time_kem_prekeys (user_id, device_id, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?)",
            userId, deviceId, k.keyId(), k.publicKey(), k.signature());
        added++;
      }
    }
    return added;
  }

  public static int countOneTimeKemPrekeys(Handle h, String userId, int deviceId) {
    return h.createQuery("SELECT COUNT(*) FROM one_time_kem_prekeys WHERE user_id = ? AND device_id = ?")
        .bind(0, userId)
        .bind(1, deviceId)
        .mapTo(Integer.class)
        .one();
  }

  /**
   * The one-time prekeys left as the prekeys-low notice counts them: the X25519 ones, or, for a
   * device that has published one-time KEM prekeys, the fewer of the X25519 and the KEM ones (a
   * client that publishes only a last-resort KEM prekey is not told it runs out of one-time ones).
   */
  public static int oneTimePrekeysLeft(Handle h, String userId, int deviceId) {
    int ec = countOneTimePrekeys(h, userId, deviceId);
    boolean oneTimeKem = h.createQuery("SELECT one_time_kem FROM devices WHERE user_id = ? AND device_id = ?")
        .bind(0, userId)
        .bind(1, deviceId)
        .mapTo(Boolean.class)
        .findOne()
        .orElse(false);
    return oneTimeKem ? Math.min(ec, countOneTimeKemPrekeys(h, userId, deviceId)) : ec;
  }

  /** Hands out one one-time KEM prekey at most once, as {@link #takeOneTimePrekey} does. */
  public static Optional<OneTimeKemPrekey> takeOneTimeKemPrekey(Handle h, String userId, int deviceId) {
    for (int attempt = 0; attempt < 16; attempt++) {
      Optional<OneTimeKemPrekey> candidate =
          h.createQuery(
                  "SELECT key_id, public_key, signature FROM one_time_kem_prekeys WHERE user_id = ? AND device_id = ?"
                      + " ORDER BY key_id FETCH FIRST 1 ROWS ONLY")
              .bind(0, userId)
              .bind(1, deviceId)
              .map((rs, ctx) -> new OneTimeKemPrekey(rs.getLong(1), rs.getBytes(2), rs.getBytes(3)))
              .findOne();
      if (candidate.isEmpty()) {
        return Optional.empty();
      }
      int claimed =
          h.createUpdate("DELETE FROM one_time_kem_prekeys WHERE user_id = ? AND device_id = ? AND key_id = ?")
              .bind(0, userId)
              .bind(1, deviceId)
              .bind(2, candidate.get().keyId())
              .execute();
      if (claimed == 1) {
        return candidate;
      }
    }
    return Optional.empty();
  }

  /**
   * Hands out one one-time prekey exactly once, also under concurrent callers: a candidate row is
   * read, then claimed by a DELETE whose affected-row count says whether this caller won it (the
   * row lock makes exactly one DELETE see it). A loser retries with the next candidate. Works the
   * same on H2 and PostgreSQL, without dialect-specific DELETE ... RETURNING.
   */
  public static Optional<OneTimePrekey> takeOneTimePrekey(Handle h, String userId, int deviceId) {
    for (int attempt = 0; attempt < 16; attempt++) {
      Optional<OneTimePrekey> candidate =
          h.createQuery(
                  "SELECT key_id, public_key FROM one_time_prekeys WHERE user_id = ? AND device_id = ?"
                      + " ORDER BY key_id FETCH FIRST 1 ROWS ONLY")
              .bind(0, userId)
              .bind(1, deviceId)
              .map((rs, ctx) -> new OneTimePrekey(rs.getLong(1), rs.getBytes(2)))
              .findOne();
      if (candidate.isEmpty()) {
        return Optional.empty();
      }
      int claimed =
          h.createUpdate("DELETE FROM one_time_prekeys WHERE user_id = ? AND device_id = ? AND key_id = ?")
              .bind(0, userId)
              .bind(1, deviceId)
              .bind(2, candidate.get().keyId())
              .execute();
      if (claimed == 1) {
        return candidate;
      }
    }
    return Optional.empty();
  }

  public static Optional<Device> find(Handle h, String userId, int deviceId) {
    return h.createQuery(
            "SELECT user_id, device_id, identity_key, signed_prekey, kem_prekey, rsa_prekey, registered_at, last_seen,"
                + " certificate"
                + " FROM devices WHERE user_id = ? AND device_id = ?")
        .bind(0, userId)
        .bind(1, deviceId)
        .map(Devices::row)
        .findOne();
  }

  public static List<Device> list(Handle h, String userId) {
    return h.createQuery(
            "SELECT user_id, device_id, identity_key, signed_prekey, kem_prekey, rsa_prekey, registered_at, last_seen,"
                + " certificate"
                + " FROM devices WHERE user_id = ? ORDER BY device_id")
        .bind(0, userId)
        .map(Devices::row)
        .list();
  }

  /** What a 1:1 send checks of a device: whether it published keys and a certificate. */
  public record Presence(String userId, int deviceId, boolean hasKeys, boolean certified) {}

  /**
   * The devices of {@code userIds} as a 1:1 send checks them, in one statement and without the key
   * columns (several kilobytes per device that {@link #list} reads); ordered by user and device.
   */
  public static List<Presence> presence(Handle h, java.util.Collection<String> userIds) {
    List<String> ids = List.copyOf(userIds);
    StringBuilder sql = new StringBuilder("SELECT user_id, device_id, CASE WHEN identity_key IS NULL"
        + " THEN 0 ELSE 1 END, CASE WHEN certificate IS NULL THEN 0 ELSE 1 END FROM devices"
        + " WHERE user_id IN (");
    for (int i = 0; i < ids.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    sql.append(") ORDER BY user_id, device_id");
    try (java.sql.PreparedStatement ps = h.getConnection().prepareStatement(sql.toString())) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(i + 1, ids.get(i));
      }
      List<Presence> out = new java.util.ArrayList<>();
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Presence(rs.getString(1), rs.getInt(2), rs.getInt(3) == 1, rs.getInt(4) == 1));
        }
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
    }
  }

  /** Records a device revocation and deletes the device (its one-time prekeys go with it). */
  public static void revoke(Handle h, String userId, int deviceId, byte[] revocation, long now) {
    h.execute("INSERT INTO device_revocations (user_id, device_id, revocation, revoked_at) VALUES (?, ?, ?, ?)",
        userId, deviceId, revocation, now);
    h.execute("DELETE FROM devices WHERE user_id = ? AND device_id = ?", userId, deviceId);
  }

  public static boolean isRevoked(Handle h, String userId, int deviceId) {
    return h.createQuery("SELECT COUNT(*) FROM device_revocations WHERE user_id = ? AND device_id = ?")
        .bind(0, userId)
        .bind(1, deviceId)
        .mapTo(Long.class)
        .one() > 0;
  }

  /** The user's revocations, oldest first (at most {@code limit}). */
  public static List<byte[]> revocations(Handle h, String userId, int limit) {
    return h.createQuery("SELECT revocation FROM device_revocations WHERE user_id = ? ORDER BY revoked_at"
            + " FETCH FIRST " + limit + " ROWS ONLY")
        .bind(0, userId)
        .mapTo(byte[].class)
        .list();
  }

  public static Optional<Long> lastSeen(Handle h, String userId) {
    return h.createQuery("SELECT MAX(last_seen) FROM devices WHERE user_id = ?")
        .bind(0, userId)
        .mapTo(Long.class)
        .findOne();
  }

  private static Device row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws java.sql.SQLException {
    return new Device(
        rs.getString(1), rs.getInt(2), rs.getBytes(3), rs.getBytes(4), rs.getBytes(5), rs.getBytes(6), rs.getLong(7),
        rs.getLong(8), rs.getBytes(9));
  }
}
