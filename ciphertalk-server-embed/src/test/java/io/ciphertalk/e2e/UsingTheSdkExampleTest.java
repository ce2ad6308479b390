package io.ciphertalk.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Room;
import io.ciphertalk.client.SendOptions;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The "Using the SDK" snippet of README.md, compiled and run (keep the two in step). */
class UsingTheSdkExampleTest {
  @Test
  void readmeSnippet_sendsAnEncryptedMessageFromAliceToBob() throws Exception {
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(-1).httpPort(0)
        .inMemoryDatabase().passwordHashing(64, 1).build().start()) {
      URI http = URI.create("http://127.0.0.1:" + server.httpPort() + "/");
      List<String> bobInbox = new CopyOnWriteArrayList<>();

      // --- README snippet start ---
      CipherTalkClient alice = CipherTalkClient.builder()
          .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), http)
          // or: .serverUri(URI.create("wss://chat.example/ws"), URI.create("https://chat.example/"))
          .build();
      CipherTalkClient bob = CipherTalkClient.builder()
          .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), http)
          .listener(new ChatListener() {
            @Override
            public void onMessage(ChatEvent.MessageReceived event) {
              bobInbox.add(event.message().senderUserId() + ": " + event.message().text());
            }
          })
          .build();
      alice.register("alice", "correct horse battery");
      bob.register("bob", "battery staple horse");
      alice.connect();
      bob.connect();

      Room chat = alice.privateRoom("bob");
      MessageId hello = chat.send("Hello Bob!");
      chat.send("This one self-destructs in a minute.",
          SendOptions.builder().replyTo(hello).expiresAfter(Duration.ofMinutes(1)).build());
      // --- README snippet end ---

      Recorder.awaitTrue(() -> bobInbox.size() == 2, "bob got both messages");
      assertThat(bobInbox).containsExactly("alice: Hello Bob!",
          "alice: This one self-destructs in a minute.");
      alice.close();
      bob.close();
    }
  }
}
