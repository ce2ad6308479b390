package io.ciphertalk.examples.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.KeyExchange;
import io.ciphertalk.client.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.client.Presence;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.client.Room;
import io.ciphertalk.client.SendOptions;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code samples of docs/sdk-guide.md, compiled and run against a real embedded server (the
 * in-memory transport, so no sockets). {@code DocsAreCheckedTest} checks that every java block of the
 * guide appears in this file.
 */
class SdkGuideExamplesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private CipherTalkServer server;
  private URI httpUri;
  private final List<ChatEvent> aliceEvents = new CopyOnWriteArrayList<>();
  private final List<ChatEvent> bobEvents = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() {
    // An embedded server: in-memory H2, WebSocket and HTTP on free ports.
    server = CipherTalkServer.builder()
        .wsPort(0)
        .httpPort(0)
        .inMemoryDatabase()
        .build()
        .start();
    httpUri = URI.create("http://localhost:" + server.httpPort() + "/");
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private CipherTalkClient inMemoryClient(List<ChatEvent> sink) {
    return CipherTalkClient.builder()
        .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), httpUri)
        .listener(new ChatListener() {
          @Override
          public void onEvent(ChatEvent event) {
            sink.add(event);
          }
        })
        .build();
  }

  @Test
  void buildingAClient_overWebSocket_withAnEncryptedStore(@TempDir Path dir) throws Exception {
    URI webSocket = URI.create("ws://localhost:" + server.wsPort() + "/ws");
    URI http = URI.create("http://localhost:" + server.httpPort() + "/");
    CipherTalkClient client = CipherTalkClient.builder()
        .serverUri(webSocket, http)            // or .transport(() -> new InMemoryTransport(...), http)
        .store(JdbiLocalStore.builder()        // keys, sessions, history, outbox: encrypted
            .file(dir.resolve("carol"))        // at rest (default: an in-memory store)
            .passphrase("correct horse".toCharArray())
            .open())
        .keyExchange(KeyExchange.PQXDH)        // PQXDH (default), X3DH or RSA_OAEP
        .deviceId(1)                           // a second device of the same user uses 2
        .typingTimeout(Duration.ofSeconds(6))
        .reconnectBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1))
        .build();
    try (client) {
      client.register("carol", "a long enough password");
      client.connect();
      assertThat(client.connectionState()).isEqualTo(ConnectionState.CONNECTED);
      assertThat(client.address()).hasValueSatisfying(a -> assertThat(a.userId()).isEqualTo("carol"));
    }
  }

  @Test
  void privateChat_reply_receipts_typing_edit_delete_reactions() throws Exception {
    try (CipherTalkClient alice = inMemoryClient(aliceEvents);
        CipherTalkClient bob = inMemoryClient(bobEvents)) {
      alice.register("alice", "correct horse battery staple");
      alice.connect();
      bob.register("bob", "tr0ub4dor&3-but-longer");
      bob.connect();

      // Open (or create) the private room and send.
      Room room = alice.privateRoom("bob");
      MessageId hello = room.send("hello bob");

      // The recipient's listener gets the decrypted message.
      ChatEvent.MessageReceived received = await(bobEvents, ChatEvent.MessageReceived.class,
          e -> e.message().id().equals(hello));
      assertThat(received.message().text()).isEqualTo("hello bob");

      // Reply, with a self-destruct delay.
      Room bobsRoom = bob.room(received.message().roomId()).orElseThrow();
      MessageId answer = bobsRoom.send("hi alice", SendOptions.builder()
          .replyTo(hello)
          .expiresAfter(Duration.ofMinutes(5))
          .build());
      ChatEvent.MessageReceived reply = await(aliceEvents, ChatEvent.MessageReceived.class,
          e -> e.message().id().equals(answer));
      assertThat(reply.replyTarget()).hasValueSatisfying(m -> assertThat(m.id()).isEqualTo(hello));
      assertThat(reply.message().expiresAt()).isPresent();

      // Receipts: delivered as soon as bob's device decrypted it, read once bob marks the room read.
      bobsRoom.markRead();
      assertThat(bobsRoom.unreadCount()).isZero();
      await(aliceEvents, ChatEvent.ReceiptReceived.class,
          e -> e.messageId().equals(hello) && e.kind() == io.ciphertalk.client.ReceiptKind.READ);

      // Typing indicators (they expire by themselves on the receivers).
      bobsRoom.typing(true);
      await(aliceEvents, ChatEvent.TypingChanged.class, e -> e.userId().equals("bob") && e.typing());

      // Edit and delete one's own messages; react to any message.
      room.edit(hello, "hello bob!");
      await(bobEvents, ChatEvent.MessageEdited.class, e -> e.message().text().equals("hello bob!"));
      bobsRoom.react(hello, "👍");
      await(aliceEvents, ChatEvent.ReactionChanged.class, e -> e.emoji().equals("👍") && e.added());
      room.deleteForEveryone(hello);
      await(bobEvents, ChatEvent.MessageDeleted.class, e -> e.messageId().equals(hello));

      // Local history (paged) and local search over decrypted text.
      List<Message> page = room.history(50);
      assertThat(page).extracting(Message::id).contains(answer);
      List<Message> hits = alice.search("alice", 10);
      assertThat(hits).extracting(Message::id).contains(answer);
    }
  }

  @Test
  void groups_contacts_presence_and_safetyNumbers() throws Exception {
    try (CipherTalkClient alice = inMemoryClient(aliceEvents);
        CipherTalkClient bob = inMemoryClient(bobEvents);
        CipherTalkClient carol = inMemoryClient(new CopyOnWriteArrayList<>())) {
      alice.register("alice", "correct horse battery staple");
      alice.connect();
      bob.register("bob", "tr0ub4dor&3-but-longer");
      bob.connect();
      carol.register("carol", "a long enough password");
      carol.connect();

      // A group: the creator is its owner; owners and admins manage members.
      Room team = alice.createGroup("team", Set.of("bob"));
      team.invite("carol");
      team.setRole("bob", Role.ADMIN);
      MessageId standup = team.send("standup in 5");
      await(bobEvents, ChatEvent.MessageReceived.class, e -> e.message().id().equals(standup));
      // Someone else put bob in the room: he accepts, and from then on its members see his presence.
      assertThat(bob.pendingInvites()).extracting(Room::id).containsExactly(team.id());
      bob.acceptInvite(team.id());
      team.remove("carol");       // remaining members rotate their sender keys
      team.setTopic("standups at 9:30");  // -> ChatEvent.RoomTopicChanged on every member
      await(bobEvents, ChatEvent.RoomTopicChanged.class, e -> e.topic().equals("standups at 9:30"));
      assertThat(bob.room(team.id()).orElseThrow().topic()).isEqualTo("standups at 9:30");
      assertThat(alice.rooms()).extracting(Room::id).contains(team.id());

      // Contacts and blocking.
      alice.addContact("bob", "Bob");
      List<Contact> contacts = alice.contacts();
      assertThat(contacts).extracting(Contact::userId).contains("bob");
      alice.block("carol", true);

      // Presence of a contact or room member.
      Presence p = alice.presence("bob");
      assertThat(p.online()).isTrue();

      // The safety number both sides compare out of band.
      String number = alice.safetyNumber("bob");
      assertThat(number).isEqualTo(bob.safetyNumber("alice"));

      // Leaving.
      Room bobsTeam = bob.room(team.id()).orElseThrow();
      bobsTeam.leave();
    }
  }

  @Test
  void aContactsSecondDevice_getsTheMessages_andIdentityChangesGoToTheListener() throws Exception {
    try (CipherTalkClient alice = inMemoryClient(aliceEvents);
        CipherTalkClient bob = inMemoryClient(bobEvents)) {
      alice.register("alice", "correct horse battery staple");
      alice.connect();
      bob.register("bob", "tr0ub4dor&3-but-longer");
      bob.connect();

      ChatListener identityPrompt = new ChatListener() {
        @Override
        public void onIdentityKeyChanged(ChatEvent.IdentityKeyChanged e) {
          // The contact's account key changed: messages are held. Show e.newSafetyNumber();
          // once the user compared it with e.userId(), pass the number they compared:
          alice.trustIdentity(e.userId(), e.newSafetyNumber());
        }

        @Override
        public void onDeviceLinked(ChatEvent.DeviceLinked e) {
          // a device certified by the contact's account key: nothing held, tell the user
        }
      };
      alice.addListener(identityPrompt);

      // bob's second phone: same account, its own device number and keys
      List<ChatEvent> phoneEvents = new CopyOnWriteArrayList<>();
      try (CipherTalkClient bobsPhone = CipherTalkClient.builder()
          .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), httpUri)
          .deviceId(2)
          .listener(new ChatListener() {
            @Override
            public void onEvent(ChatEvent event) {
              phoneEvents.add(event);
            }
          })
          .build()) {
        bobsPhone.login("bob", "tr0ub4dor&3-but-longer");
        bobsPhone.connect();                                // -> ChatEvent.LinkingRequired
        String code = bobsPhone.startLinking().text();      // shown on the phone
        String confirm = bob.approveLink(code);             // typed on bob's first device
        await(phoneEvents, ChatEvent.LinkCompleted.class,   // the phone shows the same code
            e -> e.confirmationCode().equals(confirm));
        MessageId id = alice.privateRoom("bob").send("to both of bob's devices");
        await(bobEvents, ChatEvent.MessageReceived.class, e -> e.message().id().equals(id));
        await(phoneEvents, ChatEvent.MessageReceived.class, e -> e.message().id().equals(id));
        await(aliceEvents, ChatEvent.DeviceLinked.class,
            e -> e.userId().equals("bob") && e.deviceId() == 2);
        assertThat(alice.safetyNumber("bob")).isEqualTo(bobsPhone.safetyNumber("alice"));
      }
    }
  }

  /** Bounded polling on the recorded events (no sleeping). */
  private static <E extends ChatEvent> E await(List<ChatEvent> events, Class<E> type,
      Predicate<E> match) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ChatEvent e : events) {
        if (type.isInstance(e) && match.test(type.cast(e))) {
          return type.cast(e);
        }
      }
      synchronized (events) {
        events.wait(20);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT + "; got " + events);
  }
}
