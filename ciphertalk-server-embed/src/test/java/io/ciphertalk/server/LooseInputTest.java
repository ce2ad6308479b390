package io.ciphertalk.server;

import static io.ciphertalk.server.TestServers.account;
import static io.ciphertalk.server.TestServers.b64;
import static io.ciphertalk.server.TestServers.http;
import static io.ciphertalk.server.TestServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.ErrorCode;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.server.TestServers.Response;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loose REST inputs of the attack report, each refused with a typed error naming the field,
 * while the same requests done right keep working.
 */
class LooseInputTest {
  private CipherTalkServer server;
  private String alice;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().build().start();
    alice = account(server, "alice");
    account(server, "bob");
    assertThat(http(server, "POST", "/api/rooms/", alice, json("id", "team", "members", List.of("bob"))).status())
        .isEqualTo(201);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Response send(String body) throws Exception {
    return http(server, "POST", "/api/send-message/", alice, body);
  }

  private static void assertRefused(Response r, String error, String mentions) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
    assertThat(r.body().get("error").asText()).isEqualTo(error);
    assertThat(r.body().get("message").asText()).contains(mentions);
  }

  @Test
  void senderDevice_thatNeverConnected_isRefused_butAConnectedOneWorks() throws Exception {
    assertRefused(send(json("room", "team", "messageId", "01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5", "device", 77,
        "ciphertext", b64("x"))), "invalid_field", "device");
    try (RawClient c = RawClient.login(server, alice, 77)) {
      assertThat(c.call(Frame.RoomList::new)).isInstanceOf(Frame.RoomsReply.class);
    }
    assertThat(send(json("room", "team", "messageId", "01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5", "device", 77,
        "ciphertext", b64("x"))).status()).isEqualTo(201);
  }

  @Test
  void numbersOutOfRange_orFractional_areNotTruncated() throws Exception {
    assertRefused(send("{\"room\":\"team\",\"messageId\":\"01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5\","
        + "\"device\":4294967297,\"ciphertext\":\"eA\"}"), "invalid_field", "device");
    assertRefused(send("{\"room\":\"team\",\"messageId\":\"01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5\","
        + "\"device\":1.5,\"ciphertext\":\"eA\"}"), "invalid_field", "device");
    assertRefused(send("{\"room\":\"team\",\"messageId\":\"01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5\","
        + "\"device\":\"1\",\"ciphertext\":\"eA\"}"), "invalid_field", "device");
    assertRefused(send("{\"recipients\":[{\"username\":\"bob\",\"device\":4294967297,\"ciphertext\":\"eA\"}],"
        + "\"messageId\":\"01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5\"}"), "invalid_field", "device");
    assertRefused(http(server, "GET", "/api/messages/team/?device=4294967297", alice, null), "invalid_field",
        "device");
  }

  @Test
  void duplicateJsonKeys_areRefused() throws Exception {
    Response r = send("{\"room\":\"team\",\"room\":\"other\",\"messageId\":\"01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5\","
        + "\"ciphertext\":\"eA\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().get("error").asText()).isEqualTo("duplicate_field");
    Response login = http(server, "POST", "/api/login", null,
        "{\"username\":\"alice\",\"password\":\"wrong\",\"password\":\"password-alice\"}");
    assertThat(login.body().get("error").asText()).isEqualTo("duplicate_field");
  }

  @Test
  void roomIdOfDotsOnly_andNamesWithNulOrBidiOverride_areRefused_onRestAndWebSocket() throws Exception {
    assertRefused(http(server, "POST", "/api/rooms/", alice, json("id", "..")), "invalid_field", "room id");
    assertRefused(http(server, "POST", "/api/rooms/", alice, json("id", "r1", "name", "a\u0000b")), "invalid_field",
        "name");
    assertRefused(http(server, "POST", "/api/rooms/", alice, json("id", "r2", "name", "invoice\u202Efdp.exe")),
        "invalid_field", "name");
    assertRefused(http(server, "POST", "/api/add-contact/", alice, json("username", "bob", "nickname", "b\u202Eob")),
        "invalid_field", "nickname");
    try (RawClient c = RawClient.login(server, alice, 1)) {
      Frame r = c.call(id -> new Frame.RoomCreate(id, RoomKind.GROUP, "evil\u202Egnp.js", null, List.of(), null));
      assertThat(r).isInstanceOf(Frame.ErrorReply.class);
      assertThat(((Frame.ErrorReply) r).code()).isEqualTo(ErrorCode.INVALID_FIELD);
      assertThat(Fixtures.createRoom(c, RoomKind.GROUP, "Ünïcode is fine ✓")).isNotNull();
    }
    assertThat(http(server, "POST", "/api/rooms/", alice, json("id", "a.b", "name", "Team ✓")).status())
        .isEqualTo(201);
  }

  @Test
  void helloWithDeviceZero_isRefused_notWelcomedAsDeviceOne() throws Exception {
    try (RawClient c = RawClient.connect(server, "/ws")) {
      c.sendRaw("{\"v\":\"1.0\",\"type\":\"hello\",\"id\":\"h1\",\"token\":\"" + alice + "\",\"device\":0}");
      Frame r = c.awaitResponse(f -> true, java.time.Duration.ofSeconds(10));
      assertThat(r).isInstanceOf(Frame.ErrorReply.class);
      assertThat(((Frame.ErrorReply) r).code()).isEqualTo(ErrorCode.INVALID_FIELD);
      c.sendRaw("{\"v\":\"1.0\",\"type\":\"hello\",\"id\":\"h2\",\"token\":\"" + alice + "\",\"device\":4294967297}");
      Frame big = c.awaitResponse(f -> true, java.time.Duration.ofSeconds(10));
      assertThat(big).isInstanceOf(Frame.ErrorReply.class);
    }
  }
}
