package io.ciphertalk.server.internal.auth;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.metrics.Metrics;
import io.ciphertalk.server.internal.store.Accounts;
import io.ciphertalk.server.internal.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and authentication: registration with username rules (rate limited per address,
 * optionally invite-only), Argon2id password check, bearer tokens (256 random bits, stored only as
 * SHA-256 hashes) with a lifetime and an idle timeout, logout and revocation (which also end the
 * token's live connections through {@link LiveSessions}), password change, disabled and deleted
 * accounts, an optional TOTP second factor with persisted replay protection and hashed single-use
 * recovery codes, and login lockout per (account, address) with exponential backoff.
 *
 * <p>Login never reveals whether a password was right before the second factor is given: an
 * account with TOTP answers {@code totp_required} to every password without a code, and every
 * failure with a code is the same {@code invalid_credentials}.
 *
 * <p>Thread-safe; every method does blocking database I/O, so call it off network threads.
 */
public final class AccountService {
  private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);

  /** 3 to 32 characters, lower case letters, digits, '.', '_' and '-', starting with a letter or digit. */
  public static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{2,31}");
  /** A recovery code as shown: 16 Base32 characters in groups of four (80 random bits). */
  private static final Pattern RECOVERY = Pattern.compile("[A-Z2-7]{16}");
  private static final Pattern TOTP_CODE = Pattern.compile("[0-9]{6}");

  public static final int MIN_PASSWORD = 8;
  public static final int MAX_PASSWORD = 256;
  public static final int RECOVERY_CODES = 10;

  /** Token, lockout, registration and invite settings (see the server builder for each default). */
  public record Settings(
      Duration tokenTtl, Duration tokenIdle, int failuresBeforeLockout, Duration firstLockout, Duration maxLockout,
      int loginAttemptsPerAddress, Duration loginWindow, int registrationsPerAddress, Duration registrationWindow,
      boolean inviteOnly) {}

  private final Database db;
  private final Clock clock;
  private final RandomSource random;
  private final PasswordHasher hasher;
  private final Settings settings;
  private final LoginLockout lockout;
  private final RateLimiter perAddress;
  private final RateLimiter registrations;
  private final LiveSessions live;
  private final Metrics metrics;
  private volatile java.util.function.Consumer<String> activity;
  /** Token uses closer together than this do not rewrite last_used_at (one write per token per interval). */
  private final long touchIntervalMillis;
  /** A real hash to verify against for unknown users, so timing does not reveal which names exist. */
  private final String dummyHash;

  public AccountService(
      Database db, Clock clock, RandomSource random, PasswordHasher hasher, Settings settings, LiveSessions live,
      Metrics metrics) {
    this.db = db;
    this.clock = clock;
    this.random = random;
    this.hasher = hasher;
    this.settings = settings;
    this.live = live;
    this.lockout = new LoginLockout(clock, settings.failuresBeforeLockout(), settings.firstLockout(),
        settings.maxLockout(), 100_000);
    this.perAddress = new RateLimiter(clock, settings.loginAttemptsPerAddress(), settings.loginWindow().toMillis(),
        100_000);
    this.registrations = new RateLimiter(clock, settings.registrationsPerAddress(),
        settings.registrationWindow().toMillis(), 100_000);
    this.metrics = metrics;
    this.activity = user -> { };
    this.touchIntervalMillis = Math.max(1, Math.min(60_000, settings.tokenIdle().toMillis() / 10));
    this.dummyHash = hasher.hash("not-a-real-password".toCharArray());
  }

  /**
   * Tells {@code listener} the user id of every successful login and token check (the daily
   * active-user count). It runs on the request's thread and must not throw.
   */
  public void onActivity(java.util.function.Consumer<String> listener) {
    this.activity = java.util.Objects.requireNonNull(listener, "listener");
  }

  /** Cluster mode: login lockout records are kept in {@code store}, shared by every node. */
  public void shareLockout(LoginLockout.Shared store) {
    lockout.share(store);
  }

  /** Cluster mode: the per-address login and registration budgets are kept in {@code store}. */
  public void shareRateLimits(RateLimiter.Shared store) {
    perAddress.share(store, "login:");
    registrations.share(store, "register:");
  }

  /** The result of a successful login: the bearer token (shown once) and its expiry. */
  public record Session(String userId, String token, long expiresAt) {}

  public static String normalizeUsername(String username) {
    if (username == null) {
      throw ServiceException.badRequest("username is required");
    }
    String u = username.strip().toLowerCase(Locale.ROOT);
    if (!USERNAME.matcher(u).matches()) {
      throw new ServiceException(
          "invalid_username", 400, "username must be 3-32 characters of a-z, 0-9, '.', '_', '-'");
    }
    return u;
  }

  private static void checkPassword(char[] password) {
    if (password == null || password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
      throw new ServiceException(
          "weak_password", 400, "password must be " + MIN_PASSWORD + "-" + MAX_PASSWORD + " characters");
    }
  }

  // ---------------------------------------------------------------- registration

  /** Creates an account without limits (administrators, the {@code create-admin} command, hosts). */
  public String register(String username, char[] password, boolean admin) {
    return create(normalizeUsername(username), password, admin, null);
  }

  /**
   * Self-service registration from {@code address}: rate limited per address
   * ({@code rate_limited}, 429) and, on an invite-only server, only with an unused invite code
   * ({@code invite_required}, 403).
   */
  public String registerFrom(String username, char[] password, String invite, String address) {
    String user = normalizeUsername(username);
    checkPassword(password);
    long wait = registrations.tryAcquire(address == null ? "?" : address);
    if (wait > 0) {
      throw new ServiceException("rate_limited", 429, "too many registrations from this address; retry later", wait);
    }
    if (settings.inviteOnly() && (invite == null || invite.isBlank() || invite.length() > 64)) {
      throw ServiceException.forbidden("invite_required", "this server registers new accounts by invitation only");
    }
    return create(user, password, false, settings.inviteOnly() ? invite.strip() : null);
  }

  private String create(String user, char[] password, boolean admin, String invite) {
    checkPassword(password);
    String hash = hasher.hash(password);
    long now = clock.millis();
    boolean created = db.inTransaction(h -> {
      if (Accounts.exists(h, user) || Accounts.isRetired(h, user)) {
        return false; // checked first, so the invite stays unused
      }
      if (invite != null && !Accounts.useInvite(h, secretHash("invite", invite), user, now)) {
        throw ServiceException.forbidden("invite_required", "unknown, used or expired invite code");
      }
      return Accounts.insert(h, user, hash, admin, now);
    });
    if (!created) {
      throw new ServiceException("username_taken", 409, "username is already taken");
    }
    LOG.info("registered account {}", user);
    return user;
  }

  /** Creates a single-use registration invite valid for {@code ttl}; returns the code (shown once). */
  public String createInvite(String createdBy, Duration ttl) {
    String code = "inv-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random.bytes(16));
    long now = clock.millis();
    db.useTransaction(h -> Accounts.insertInvite(h, secretHash("invite", code), createdBy, now, now + ttl.toMillis()));
    return code;
  }

  // ---------------------------------------------------------------- login

  public Session login(String username, char[] password, String secondFactor, String address) {
    String addr = address == null ? "?" : address;
    String user;
    try {
      user = normalizeUsername(username);
    } catch (ServiceException e) {
      metrics.authFailure();
      throw invalidCredentials();
    }
    long waitAddr = perAddress.tryAcquire(addr);
    if (waitAddr > 0) {
      metrics.authFailure();
      throw new ServiceException("rate_limited", 429, "too many login attempts from this address; retry later",
          waitAddr);
    }
    long locked = lockout.lockedFor(user, addr);
    if (locked > 0) {
      metrics.authFailure();
      throw new ServiceException("rate_limited", 429, "too many failed logins; retry later", locked);
    }
    Optional<Accounts.Account> account = db.withHandle(h -> Accounts.find(h, user));
    boolean passwordOk = hasher.verify(password, account.map(Accounts.Account::passwordHash).orElse(dummyHash))
        && account.isPresent();
    boolean totp = account.isPresent() && account.get().totpSecret() != null;
    if (totp && (secondFactor == null || secondFactor.isBlank())) {
      // Asked whatever the password was: the answer must not tell a guesser the password is right.
      throw new ServiceException("totp_required", 401, "a one-time code is required");
    }
    if (!passwordOk || (totp && !checkSecondFactor(user, account.get().totpSecret(), secondFactor))) {
      failed(user, addr);
      throw invalidCredentials();
    }
    lockout.success(user, addr);
    if (account.get().disabled()) {
      throw ServiceException.forbidden("account_disabled", "this account is disabled");
    }
    Session s = issueToken(user);
    activity.accept(user);
    return s;
  }

  private void failed(String user, String addr) {
    metrics.authFailure();
    long lock = lockout.failure(user, addr);
    if (lock > 0) {
      LOG.info("login for {} from {} locked for {} ms after repeated failures", user, addr, lock);
    }
  }

  private static ServiceException invalidCredentials() {
    return new ServiceException("invalid_credentials", 401, "wrong username, password or one-time code");
  }

  /**
   * Checks the password (and the second factor, when TOTP is on) of a signed-in user again before a
   * sensitive change; failures count towards the same lockout as logins. Refusals are
   * {@code invalid_credentials} (403), {@code totp_required} (403) or {@code rate_limited}.
   */
  public Accounts.Account reauthenticate(String user, char[] password, String secondFactor, String address) {
    String addr = address == null ? "?" : address;
    long locked = lockout.lockedFor(user, addr);
    if (locked > 0) {
      throw new ServiceException("rate_limited", 429, "too many failed attempts; retry later", locked);
    }
    Accounts.Account a = db.withHandle(h -> Accounts.find(h, user)).orElseThrow(() -> ServiceException.unauthorized(
        "account no longer exists"));
    if (password == null) {
      throw ServiceException.badRequest("password is required");
    }
    boolean ok = hasher.verify(password, a.passwordHash());
    if (ok && a.totpSecret() != null && (secondFactor == null || secondFactor.isBlank())) {
      throw ServiceException.forbidden("totp_required", "the current one-time code (or a recovery code) is required");
    }
    if (!ok || (a.totpSecret() != null && !checkSecondFactor(user, a.totpSecret(), secondFactor))) {
      failed(user, addr);
      throw ServiceException.forbidden("invalid_credentials", "wrong password or one-time code");
    }
    lockout.success(user, addr);
    return a;
  }

  /** A 6-digit TOTP code (each time step accepted once, persisted) or an unused recovery code. */
  private boolean checkSecondFactor(String user, byte[] secret, String code) {
    String c = code.strip();
    if (TOTP_CODE.matcher(c).matches()) {
      long step = Totp.matchStep(secret, c, clock.millis() / 1000);
      return step >= 0 && db.inTransaction(h -> Accounts.claimTotpStep(h, user, step));
    }
    String norm = c.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
    if (RECOVERY.matcher(norm).matches()) {
      boolean used = db.inTransaction(h -> Accounts.useRecoveryCode(h, user, recoveryHash(user, norm)));
      if (used) {
        LOG.info("account {} used a recovery code", user);
      }
      return used;
    }
    return false;
  }

  // ---------------------------------------------------------------- tokens

  /** Issues a new token for an already authenticated user. */
  public Session issueToken(String user) {
    byte[] raw = random.bytes(32);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    Arrays.fill(raw, (byte) 0);
    long now = clock.millis();
    long expires = now + settings.tokenTtl().toMillis();
    String hash = tokenHash(token);
    db.useTransaction(h -> Accounts.insertToken(h, hash, user, now, expires));
    return new Session(user, token, expires);
  }

  /**
   * The user a bearer token belongs to; {@code unauthorized} if unknown, revoked, expired, idle
   * longer than the idle timeout, or its account is disabled. Records the use (for idle expiry).
   */
  public String authenticate(String token) {
    if (token == null || token.isEmpty() || token.length() > 128) {
      metrics.authFailure();
      throw ServiceException.unauthorized("missing or invalid token");
    }
    String hash = tokenHash(token);
    long now = clock.millis();
    Optional<Accounts.TokenRow> row =
        db.withHandle(h -> Accounts.liveToken(h, hash, now, now - settings.tokenIdle().toMillis()));
    if (row.isEmpty()) {
      metrics.authFailure();
      throw ServiceException.unauthorized("invalid, expired or revoked token");
    }
    if (now - row.get().lastUsedAt() >= touchIntervalMillis) {
      db.useTransaction(h -> Accounts.touchToken(h, hash, now));
    }
    activity.accept(row.get().userId());
    return row.get().userId();
  }

  /** True if the token is still live (the second check of {@link LiveSessions}'s race rule); no side effects. */
  public boolean stillValid(String tokenHash) {
    long now = clock.millis();
    return db.withHandle(h -> Accounts.liveToken(h, tokenHash, now, now - settings.tokenIdle().toMillis()))
        .isPresent();
  }

  /** Revokes the token and ends the connections opened with it. */
  public boolean logout(String user, String token) {
    String hash = tokenHash(token);
    boolean revoked = db.inTransaction(h -> Accounts.revokeToken(h, hash));
    live.endToken(user, hash, "logged out");
    return revoked;
  }

  /** Revokes every token of {@code user} except {@code keepToken} (null: all) and ends their connections. */
  public int revokeOthers(String user, String keepToken) {
    String keep = keepToken == null ? "" : tokenHash(keepToken);
    int n = db.inTransaction(h -> Accounts.revokeOtherTokens(h, user, keep));
    live.endUser(user, keepToken == null ? null : keep, "session revoked");
    return n;
  }

  public int revokeAll(String user) {
    return revokeOthers(user, null);
  }

  /** Changes the password after re-authentication; revokes every other token (and its connections). */
  public int changePassword(String user, char[] current, char[] next, String secondFactor, String address,
      String keepToken) {
    checkPassword(next);
    reauthenticate(user, current, secondFactor, address);
    String hash = hasher.hash(next);
    db.useTransaction(h -> Accounts.setPassword(h, user, hash));
    LOG.info("account {} changed its password", user);
    return revokeOthers(user, keepToken);
  }

  /** Disables or enables an account; disabling revokes every token and ends every connection. */
  public void setDisabled(String user, boolean disabled) {
    boolean found = db.inTransaction(h -> {
      boolean ok = Accounts.setDisabled(h, user, disabled);
      if (ok && disabled) {
        Accounts.revokeAllTokens(h, user);
      }
      return ok;
    });
    if (!found) {
      throw ServiceException.notFound("no such user: " + user);
    }
    if (disabled) {
      live.endUser(user, null, "account disabled");
    }
    LOG.info("account {} {}", user, disabled ? "disabled" : "enabled");
  }

  /** Deletes the account row (callers leave its rooms first) and retires the name. */
  public void deleteRow(String user) {
    boolean deleted = db.inTransaction(h -> Accounts.delete(h, user, clock.millis()));
    live.endUser(user, null, "account deleted");
    if (!deleted) {
      throw ServiceException.notFound("no such user: " + user);
    }
    LOG.info("account {} deleted", user);
  }

  // ---------------------------------------------------------------- TOTP

  /**
   * Starts TOTP enrolment (or replacement) after re-authentication with the password and, when TOTP
   * is already on, a current code or recovery code: a fresh secret, pending until confirmed.
   */
  public byte[] beginTotp(String user, char[] password, String secondFactor, String address) {
    reauthenticate(user, password, secondFactor, address);
    byte[] secret = random.bytes(20);
    db.useTransaction(h -> Accounts.setTotpPending(h, user, secret));
    return secret;
  }

  /**
   * Activates the pending TOTP secret if {@code code} is valid for it (the code's time step is then
   * used up, also for login), and returns new recovery codes (shown once; stored hashed).
   */
  public List<String> confirmTotp(String user, String code) {
    Accounts.Account a =
        db.withHandle(h -> Accounts.find(h, user)).orElseThrow(() -> ServiceException.notFound("no such user"));
    if (a.totpPending() == null) {
      throw new ServiceException("totp_not_pending", 409, "start enrolment first");
    }
    long step = code == null ? -1 : Totp.matchStep(a.totpPending(), code.strip(), clock.millis() / 1000);
    if (step < 0) {
      throw new ServiceException("invalid_totp", 400, "wrong one-time code");
    }
    List<String> codes = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < RECOVERY_CODES; i++) {
      String norm = Totp.base32(random.bytes(10));
      codes.add(String.join("-", norm.substring(0, 4), norm.substring(4, 8), norm.substring(8, 12),
          norm.substring(12)));
      hashes.add(recoveryHash(user, norm));
    }
    long now = clock.millis();
    db.useTransaction(h -> {
      if (!Accounts.claimTotpStep(h, user, step)) {
        throw new ServiceException("invalid_totp", 400, "this code was already used; wait for the next one");
      }
      if (!Accounts.activateTotp(h, user, a.totpPending())) {
        throw new ServiceException("totp_not_pending", 409, "enrolment was restarted; confirm the newest secret");
      }
      Accounts.replaceRecoveryCodes(h, user, hashes, now);
    });
    LOG.info("account {} enabled TOTP", user);
    return codes;
  }

  /** Turns TOTP off after re-authentication with the password and a current or recovery code. */
  public void disableTotp(String user, char[] password, String secondFactor, String address) {
    Accounts.Account a = reauthenticate(user, password, secondFactor, address);
    if (a.totpSecret() == null && a.totpPending() == null) {
      throw new ServiceException("totp_not_enabled", 409, "TOTP is not enabled");
    }
    db.useTransaction(h -> Accounts.disableTotp(h, user));
    LOG.info("account {} disabled TOTP", user);
  }

  public int recoveryCodesLeft(String user) {
    return db.withHandle(h -> Accounts.recoveryCodesLeft(h, user));
  }

  public boolean exists(String user) {
    return db.withHandle(h -> Accounts.exists(h, user));
  }

  public boolean isAdmin(String user) {
    return db.withHandle(h -> Accounts.find(h, user)).map(Accounts.Account::admin).orElse(false);
  }

  /** SHA-256 of the token's UTF-8 bytes, hex. Tokens have 256 bits of entropy, so no salt is needed. */
  public static String tokenHash(String token) {
    return sha256Hex(token);
  }

  /** Recovery codes have 80 random bits: an unsalted hash (domain-separated per user) cannot be searched. */
  private static String recoveryHash(String user, String normalizedCode) {
    return secretHash("recovery:" + user, normalizedCode);
  }

  private static String secretHash(String domain, String secret) {
    return sha256Hex(domain + "\n" + secret);
  }

  private static String sha256Hex(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
