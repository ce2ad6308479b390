package io.ciphertalk.e2e;

import static io.ciphertalk.e2e.Recorder.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.MessageStatus;
import io.ciphertalk.core.model.SendState;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.core.store.LocalStore;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The send state of a message in the public API: {@code QUEUED} when {@code send} returns,
 * {@code SENT} once the server committed it, {@code DELIVERED} and {@code READ} from the
 * recipient's receipts, {@code FAILED} with the reason when it cannot go out; each change is an
 * event, and the state is kept in the store with the message.
 */
class SendStateTest {
  @TempDir Path dir;
  CipherTalkServer server;
  URI http;
  final List<CipherTalkClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = CipherTalkServer.builder().wsPort(-1).httpPort(0).bindAddress("127.0.0.1")
        .inMemoryDatabase().passwordHashing(64, 1).build().start();
    http = URI.create("http://127.0.0.1:" + server.httpPort() + "/");
  }

  @AfterEach
  void stop() {
    clients.forEach(CipherTalkClient::close);
    server.close();
  }

  CipherTalkClient client(Recorder r, LocalStore store) {
    CipherTalkClient.Builder b = CipherTalkClient.builder()
        .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), http).listener(r);
    if (store != null) {
      b.store(store);
    }
    CipherTalkClient c = b.build();
    clients.add(c);
    return c;
  }

  static List<MessageStatus> statuses(Recorder r, MessageId id) {
    return r.all(ChatEvent.MessageStatusChanged.class, e -> e.messageId().equals(id)).stream()
        .map(e -> e.state().status()).toList();
  }

  static Optional<SendState> stateInHistory(Room room, MessageId id) {
    return room.history(50).stream().filter(m -> m.id().equals(id)).findFirst()
        .flatMap(Message::sendState);
  }

  @Test
  void aMessage_goesQueuedSentDeliveredRead_withAnEventForEach_andHistoryShowsIt()
      throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = client(ra, null);
    CipherTalkClient bob = client(rb, null);
    alice.register("alice", "alice-password");
    bob.register("bob", "bob-password-1");
    alice.connect();
    bob.connect();
    Room room = alice.privateRoom("bob");
    awaitTrue(() -> bob.room(room.id()).isPresent(), "bob knows the room");

    // Bob offline: nothing but the server's answer can move the message on.
    bob.disconnect();
    MessageId id = room.send("how far did this get?");
    awaitTrue(() -> statuses(ra, id).contains(MessageStatus.SENT), "sent");
    assertThat(statuses(ra, id)).containsExactly(MessageStatus.QUEUED, MessageStatus.SENT);
    assertThat(stateInHistory(room, id)).contains(SendState.of(MessageStatus.SENT));

    bob.connect();
    awaitTrue(() -> statuses(ra, id).contains(MessageStatus.DELIVERED), "delivered");
    rb.awaitText("how far did this get?");
    bob.room(room.id()).orElseThrow().markRead();
    awaitTrue(() -> statuses(ra, id).contains(MessageStatus.READ), "read");

    assertThat(statuses(ra, id)).containsExactly(MessageStatus.QUEUED, MessageStatus.SENT,
        MessageStatus.DELIVERED, MessageStatus.READ);
    assertThat(stateInHistory(room, id)).contains(SendState.of(MessageStatus.READ));
    // The receiver has no send state for a message it did not send.
    assertThat(bob.room(room.id()).orElseThrow().history(10)).extracting(Message::sendState)
        .containsOnly(Optional.empty());
  }

  @Test
  void aMessageToARoomTheSenderWasRemovedFrom_whileOffline_failsWithTheReason_andStaysFailed()
      throws Exception {
    Recorder ra = new Recorder("alice");
    Recorder rb = new Recorder("bob");
    CipherTalkClient alice = client(ra, JdbiLocalStore.builder().file(dir.resolve("alice"))
        .key(SecretBytes.random(32, io.ciphertalk.crypto.RandomSource.secure())).open());
    CipherTalkClient bob = client(rb, null);
    alice.register("alice", "alice-password");
    bob.register("bob", "bob-password-1");
    alice.connect();
    bob.connect();
    Room group = bob.createGroup("bob's group", Set.of("alice"));
    awaitTrue(() -> alice.room(group.id()).isPresent(), "alice knows the group");
    Room aliceGroup = alice.room(group.id()).orElseThrow();

    alice.disconnect();
    group.remove("alice");
    MessageId id = aliceGroup.send("too late");
    // Events reach listeners on the callback executor, so the QUEUED one may come just after send.
    awaitTrue(() -> !statuses(ra, id).isEmpty(), "queued event");
    assertThat(statuses(ra, id)).containsExactly(MessageStatus.QUEUED);
    assertThat(stateInHistory(aliceGroup, id)).contains(SendState.of(MessageStatus.QUEUED));

    alice.connect();
    ChatEvent.MessageStatusChanged failed = ra.await(ChatEvent.MessageStatusChanged.class,
        e -> e.messageId().equals(id) && e.state().status() == MessageStatus.FAILED);
    assertThat(failed.state().failureReason()).contains("not_member");
    assertThat(failed.roomId()).isEqualTo(group.id());
    assertThat(statuses(ra, id)).containsExactly(MessageStatus.QUEUED, MessageStatus.FAILED);
    assertThat(rb.sawText("too late")).isFalse();
  }
}
