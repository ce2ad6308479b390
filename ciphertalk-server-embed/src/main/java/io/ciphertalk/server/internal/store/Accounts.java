package io.ciphertalk.server.internal.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Account, bearer-token, recovery-code and invite rows. Stateless; every method runs on the caller's handle. */
public final class Accounts {
  private Accounts() {}

  /** An account row. {@code totpSecret} is null unless TOTP is active. */
  public record Account(
      String userId, String passwordHash, byte[] totpSecret, byte[] totpPending, boolean admin, long createdAt,
      boolean disabled) {}

  /** A live token: its user and when it was last presented. */
  public record TokenRow(String userId, long lastUsedAt) {}

  public static boolean insert(Handle h, String userId, String passwordHash, boolean admin, long now) {
    if (find(h, userId).isPresent() || isRetired(h, userId)) {
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
            "SELECT user_id, password_hash, totp_secret, totp_pending, is_admin, created_at, disabled"
                + " FROM accounts WHERE user_id = ?")
        .bind(0, userId)
        .map(
            (rs, ctx) ->
                new Account(
                    rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4), rs.getBoolean(5), rs.getLong(6),
                    rs.getBoolean(7)))
        .findOne();
  }

  public static boolean exists(Handle h, String userId) {
    return h.createQuery("SELECT COUNT(*) FROM accounts WHERE user_id = ?").bind(0, userId).mapTo(Long.class).one() > 0;
  }

  public static void setPassword(Handle h, String userId, String passwordHash) {
    h.execute("UPDATE accounts SET password_hash = ? WHERE user_id = ?", passwordHash, userId);
  }

  public static boolean setDisabled(Handle h, String userId, boolean disabled) {
    return h.createUpdate("UPDATE accounts SET disabled = ? WHERE user_id = ?").bind(0, disabled).bind(1, userId)
        .execute() > 0;
  }

  /** Deletes the account (tokens, devices, prekeys, memberships and contacts cascade) and retires its name. */
  public static boolean delete(Handle h, String userId, long now) {
    h.execute("DELETE FROM direct_queue WHERE recipient_user = ?", userId);
    h.execute("DELETE FROM room_cursors WHERE user_id = ?", userId);
    boolean deleted = h.createUpdate("DELETE FROM accounts WHERE user_id = ?").bind(0, userId).execute() > 0;
    if (deleted && !isRetired(h, userId)) {
      h.execute("INSERT INTO retired_usernames (user_id, retired_at) VALUES (?, ?)", userId, now);
    }
    return deleted;
  }

  public static boolean isRetired(Handle h, String userId) {
    return h.createQuery("SELECT COUNT(*) FROM retired_usernames WHERE user_id = ?").bind(0, userId)
        .mapTo(Long.class).one() > 0;
  }

  // ---- TOTP ----

  public static void setTotpPending(Handle h, String userId, byte[] secret) {
    h.execute("UPDATE accounts SET totp_pending = ? WHERE user_id = ?", secret, userId);
  }

  /** Activates {@code secret} only if it is still the pending one (a concurrent enrolment loses). */
  public static boolean activateTotp(Handle h, String userId, byte[] secret) {
    return h.createUpdate(
            "UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL WHERE user_id = ? AND totp_pending = ?")
        .bind(0, userId)
        .bind(1, secret)
        .execute() > 0;
  }

  public static void disableTotp(Handle h, String userId) {
    h.execute("UPDATE accounts SET totp_secret = NULL, totp_pending = NULL WHERE user_id = ?", userId);
    h.execute("DELETE FROM recovery_codes WHERE user_id = ?", userId);
  }

  /**
   * Records TOTP time step {@code step} as used if it is later than every step used before; false
   * if it (or a later one) was already used. Atomic: of two concurrent uses of one code, one wins.
   */
  public static boolean claimTotpStep(Handle h, String userId, long step) {
    return h.createUpdate(
            "UPDATE accounts SET totp_last_step = ? WHERE user_id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)")
        .bind(0, step)
        .bind(1, userId)
        .bind(2, step)
        .execute() > 0;
  }

  public static void replaceRecoveryCodes(Handle h, String userId, List<String> codeHashes, long now) {
    h.execute("DELETE FROM recovery_codes WHERE user_id = ?", userId);
    for (String c : codeHashes) {
      h.execute("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)", userId, c, now);
    }
  }

  /** Consumes a recovery code: true (and the code is gone) if it existed. */
  public static boolean useRecoveryCode(Handle h, String userId, String codeHash) {
    return h.createUpdate("DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?")
        .bind(0, userId)
        .bind(1, codeHash)
        .execute() > 0;
  }

  public static int recoveryCodesLeft(Handle h, String userId) {
    return h.createQuery("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?").bind(0, userId)
        .mapTo(Integer.class).one();
  }

  // ---- tokens (stored as SHA-256 hex only) ----

  public static void insertToken(Handle h, String tokenHash, String userId, long now, long expiresAt) {
    h.execute(
        "INSERT INTO tokens (token_hash, user_id, created_at, expires_at, revoked, last_used_at)"
            + " VALUES (?, ?, ?, ?, FALSE, ?)",
        tokenHash,
        userId,
        now,
        expiresAt,
        now);
  }

  /**
   * The token's user and last use, if it exists, is not revoked, has not expired at {@code now}, was
   * used after {@code idleCutoff} and its account is enabled.
   */
  public static Optional<TokenRow> liveToken(Handle h, String tokenHash, long now, long idleCutoff) {
    return h.createQuery(
            "SELECT t.user_id, t.last_used_at FROM tokens t JOIN accounts a ON a.user_id = t.user_id"
                + " WHERE t.token_hash = ? AND t.revoked = FALSE AND t.expires_at > ? AND t.last_used_at > ?"
                + " AND a.disabled = FALSE")
        .bind(0, tokenHash)
        .bind(1, now)
        .bind(2, idleCutoff)
        .map((rs, ctx) -> new TokenRow(rs.getString(1), rs.getLong(2)))
        .findOne();
  }

  /** The user of a live token (no idle check); for tools and tests. */
  public static Optional<String> tokenUser(Handle h, String tokenHash, long now) {
    return liveToken(h, tokenHash, now, Long.MIN_VALUE).map(TokenRow::userId);
  }

  public static void touchToken(Handle h, String tokenHash, long now) {
    h.execute("UPDATE tokens SET last_used_at = ? WHERE token_hash = ? AND last_used_at < ?", now, tokenHash, now);
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

  /** Revokes every token of {@code userId} except {@code keepHash}. */
  public static int revokeOtherTokens(Handle h, String userId, String keepHash) {
    return h.createUpdate("UPDATE tokens SET revoked = TRUE WHERE user_id = ? AND token_hash <> ? AND revoked = FALSE")
        .bind(0, userId)
        .bind(1, keepHash)
        .execute();
  }

  public static int purgeTokens(Handle h, long now) {
    return h.createUpdate("DELETE FROM tokens WHERE expires_at <= ?").bind(0, now).execute();
  }

  // ---- invites (stored as SHA-256 hex only) ----

  public static void insertInvite(Handle h, String codeHash, String createdBy, long now, long expiresAt) {
    h.execute("INSERT INTO invites (code_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)",
        codeHash, createdBy, now, expiresAt);
  }

  /** Marks an unused, unexpired invite as used by {@code userId}; false if there is none. */
  public static boolean useInvite(Handle h, String codeHash, String userId, long now) {
    return h.createUpdate(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?")
        .bind(0, userId)
        .bind(1, now)
        .bind(2, codeHash)
        .bind(3, now)
        .execute() > 0;
  }
}
