package io.ciphertalk.server.internal.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Account and bearer-token rows. Stateless; every method runs on the caller's handle. */
public final class Accounts {
  private Accounts() {}

  /** An account row. {@code totpSecret} is null unless TOTP is active. */
  public record Account(
      String userId, String passwordHash, byte[] totpSecret, byte[] totpPending, boolean admin, long createdAt) {}

  public static boolean insert(Handle h, String userId, String passwordHash, boolean admin, long now) {
    if (find(h, userId).isPresent()) {
      return false;
    }
    h.createUpdate(
            "INSERT INTO accounts (user_id, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)")
        .bind(0, userId)
        .bind(1, passwordHash)
        .bind(2, admin)
        .bind(3, now)
        .execute();
    return true;
  }

  public static Optional<Account> find(Handle h, String userId) {
    return h.createQuery(
            "SELECT user_id, password_hash, totp_secret, totp_pending, is_admin, created_at FROM accounts WHERE user_id = ?")
        .bind(0, userId)
        .map(
            (rs, ctx) ->
                new Account(
                    rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4), rs.getBoolean(5), rs.getLong(6)))
        .findOne();
  }

  public static boolean exists(Handle h, String userId) {
    return h.createQuery("SELECT COUNT(*) FROM accounts WHERE user_id = ?").bind(0, userId).mapTo(Long.class).one() > 0;
  }

  public static void setPassword(Handle h, String userId, String passwordHash) {
    h.execute("UPDATE accounts SET password_hash = ? WHERE user_id = ?", passwordHash, userId);
  }

  public static void setTotpPending(Handle h, String userId, byte[] secret) {
    h.execute("UPDATE accounts SET totp_pending = ? WHERE user_id = ?", secret, userId);
  }

  public static void activateTotp(Handle h, String userId, byte[] secret) {
    h.execute("UPDATE accounts SET totp_secret = ?, totp_pending = NULL WHERE user_id = ?", secret, userId);
  }

  public static void disableTotp(Handle h, String userId) {
    h.execute("UPDATE accounts SET totp_secret = NULL, totp_pending = NULL WHERE user_id = ?", userId);
  }

  // ---- tokens (stored as SHA-256 hex only) ----

  public static void insertToken(Handle h, String tokenHash, String userId, long now, long expiresAt) {
    h.execute(
        "INSERT INTO tokens (token_hash, user_id, created_at, expires_at, revoked) VALUES (?, ?, ?, ?, FALSE)",
        tokenHash,
        userId,
        now,
        expiresAt);
  }

  /** The user a token hash belongs to, if it exists, is not revoked and has not expired at {@code now}. */
  public static Optional<String> tokenUser(Handle h, String tokenHash, long now) {
    return h.createQuery(
            "SELECT user_id FROM tokens WHERE token_hash = ? AND revoked = FALSE AND expires_at > ?")
        .bind(0, tokenHash)
        .bind(1, now)
        .mapTo(String.class)
        .findOne();
  }

  public static boolean revokeToken(Handle h, String tokenHash) {
    return h.createUpdate("UPDATE tokens SET revoked = TRUE WHERE token_hash = ? AND revoked = FALSE")
            .bind(0, tokenHash)
            .execute()
        > 0;
  }

  public static int revokeAllTokens(Handle h, String userId) {
    return h.createUpdate("UPDATE tokens SET revoked = TRUE WHERE user_id = ? AND revoked = FALSE")
        .bind(0, userId)
        .execute();
  }

  public static int purgeTokens(Handle h, long now) {
    return h.createUpdate("DELETE FROM tokens WHERE expires_at <= ?").bind(0, now).execute();
  }
}
