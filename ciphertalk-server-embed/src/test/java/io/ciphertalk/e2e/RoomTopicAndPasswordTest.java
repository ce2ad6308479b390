package io.ciphertalk.e2e;

import static io.ciphertalk.e2e.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.Room;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Room topics and password changes through the SDK's public API, end to end over real WebSockets
 * and HTTP against the embedded server.
 */
class RoomTopicAndPasswordTest {
  private CipherTalkServer server;
  private final List<CipherTalkClient> clients = new ArrayList<>();

  @BeforeEach
  void startServer() {
    server = CipherTalkServer.builder().wsPort(0).httpPort(0).inMemoryDatabase()
        .passwordHashing(64, 1).build().start();
  }

  @AfterEach
  void stop() {
    clients.forEach(CipherTalkClient::close);
    server.close();
  }

  private CipherTalkClient client(Recorder r, int device) {
    CipherTalkClient c = CipherTalkClient.builder()
        .serverUri(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"),
            URI.create("http://127.0.0.1:" + server.httpPort() + "/"))
        .deviceId(device).listener(r).build();
    clients.add(c);
    return c;
  }

  @Test
  void topic_setByTheOwner_reachesEveryMember_butMembersCannotSetIt_andItIsBounded()
      throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    Recorder rc = new Recorder("carol");
    CipherTalkClient alice = client(ra, 1);
    CipherTalkClient bob = client(rb, 1);
    CipherTalkClient carol = client(rc, 1);
    alice.register("alice", "password-alice");
    bob.register("bob", "password-bob");
    carol.register("carol", "password-carol");
    alice.connect();
    bob.connect();
    carol.connect();
    Room team = alice.createGroup("team", Set.of("bob", "carol"));
    assertThat(team.topic()).isEmpty();
    awaitTrue(() -> bob.room(team.id()).isPresent(), "bob has the room");
    Room bobsView = bob.room(team.id()).orElseThrow();

    assertThatThrownBy(() -> bobsView.setTopic("bob was here"))
        .isInstanceOf(RequestFailedException.class)
        .satisfies(e -> assertThat(((RequestFailedException) e).code()).isEqualTo("forbidden"));
    assertThatThrownBy(() -> team.setTopic("x".repeat(Room.MAX_TOPIC_CHARS + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
    assertThatThrownBy(() -> team.setTopic("two\nlines"))
        .isInstanceOf(IllegalArgumentException.class);
    Room dm = alice.privateRoom("bob");
    assertThatThrownBy(() -> dm.setTopic("ours")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("private room");

    team.setTopic("release on friday");
    assertThat(team.topic()).isEqualTo("release on friday");
    for (Recorder r : List.of(rb, rc)) {
      ChatEvent.RoomTopicChanged e = r.await(ChatEvent.RoomTopicChanged.class,
          t -> t.topic().equals("release on friday"));
      assertThat(e.roomId()).isEqualTo(team.id());
      assertThat(e.byUserId()).isEqualTo("alice");
      assertThat(e.name()).isEqualTo("team");
    }
    assertThat(bobsView.topic()).isEqualTo("release on friday");
    assertThat(bobsView.name()).isEqualTo("team");
    assertThat(rb.all(ChatEvent.RoomTopicChanged.class)).as("bob's refused try changed nothing")
        .noneMatch(e -> e.topic().contains("bob was here"));

    // An admin may set it too, and "" clears it; a member who joins later reads it from the room.
    team.setRole("bob", io.ciphertalk.core.model.Role.ADMIN);
    bobsView.setTopic("");
    ra.await(ChatEvent.RoomTopicChanged.class, t -> t.topic().isEmpty() && t.byUserId().equals("bob"));
    assertThat(team.topic()).isEmpty();
    // Room events are live only: carol, offline meanwhile, reads the topic when she reconnects.
    carol.disconnect();
    team.setTopic("back to work");
    carol.connect();
    awaitTrue(() -> carol.room(team.id()).orElseThrow().topic().equals("back to work"),
        "carol's room has the topic set while she was offline");
    Recorder rd = new Recorder("dave");
    CipherTalkClient dave = client(rd, 1);
    dave.register("dave", "password-dave");
    dave.connect();
    team.invite("dave");
    awaitTrue(() -> dave.room(team.id()).isPresent(), "dave has the room");
    assertThat(dave.room(team.id()).orElseThrow().topic()).isEqualTo("back to work");
  }

  @Test
  void changePassword_keepsThisDevicesSession_endsTheOtherDevices_andTheNewPasswordSignsIn()
      throws Exception {
    Recorder ra1 = new Recorder("alice.1");
    Recorder ra2 = new Recorder("alice.2");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice1 = client(ra1, 1);
    CipherTalkClient alice2 = client(ra2, 2);
    CipherTalkClient bob = client(rb, 1);
    alice1.register("alice", "password-alice");
    alice1.connect();
    bob.register("bob", "password-bob");
    bob.connect();
    alice2.login("alice", "password-alice");
    alice2.connect();
    Recorder.link(alice2, ra2, alice1);

    assertThatThrownBy(() -> alice1.changePassword("a wrong guess", "a new long password", null))
        .isInstanceOf(AuthenticationException.class).hasMessageStartingWith("invalid_credentials");
    assertThatThrownBy(() -> alice1.changePassword("password-alice", "short", null))
        .isInstanceOf(AuthenticationException.class).hasMessageStartingWith("weak_password");
    assertThat(ra2.all(ChatEvent.SessionEnded.class)).as("refused changes end nothing").isEmpty();

    assertThat(alice1.changePassword("password-alice", "a new long password", null)).isEqualTo(1);
    ra2.await(ChatEvent.SessionEnded.class, e -> true);
    assertThat(alice1.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    alice1.privateRoom("bob").send("still signed in");
    rb.awaitText("still signed in");

    assertThatThrownBy(() -> alice2.login("alice", "password-alice"))
        .isInstanceOf(AuthenticationException.class);
    alice2.login("alice", "a new long password");
    alice2.connect();
    assertThat(alice2.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }
}
