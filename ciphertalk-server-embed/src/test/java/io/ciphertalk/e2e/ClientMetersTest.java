package io.ciphertalk.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.server.CipherTalkServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The SDK's meters in a host registry: two clients in one JVM, told apart by a tag. */
class ClientMetersTest {
  @Test
  void clientMeters_countSendsAndDeliveries_perClient_andLeaveTheRegistryOnClose() throws Exception {
    SimpleMeterRegistry host = new SimpleMeterRegistry();
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(-1).httpPort(0)
        .inMemoryDatabase().passwordHashing(64, 1).build().start()) {
      URI http = URI.create("http://127.0.0.1:" + server.httpPort() + "/");
      List<String> bobInbox = new CopyOnWriteArrayList<>();
      CipherTalkClient alice = CipherTalkClient.builder()
          .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), http)
          .meterRegistry(host, "client", "alice")
          .build();
      CipherTalkClient bob = CipherTalkClient.builder()
          .transport(() -> new InMemoryTransport(server.inMemoryEndpoint()), http)
          .meterRegistry(host, "client", "bob")
          .listener(new ChatListener() {
            @Override
            public void onMessage(ChatEvent.MessageReceived event) {
              bobInbox.add(event.message().text());
            }
          })
          .build();
      alice.register("alice", "correct horse battery");
      bob.register("bob", "battery staple horse");
      alice.connect();
      bob.connect();
      alice.privateRoom("bob").send("one");
      alice.privateRoom("bob").send("two");
      Recorder.awaitTrue(() -> bobInbox.size() == 2, "bob got both messages");
      Recorder.awaitTrue(() -> counter(host, "ciphertalk.client.messages.sent", "alice") >= 2,
          "alice's sends counted once the server stored them");

      assertThat(counter(host, "ciphertalk.client.messages.delivered", "bob"))
          .isEqualTo(bob.stats().delivered()).isGreaterThanOrEqualTo(2);
      assertThat(counter(host, "ciphertalk.client.messages.sent", "alice"))
          .isEqualTo(alice.stats().sent());
      assertThat(counter(host, "ciphertalk.client.decrypt.failures", "bob")).isZero();
      assertThat(host.get("ciphertalk.client.outbox.depth").tag("client", "alice").gauge().value())
          .isEqualTo(alice.stats().outbox());
      assertThat(host.get("ciphertalk.client.held.group.messages").tag("client", "bob").gauge().value())
          .isZero();

      alice.close();
      assertThat(host.find("ciphertalk.client.messages.sent").tag("client", "alice").functionCounter()).isNull();
      assertThat(host.find("ciphertalk.client.messages.sent").tag("client", "bob").functionCounter()).isNotNull();
      bob.close();
      assertThat(host.getMeters()).isEmpty();
    }
    assertThatThrownBy(() -> CipherTalkClient.builder().meterRegistry(host, "client"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key/value");
  }

  private static double counter(SimpleMeterRegistry r, String name, String client) {
    return r.get(name).tag("client", client).functionCounter().count();
  }
}
