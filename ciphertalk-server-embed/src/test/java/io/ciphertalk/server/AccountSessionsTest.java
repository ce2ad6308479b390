package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.account;
import static io.ciphertalk.server.TestServers.http;
import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.wire.ErrorCode;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.RoomChange;
import io.ciphertalk.server.TestServers.Response;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sessions as an attacker with a stolen token meets them: revocation reaches live sockets too. */
class AccountSessionsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private CipherTalkServer server;

  @BeforeEach
  void start() {
    server = TestServers.builder().clock(clock).tokenTtl(Duration.ofHours(10)).tokenIdleTimeout(Duration.ofHours(1))
        .build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String login(String user, String password) throws Exception {
    Response r = http(server, "POST", "/api/login", null, json("username", user, "password", password));
    assertThat(r.status()).as("login %s: %s", user, r.body()).isEqualTo(200);
    return r.body().get("token").asText();
  }

  private static void assertEndedBy4001(RawClient c) {
    assertThat(c.awaitClosed(Duration.ofSeconds(10))).as("socket closed").isTrue();
    assertThat(c.closeCode).isEqualTo(4001);
  }

  private static void assertWorks(RawClient c) throws Exception {
    assertThat(c.call(Frame.RoomList::new)).isInstanceOf(Frame.RoomsReply.class);
  }

  private Frame helloWith(String token, int device) throws Exception {
    try (RawClient c = RawClient.connect(server, "/ws")) {
      return c.call(id -> new Frame.Hello(id, token, device, "test"));
    }
  }

  @Test
  void logout_closesTheLiveSocketOfThatToken_andTheTokenCannotOpenAnother_whileOtherSessionsWork() throws Exception {
    String stolen = account(server, "alice");
    String laptop = login("alice", "password-alice");
    try (RawClient attacker = RawClient.login(server, stolen, 1); RawClient owner = RawClient.login(server, laptop, 2)) {
      assertThat(http(server, "POST", "/api/logout", stolen, null).status()).isEqualTo(200);
      assertEndedBy4001(attacker);
      assertWorks(owner);
    }
    Frame again = helloWith(stolen, 1);
    assertThat(again).isInstanceOf(Frame.ErrorReply.class);
    assertThat(((Frame.ErrorReply) again).code()).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(http(server, "GET", "/api/rooms/", stolen, null).status()).isEqualTo(401);
    assertThat(http(server, "GET", "/api/rooms/", laptop, null).status()).isEqualTo(200);
  }

  @Test
  void revokeAll_endsEveryOtherSessionAndSocket_butKeepsTheCaller() throws Exception {
    String stolen = account(server, "alice");
    String stolenToo = login("alice", "password-alice");
    String mine = login("alice", "password-alice");
    try (RawClient a1 = RawClient.login(server, stolen, 1); RawClient a2 = RawClient.login(server, stolenToo, 2);
        RawClient me = RawClient.login(server, mine, 3)) {
      Response r = http(server, "POST", "/api/sessions/revoke-all", mine, null); // no body: the defaults
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().get("revoked").asInt()).isEqualTo(2);
      assertEndedBy4001(a1);
      assertEndedBy4001(a2);
      assertWorks(me);
    }
    assertThat(http(server, "GET", "/api/rooms/", stolen, null).status()).isEqualTo(401);
    assertThat(http(server, "GET", "/api/rooms/", stolenToo, null).status()).isEqualTo(401);
    assertThat(http(server, "GET", "/api/rooms/", mine, null).status()).isEqualTo(200);

    Response all = http(server, "POST", "/api/sessions/revoke-all", mine, json("includeCurrent", true));
    assertThat(all.body().get("revoked").asInt()).isEqualTo(1);
    assertThat(http(server, "GET", "/api/rooms/", mine, null).status()).isEqualTo(401);
  }

  @Test
  void changePassword_withoutTheCurrentPassword_isRefused_andWithIt_revokesEveryOtherToken() throws Exception {
    String stolen = account(server, "alice");
    String mine = login("alice", "password-alice");
    try (RawClient attacker = RawClient.login(server, stolen, 1)) {
      Response noCurrent = http(server, "POST", "/api/password", stolen, json("newPassword", "attacker's choice"));
      assertThat(noCurrent.status()).isEqualTo(400);
      assertThat(noCurrent.body().get("error").asText()).isEqualTo("missing_field");
      Response wrong = http(server, "POST", "/api/password", stolen,
          json("currentPassword", "a wrong guess", "newPassword", "attacker's choice"));
      assertThat(wrong.status()).isEqualTo(403);
      assertThat(wrong.body().get("error").asText()).isEqualTo("invalid_credentials");
      assertWorks(attacker);

      Response weak = http(server, "POST", "/api/password", mine,
          json("currentPassword", "password-alice", "newPassword", "short"));
      assertThat(weak.body().get("error").asText()).isEqualTo("weak_password");
      Response ok = http(server, "POST", "/api/password", mine,
          json("currentPassword", "password-alice", "newPassword", "a new long password"));
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body().get("revoked").asInt()).isEqualTo(1);
      assertEndedBy4001(attacker);
    }
    assertThat(http(server, "GET", "/api/rooms/", stolen, null).status()).isEqualTo(401);
    assertThat(http(server, "GET", "/api/rooms/", mine, null).status()).isEqualTo(200);
    assertThat(http(server, "POST", "/api/login", null, json("username", "alice", "password", "password-alice"))
        .status()).isEqualTo(401);
    login("alice", "a new long password");
  }

  @Test
  void disabledAccount_losesItsSockets_cannotLogIn_untilAnAdminEnablesIt() throws Exception {
    String token = account(server, "alice");
    try (RawClient a = RawClient.login(server, token, 1)) {
      Response wrong = http(server, "POST", "/api/account/disable", token, json("password", "guess guess"));
      assertThat(wrong.status()).isEqualTo(403);
      assertWorks(a);
      assertThat(http(server, "POST", "/api/account/disable", token, json("password", "password-alice")).status())
          .isEqualTo(200);
      assertEndedBy4001(a);
    }
    Response refused = http(server, "POST", "/api/login", null, json("username", "alice", "password", "password-alice"));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().get("error").asText()).isEqualTo("account_disabled");
    Response wrongPassword = http(server, "POST", "/api/login", null, json("username", "alice", "password", "nope nope"));
    assertThat(wrongPassword.body().get("error").asText()).as("no hint without the password")
        .isEqualTo("invalid_credentials");

    server.enableAccount("alice");
    try (RawClient a = RawClient.login(server, login("alice", "password-alice"), 1)) {
      assertWorks(a);
    }
  }

  @Test
  void adminDisable_endsTheUsersSockets_evenWithATokenStillInHand() throws Exception {
    String token = account(server, "alice");
    try (RawClient a = RawClient.login(server, token, 1)) {
      server.disableAccount("alice");
      assertEndedBy4001(a);
    }
    assertThat(helloWith(token, 1)).isInstanceOf(Frame.ErrorReply.class);
  }

  @Test
  void adminEndpoints_disableARunningUser_andMakeInvites_butRefuseOrdinaryUsers() throws Exception {
    String alice = account(server, "alice");
    server.createAccount("root", "the admin's password".toCharArray(), true);
    String root = login("root", "the admin's password");
    Response notAdmin = http(server, "POST", "/api/admin/accounts/root/disable", alice, "{}");
    assertThat(notAdmin.status()).isEqualTo(403);
    assertThat(http(server, "POST", "/api/invites", alice, "{}").status()).isEqualTo(403);
    try (RawClient a = RawClient.login(server, alice, 1)) {
      assertThat(http(server, "POST", "/api/admin/accounts/alice/disable", root, "{}").status()).isEqualTo(200);
      assertEndedBy4001(a);
    }
    assertThat(http(server, "POST", "/api/admin/accounts/alice/enable", root, "{}").status()).isEqualTo(200);
    login("alice", "password-alice");
    Response invite = http(server, "POST", "/api/invites", root, json("ttlHours", 2));
    assertThat(invite.status()).isEqualTo(201);
    assertThat(invite.body().get("invite").asText()).startsWith("inv-");
    assertThat(http(server, "POST", "/api/invites", root, json("ttlHours", 100_000)).status()).isEqualTo(400);
  }

  @Test
  void deletedAccount_leavesItsRooms_handsOnOwnership_andItsNameCannotBeRegisteredAgain() throws Exception {
    String alice = account(server, "alice");
    String bob = account(server, "bob");
    try (RawClient a = RawClient.login(server, alice, 1); RawClient b = RawClient.login(server, bob, 1)) {
      String room = Fixtures.createRoom(a, RoomKind.GROUP, "team", "bob").room().roomId();
      b.awaitType(Frame.RoomEvent.class);
      assertThat(http(server, "POST", "/api/account/delete", alice, json("password", "password-alice")).status())
          .isEqualTo(200);
      assertEndedBy4001(a);
      Frame.RoomEvent left = (Frame.RoomEvent) b.await(
          f -> f instanceof Frame.RoomEvent e && e.change() == RoomChange.MEMBER_LEFT, Duration.ofSeconds(10));
      assertThat(left.users()).containsExactly("alice");
      Frame.RoomReply now = (Frame.RoomReply) b.call(id -> new Frame.RoomGet(id, room));
      assertThat(now.room().members()).singleElement().satisfies(m -> {
        assertThat(m.user()).isEqualTo("bob");
        assertThat(m.role()).isEqualTo(Role.OWNER);
      });
    }
    Response again = http(server, "POST", "/api/register", null, json("username", "alice", "password", "impostor pass"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().get("error").asText()).isEqualTo("username_taken");
    Response login = http(server, "POST", "/api/login", null, json("username", "alice", "password", "password-alice"));
    assertThat(login.status()).isEqualTo(401);
    Response send = http(server, "POST", "/api/add-contact/", bob, json("username", "alice"));
    assertThat(send.status()).isEqualTo(404);
  }

  @Test
  void token_expiresWhenIdle_andAtTheEndOfItsLifetime_evenIfUsed() throws Exception {
    String idle = account(server, "alice");
    String busy = login("alice", "password-alice");
    for (int i = 0; i < 9; i++) { // 9 x 50 min of regular use: alive, while the idle one dies after 1 h
      clock.advance(Duration.ofMinutes(50));
      assertThat(http(server, "GET", "/api/rooms/", busy, null).status()).as("use %d", i).isEqualTo(200);
      if (i == 0) {
        assertThat(http(server, "GET", "/api/rooms/", idle, null).status()).isEqualTo(200);
      }
      if (i == 2) {
        assertThat(http(server, "GET", "/api/rooms/", idle, null).status()).as("idle 100 min").isEqualTo(401);
        assertThat(helloWith(idle, 1)).isInstanceOf(Frame.ErrorReply.class);
      }
    }
    clock.advance(Duration.ofMinutes(50)); // 500 min: still inside the 10 h lifetime
    assertThat(http(server, "GET", "/api/rooms/", busy, null).status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(100)); // past 10 h, though it was used 100 min ago... 
    assertThat(http(server, "GET", "/api/rooms/", busy, null).status()).isEqualTo(401);
  }
}
