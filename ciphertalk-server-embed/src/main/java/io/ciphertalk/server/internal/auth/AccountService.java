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
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and authentication: registration with username rules, Argon2id password check, bearer
 * tokens (256 random bits, stored only as SHA-256 hashes), logout/revocation and expiry, optional
 * TOTP second factor, and login rate limits per account and per client address. Thread-safe;
 * every method does blocking database I/O, so call it off network threads.
 */
public final class AccountService {
  private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);

  /** 3 to 32 characters, lower case letters, digits, '.', '_' and '-', starting with a letter or digit. */
  public static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{2,31}");

  public static final int MIN_PASSWORD = 8;
  public static final int MAX_PASSWORD = 256;

  private final Database db;
  private final Clock clock;
  private final RandomSource random;
  private final PasswordHasher hasher;
  private final Duration tokenTtl;
  private final RateLimiter perAccount;
  private final RateLimiter perAddress;
  private final Metrics metrics;
  /** Last TOTP time step accepted per user (replay protection, RFC 6238 section 5.2); bounded. */
  private final java.util.Map<String, Long> lastTotpStep = new java.util.concurrent.ConcurrentHashMap<>();
  /** A real hash to verify against for unknown users, so timing does not reveal which names exist. */
  private final String dummyHash;

  public AccountService(
      Database db, Clock clock, RandomSource random, PasswordHasher hasher, Duration tokenTtl,
      int loginAttemptsPerAccount, int loginAttemptsPerAddress, Duration loginWindow, Metrics metrics) {
    this.db = db;
    this.clock = clock;
    this.random = random;
    this.hasher = hasher;
    this.tokenTtl = tokenTtl;
    this.perAccount = new RateLimiter(clock, loginAttemptsPerAccount, loginWindow.toMillis(), 100_000);
    this.perAddress = new RateLimiter(clock, loginAttemptsPerAddress, loginWindow.toMillis(), 100_000);
    this.metrics = metrics;
    this.dummyHash = hasher.hash("not-a-real-password".toCharArray());
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

  public String register(String username, char[] password, boolean admin) {
    String user = normalizeUsername(username);
    if (password == null || password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
      throw new ServiceException(
          "weak_password", 400, "password must be " + MIN_PASSWORD + "-" + MAX_PASSWORD + " characters");
    }
    String hash = hasher.hash(password);
    boolean created = db.inTransaction(h -> Accounts.insert(h, user, hash, admin, clock.millis()));
    if (!created) {
      throw new ServiceException("username_taken", 409, "username is already taken");
    }
    LOG.info("registered account {}", user);
    return user;
  }

  public Session login(String username, char[] password, String totpCode, String address) {
    String user;
    try {
      user = normalizeUsername(username);
    } catch (ServiceException e) {
      metrics.authFailure();
      throw new ServiceException("invalid_credentials", 401, "wrong username or password");
    }
    long waitAddr = perAddress.tryAcquire(address == null ? "?" : address);
    long waitUser = waitAddr == 0 ? perAccount.tryAcquire(user) : 0;
    if (waitAddr > 0 || waitUser > 0) {
      metrics.authFailure();
      throw new ServiceException(
          "rate_limited", 429, "too many login attempts; retry later", Math.max(waitAddr, waitUser));
    }
    Optional<Accounts.Account> account = db.withHandle(h -> Accounts.find(h, user));
    boolean ok = hasher.verify(password, account.map(Accounts.Account::passwordHash).orElse(dummyHash));
    if (account.isEmpty() || !ok) {
      metrics.authFailure();
      throw new ServiceException("invalid_credentials", 401, "wrong username or password");
    }
    byte[] totp = account.get().totpSecret();
    if (totp != null) {
      if (totpCode == null || totpCode.isBlank()) {
        throw new ServiceException("totp_required", 401, "a one-time code is required");
      }
      long step = Totp.matchStep(totp, totpCode.strip(), clock.millis() / 1000);
      if (step < 0 || !claimTotpStep(user, step)) {
        metrics.authFailure();
        throw new ServiceException("invalid_totp", 401, "wrong or already used one-time code");
      }
    }
    return issueToken(user);
  }

  /** Accepts each TOTP time step at most once per user. */
  private boolean claimTotpStep(String user, long step) {
    if (lastTotpStep.size() > 100_000) {
      lastTotpStep.clear(); // steps older than 90 s are useless to an attacker anyway
    }
    boolean[] ok = new boolean[1];
    lastTotpStep.compute(user, (k, last) -> {
      if (last != null && step <= last) {
        return last;
      }
      ok[0] = true;
      return step;
    });
    return ok[0];
  }

  /** Issues a new token for an already authenticated user. */
  public Session issueToken(String user) {
    byte[] raw = random.bytes(32);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    java.util.Arrays.fill(raw, (byte) 0);
    long now = clock.millis();
    long expires = now + tokenTtl.toMillis();
    String hash = tokenHash(token);
    db.useTransaction(h -> Accounts.insertToken(h, hash, user, now, expires));
    return new Session(user, token, expires);
  }

  /** The user a bearer token belongs to; {@code unauthorized} if unknown, revoked or expired. */
  public String authenticate(String token) {
    if (token == null || token.isEmpty() || token.length() > 128) {
      metrics.authFailure();
      throw ServiceException.unauthorized("missing or invalid token");
    }
    String hash = tokenHash(token);
    long now = clock.millis();
    Optional<String> user = db.withHandle(h -> Accounts.tokenUser(h, hash, now));
    if (user.isEmpty()) {
      metrics.authFailure();
      throw ServiceException.unauthorized("invalid, expired or revoked token");
    }
    return user.get();
  }

  public boolean logout(String token) {
    String hash = tokenHash(token);
    return db.inTransaction(h -> Accounts.revokeToken(h, hash));
  }

  public int revokeAll(String user) {
    return db.inTransaction(h -> Accounts.revokeAllTokens(h, user));
  }

  /** Starts TOTP enrolment: a fresh secret, pending until confirmed with a valid code. */
  public byte[] beginTotp(String user) {
    byte[] secret = random.bytes(20);
    db.useTransaction(h -> Accounts.setTotpPending(h, user, secret));
    return secret;
  }

  /** Activates the pending TOTP secret if {@code code} is valid for it. */
  public void confirmTotp(String user, String code) {
    Accounts.Account a =
        db.withHandle(h -> Accounts.find(h, user)).orElseThrow(() -> ServiceException.notFound("no such user"));
    if (a.totpPending() == null) {
      throw new ServiceException("totp_not_pending", 409, "start enrolment first");
    }
    if (!Totp.verify(a.totpPending(), code, clock.millis() / 1000)) {
      throw new ServiceException("invalid_totp", 401, "wrong one-time code");
    }
    db.useTransaction(h -> Accounts.activateTotp(h, user, a.totpPending()));
  }

  public boolean exists(String user) {
    return db.withHandle(h -> Accounts.exists(h, user));
  }

  /** SHA-256 of the token's UTF-8 bytes, hex. Tokens have 256 bits of entropy, so no salt is needed. */
  public static String tokenHash(String token) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
