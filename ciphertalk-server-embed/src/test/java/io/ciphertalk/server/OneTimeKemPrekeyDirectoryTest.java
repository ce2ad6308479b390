package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.core.store.PreKeyType;
import io.ciphertalk.core.store.memory.InMemoryLocalStore;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.PreKeyBundle;
import io.ciphertalk.core.wire.SignedPreKey;
import io.ciphertalk.crypto.MlKem768;
import io.ciphertalk.crypto.X25519;
import io.ciphertalk.crypto.session.IdentityKey;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One-time ML-KEM prekeys (PQXDH's PQOPK) through the real directory over WebSockets: a real client
 * publishes a batch of signed one-time KEM prekeys beside its signed last-resort KEM prekey; the
 * server hands each one-time KEM prekey out at most once, then falls back to the last-resort key;
 * a session started on a one-time KEM prekey deletes it from the responder's store.
 */
class OneTimeKemPrekeyDirectoryTest {
  private CipherTalkServer server;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() {
    // Threshold 1: the batch of 3 is not "low", so nothing refills behind the test's back.
    server = TestServers.builder().prekeyLowThreshold(1).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    server.close();
  }

  private CipherTalkClient client(String user, InMemoryLocalStore store, ChatListener listener)
      throws Exception {
    CipherTalkClient c = CipherTalkClient.builder()
        .serverUri(URI.create("ws://127.0.0.1:" + server.wsPort() + "/ws"),
            URI.create("http://127.0.0.1:" + server.httpPort() + "/"))
        .store(store).listener(listener).prekeyBatch(3).requestTimeout(Duration.ofSeconds(10))
        .build();
    open.add(c);
    c.register(user, "password-" + user);
    c.connect();
    return c;
  }

  private static Set<Integer> ids(InMemoryLocalStore store, PreKeyType t) {
    return new HashSet<>(store.preKeys().preKeyIds(t));
  }

  /** The crypto layer's check of what the directory served: the signature must verify. */
  private static void assertSignedByDevice(PreKeyBundle b, SignedPreKey kem) throws Exception {
    io.ciphertalk.crypto.session.PreKeyBundle.builder().address(b.device())
        .identityKey(IdentityKey.deserialize(b.identityKey().toByteArray()))
        .signedPreKey(b.signedPreKey().keyId(),
            X25519.PublicKey.of(b.signedPreKey().publicKey().toByteArray()),
            b.signedPreKey().signature().toByteArray())
        .kemPreKey(kem.keyId(), MlKem768.PublicKey.of(kem.publicKey().toByteArray()),
            kem.signature().toByteArray())
        .build();
  }

  @Test
  void directory_handsOutEachOneTimeKemPrekeyOnce_thenFallsBackToTheLastResortKey() throws Exception {
    InMemoryLocalStore bobStore = InMemoryLocalStore.create(Clock.systemUTC());
    CipherTalkClient bob = client("bob", bobStore, new ChatListener() {});
    TestServers.await(() -> ids(bobStore, PreKeyType.ONE_TIME_KEM).size() >= 3, Duration.ofSeconds(20),
        "bob's one-time KEM prekeys");
    Set<Integer> published = ids(bobStore, PreKeyType.ONE_TIME_KEM);
    Set<Integer> lastResort = ids(bobStore, PreKeyType.KEM);
    assertThat(lastResort).hasSize(1).doesNotContainAnyElementsOf(published);
    bob.close(); // offline: no prekeys-low notice makes it refill while the test drains the stock

    String alice = TestServers.account(server, "alice");
    try (RawClient a = RawClient.login(server, alice, 1)) {
      Set<Integer> handedOut = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        Frame.BundlesReply r = (Frame.BundlesReply) a.call(id -> new Frame.BundleFetch(id, "bob", 1));
        PreKeyBundle b = r.bundles().get(0);
        assertThat(b.kemPreKey().keyId()).isIn(lastResort);
        if (b.oneTimeKemPreKey() == null) {
          break;
        }
        assertThat(handedOut.add(b.oneTimeKemPreKey().keyId())).as("handed out twice").isTrue();
        assertSignedByDevice(b, b.oneTimeKemPreKey());
      }
      // At least the batch seen above (a second publish may have added another batch).
      assertThat(handedOut).hasSizeGreaterThanOrEqualTo(3);
      for (int i = 0; i < 2; i++) {
        Frame.BundlesReply r = (Frame.BundlesReply) a.call(id -> new Frame.BundleFetch(id, "bob", 1));
        PreKeyBundle b = r.bundles().get(0);
        assertThat(b.oneTimeKemPreKey()).as("none left").isNull();
        assertThat(b.kemPreKey().keyId()).isIn(lastResort);
        assertSignedByDevice(b, b.kemPreKey());
      }
    }
  }

  @Test
  void sessionOnAOneTimeKemPrekey_deletesItAtTheResponder_andKeepsTheLastResortKey() throws Exception {
    InMemoryLocalStore bobStore = InMemoryLocalStore.create(Clock.systemUTC());
    List<String> bobInbox = new CopyOnWriteArrayList<>();
    client("bob", bobStore, new ChatListener() {
      @Override
      public void onMessage(ChatEvent.MessageReceived e) {
        bobInbox.add(e.message().text());
      }
    });
    TestServers.await(() -> ids(bobStore, PreKeyType.ONE_TIME_KEM).size() >= 3, Duration.ofSeconds(20),
        "bob's one-time KEM prekeys");
    Set<Integer> before = ids(bobStore, PreKeyType.ONE_TIME_KEM);
    Set<Integer> lastResort = ids(bobStore, PreKeyType.KEM);

    CipherTalkClient alice = client("alice", InMemoryLocalStore.create(Clock.systemUTC()),
        new ChatListener() {});
    alice.privateRoom("bob").send("over a one-time KEM prekey");
    TestServers.await(() -> bobInbox.contains("over a one-time KEM prekey"), Duration.ofSeconds(20),
        "bob got the message");

    Set<Integer> after = ids(bobStore, PreKeyType.ONE_TIME_KEM);
    // Exactly the one the directory handed alice is gone (bob may have refilled new ids since).
    Set<Integer> used = new HashSet<>(before);
    used.removeAll(after);
    assertThat(used).hasSize(1);
    assertThat(ids(bobStore, PreKeyType.KEM)).isEqualTo(lastResort);
  }
}
