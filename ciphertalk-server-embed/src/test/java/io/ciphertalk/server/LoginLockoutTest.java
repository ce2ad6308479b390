package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.FromAddress.Reply;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Password guessing and registration floods from one address, while the owner (another address)
 * keeps working. Addresses are loopback aliases: the attacker is 127.0.0.2, the owner 127.0.0.3.
 */
class LoginLockoutTest {
  private static final String ATTACKER = "127.0.0.2";
  private static final String OWNER = "127.0.0.3";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private CipherTalkServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Reply login(String from, String password) throws Exception {
    return FromAddress.post(server, from, "/api/login", null, json("username", "alice", "password", password));
  }

  @Test
  void attackerLockedOut_withExactRetryAfter_doublingEachTime_whileTheOwnerLogsInFromElsewhere() throws Exception {
    server = TestServers.builder().clock(clock).loginRateLimit(5, 10_000, Duration.ofMinutes(1))
        .loginLockout(Duration.ofMinutes(1), Duration.ofHours(1)).build().start();
    server.createAccount("alice", "the owner's password".toCharArray(), false);
    for (int i = 0; i < 5; i++) {
      assertThat(login(ATTACKER, "guess " + i).status()).isEqualTo(401);
    }
    Reply locked = login(ATTACKER, "guess 5");
    assertThat(locked.status()).isEqualTo(429);
    assertThat(locked.body().get("error").asText()).isEqualTo("rate_limited");
    assertThat(locked.headers().get("retry-after")).isEqualTo("60");
    // Even the right password is refused from the locked address...
    assertThat(login(ATTACKER, "the owner's password").status()).isEqualTo(429);
    // ...but the owner from another address gets in, and that success does not unlock the attacker.
    assertThat(login(OWNER, "the owner's password").status()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(59));
    assertThat(login(ATTACKER, "guess 6").status()).as("1 s before Retry-After").isEqualTo(429);
    assertThat(login(ATTACKER, "guess 6").headers().get("retry-after")).isEqualTo("1");
    clock.advance(Duration.ofSeconds(1));
    assertThat(login(ATTACKER, "guess 6").status()).as("at Retry-After the attempt is heard").isEqualTo(401);
    Reply doubled = login(ATTACKER, "guess 7");
    assertThat(doubled.status()).isEqualTo(429);
    assertThat(doubled.headers().get("retry-after")).isEqualTo("120");
    clock.advance(Duration.ofSeconds(120));
    assertThat(login(ATTACKER, "guess 7").status()).isEqualTo(401);
    assertThat(login(ATTACKER, "guess 8").headers().get("retry-after")).isEqualTo("240");
    assertThat(login(OWNER, "the owner's password").status()).isEqualTo(200);
  }

  @Test
  void retryAfter_isHonest_forALegitimateUserWhoMistypedFiveTimes() throws Exception {
    server = TestServers.builder().clock(clock).build().start();
    server.createAccount("alice", "the owner's password".toCharArray(), false);
    for (int i = 0; i < 5; i++) {
      login(OWNER, "typo " + i);
    }
    Reply locked = login(OWNER, "the owner's password");
    long wait = Long.parseLong(locked.headers().get("retry-after"));
    clock.advance(Duration.ofSeconds(wait));
    assertThat(login(OWNER, "the owner's password").status()).isEqualTo(200);
    // A success clears the record: the next typo does not lock at once.
    assertThat(login(OWNER, "typo again").status()).isEqualTo(401);
    assertThat(login(OWNER, "the owner's password").status()).isEqualTo(200);
  }

