package io.ciphertalk.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.MessageStatus;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.store.jdbi.Argon2Settings;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A device that was offline comes back to a queue far larger than the server's in-flight window
 * (1,000 deliveries per connection): everything arrives while it stays connected, exactly once, in
 * the order it was sent, for 1:1 and group rooms and with both client stores. Real WebSockets, a
 * file database on the server, two {@link CipherTalkClient}s driven through the public API only.
 *
 * <p>This is the scenario that stalled at exactly 1,000 messages: a catch-up pass that read the
 * queue with a full window ended "synced", so once the acknowledgements reopened the window nothing
 * delivered the rest until a reconnect.
 */
class CatchUpTest {
  static final int QUEUED = 10_000;
  static final Duration BOUND = Duration.ofSeconds(90);

  enum Store { IN_MEMORY, ENCRYPTED_FILE }

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  static Stream<Arguments> rooms() {
    return Stream.of(
        Arguments.of(RoomKind.PRIVATE, Store.IN_MEMORY),
        Arguments.of(RoomKind.PRIVATE, Store.ENCRYPTED_FILE),
        Arguments.of(RoomKind.GROUP, Store.IN_MEMORY),
        Arguments.of(RoomKind.GROUP, Store.ENCRYPTED_FILE));
  }

  @ParameterizedTest(name = "{0} room, {1} store")
  @MethodSource("rooms")
  void offlineDevice_receivesTenThousandQueuedMessages_whileConnected_onceEach_inOrder(
      RoomKind kind, Store store, @TempDir Path dir) throws Exception {
    CipherTalkServer server = CipherTalkServer.builder().wsPort(0).httpPort(0)
        .bindAddress("127.0.0.1").dataDirectory(dir.resolve("server")).passwordHashing(64, 1)
        // The per-connection rate limit is not what this test is about.
        .rateLimit(1_000_000, 1_000_000).build().start();
    open.add(server);
    URI ws = URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws");
    URI http = URI.create("http://127.0.0.1:" + server.httpPort() + "/");

    // Messages the server has committed: SENT, or already past it (a receipt can overtake the
    // server's answer, and states only move forward).
    Set<MessageId> sent = ConcurrentHashMap.newKeySet();
    CipherTalkClient alice = CipherTalkClient.builder().serverUri(ws, http)
        .listener(new ChatListener() {
          @Override
          public void onMessageStatus(ChatEvent.MessageStatusChanged e) {
            if (e.state().status() != MessageStatus.QUEUED
                && e.state().status() != MessageStatus.FAILED) {
              sent.add(e.messageId());
            }
          }
        }).build();
    open.add(alice);
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    List<ConnectionState> bobStates = Collections.synchronizedList(new ArrayList<>());
    CipherTalkClient.Builder bobBuilder = CipherTalkClient.builder().serverUri(ws, http)
        .listener(new ChatListener() {
          @Override
          public void onMessage(ChatEvent.MessageReceived e) {
            received.add(e.message().text());
          }

          @Override
          public void onConnectionState(ChatEvent.ConnectionStateChanged e) {
            bobStates.add(e.state());
          }
        });
    if (store == Store.ENCRYPTED_FILE) {
      bobBuilder.store(JdbiLocalStore.builder().file(dir.resolve("bob"))
          .passphrase("bob's device passphrase".toCharArray())
          .argon2(new Argon2Settings(64, 1, 1)).open());
    }
    CipherTalkClient bob = bobBuilder.build();
    open.add(bob);
    alice.register("alice", "alice-password");
    bob.register("bob", "bob-password-1");
    alice.connect();
    bob.connect();
    Room room = kind == RoomKind.PRIVATE ? alice.privateRoom("bob")
        : alice.createGroup("catch-up", Set.of("bob"));
    room.send("hello");
    await(() -> received.size() == 1, () -> "the first message reached bob: " + received);

    bob.disconnect();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < QUEUED; i++) {
      String text = String.format("m%05d", i);
      expected.add(text);
      room.send(text);
    }
    await(() -> sent.size() == QUEUED + 1, () -> "server stored " + sent.size() + " of "
        + (QUEUED + 1));
    if (kind == RoomKind.PRIVATE) {
      // Every one is queued for bob. Not waited for "exactly QUEUED": one fresh-clone run stayed at
      // QUEUED + 1 for 90 s here (an envelope of the set-up, bob's receipt for "hello" to alice or
      // "hello" itself, not yet acknowledged; which one was not found). Whichever it is, the end of
      // this test requires the queue to empty while both are connected, so a stuck envelope fails it.
      await(() -> gauge(server, "ciphertalk_direct_queue_depth") >= QUEUED,
          () -> "queue depth " + gauge(server, "ciphertalk_direct_queue_depth"));
    }

    bobStates.clear();
    bob.connect();
    await(() -> received.size() >= QUEUED + 1, () -> "bob received " + received.size()
        + " of " + (QUEUED + 1) + " while connected");
    assertThat(received.subList(1, received.size())).as("once each, in order")
        .isEqualTo(expected);
    assertThat(bobStates).as("bob stayed connected").containsExactly(ConnectionState.CONNECTING,
        ConnectionState.CONNECTED);
    if (kind == RoomKind.PRIVATE) {
      // Every delivery was acknowledged: the server's queue for bob's device is empty.
      await(() -> gauge(server, "ciphertalk_direct_queue_depth") == 0,
          () -> "queue depth " + gauge(server, "ciphertalk_direct_queue_depth"));
    }
    // Bob's history holds the newest ones, each once (history orders by send time, and ids within
    // one millisecond are random, so not by sequence).
    Room bobRoom = bob.room(room.id()).orElseThrow();
    List<Message> last = bobRoom.history(500);
    assertThat(last).extracting(Message::text).doesNotHaveDuplicates()
        .isSubsetOf(expected).contains(expected.get(QUEUED - 1));
  }

  private static long gauge(CipherTalkServer server, String name) {
    return Waits.gauge(server, name);
  }

  private static void await(BooleanSupplier condition, Supplier<String> what) {
    Waits.await(condition, what, BOUND);
  }
}