  @Test
  void passwordSpray_acrossManyAccounts_fromOneAddress_isRateLimited_whileOtherAddressesLogIn() throws Exception {
    // Per-account lockout never triggers here (one guess per account); the per-address budget does.
    server = TestServers.builder().clock(clock).loginRateLimit(5, 4, Duration.ofMinutes(5)).build().start();
    for (int i = 0; i < 6; i++) {
      server.createAccount("user" + i, ("password of user " + i).toCharArray(), false);
    }
    for (int i = 0; i < 4; i++) {
      Reply r = FromAddress.post(server, ATTACKER, "/api/login", null, json("username", "user" + i, "password", "Winter2026!"));
      assertThat(r.status()).as("guess %d", i).isEqualTo(401);
    }
    Reply refused = FromAddress.post(server, ATTACKER, "/api/login", null,
        json("username", "user4", "password", "Winter2026!"));
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.body().get("error").asText()).isEqualTo("rate_limited");
    long wait = Long.parseLong(refused.headers().get("retry-after"));
    assertThat(wait).isBetween(1L, 300L);
    // Even a right password is not heard from that address now...
    assertThat(FromAddress.post(server, ATTACKER, "/api/login", null,
        json("username", "user5", "password", "password of user 5")).status()).isEqualTo(429);
    // ...while the same accounts log in from elsewhere: no account was locked by the spray.
    for (int i = 0; i < 4; i++) {
      assertThat(FromAddress.post(server, OWNER, "/api/login", null,
          json("username", "user" + i, "password", "password of user " + i)).status()).as("user%d", i).isEqualTo(200);
    }
    clock.advance(Duration.ofSeconds(wait));
    assertThat(FromAddress.post(server, ATTACKER, "/api/login", null,
        json("username", "user5", "password", "password of user 5")).status()).as("after Retry-After").isEqualTo(200);
  }

  @Test
  void registrationFlood_fromOneAddress_isRateLimited_whileAnotherAddressRegisters() throws Exception {
    server = TestServers.builder().clock(clock).registrationRateLimit(3, Duration.ofHours(1)).build().start();
    for (int i = 0; i < 3; i++) {
      Reply r = FromAddress.post(server, ATTACKER, "/api/register", null,
          json("username", "bot" + i, "password", "password-bot"));
      assertThat(r.status()).isEqualTo(201);
    }
    Reply refused = FromAddress.post(server, ATTACKER, "/api/register", null,
        json("username", "bot3", "password", "password-bot"));
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.body().get("error").asText()).isEqualTo("rate_limited");
    assertThat(Long.parseLong(refused.headers().get("retry-after"))).isBetween(1L, 1200L);
    assertThat(FromAddress.post(server, OWNER, "/api/register", null,
        json("username", "carol", "password", "password-carol")).status()).isEqualTo(201);
    clock.advance(Duration.ofSeconds(Long.parseLong(refused.headers().get("retry-after"))));
    assertThat(FromAddress.post(server, ATTACKER, "/api/register", null,
        json("username", "bot3", "password", "password-bot")).status()).isEqualTo(201);
  }

  @Test
  void inviteOnly_registersOnlyWithAnUnusedInvite() throws Exception {
    server = TestServers.builder().clock(clock).inviteOnly(true).build().start();
    Reply none = FromAddress.post(server, OWNER, "/api/register", null,
        json("username", "carol", "password", "password-carol"));
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.body().get("error").asText()).isEqualTo("invite_required");
    Reply forged = FromAddress.post(server, OWNER, "/api/register", null,
        json("username", "carol", "password", "password-carol", "invite", "inv-made-up"));
    assertThat(forged.status()).isEqualTo(403);
    String invite = server.createInvite(Duration.ofDays(1));
    assertThat(FromAddress.post(server, OWNER, "/api/register", null,
        json("username", "carol", "password", "password-carol", "invite", invite)).status()).isEqualTo(201);
    assertThat(FromAddress.post(server, OWNER, "/api/register", null,
        json("username", "dan", "password", "password-dan", "invite", invite)).status()).as("used").isEqualTo(403);
    String late = server.createInvite(Duration.ofHours(1));
    clock.advance(Duration.ofHours(1));
    assertThat(FromAddress.post(server, OWNER, "/api/register", null,
        json("username", "dan", "password", "password-dan", "invite", late)).status()).as("expired").isEqualTo(403);
  }
}
