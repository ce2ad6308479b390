package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.core.store.InvalidStoreKeyException;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;
import io.ciphertalk.core.transport.WebSocketTransport;
import java.time.Duration;

/**
 * The console's client: WebSocket to {@link ConsoleApp.Options#server()}, accounts over
 * {@link ConsoleApp.Options#http()}; keys and history in memory (a new device identity each run), or
 * with {@code --store FILE} in the SDK's encrypted H2 store, so the device keeps its identity.
 */
public final class DefaultClientFactory implements ClientFactory {
  /** The factory {@code java -jar ciphertalk-console.jar} uses. */
  public DefaultClientFactory() {}

  @Override
  public CipherTalkClient create(ConsoleApp.Options options, char[] storePassphrase,
      ChatListener listener) {
    CipherTalkClient.Builder b = CipherTalkClient.builder()
        // a person is waiting at the terminal: the socket retries at least every 5 s (the SDK's
        // serverUri default backs off to 30 s)
        .transport(() -> WebSocketTransport.builder(options.server())
            .backoff(Duration.ofMillis(250), Duration.ofSeconds(5)).build(), options.http())
        .keyExchange(options.keyExchange())
        .deviceId(options.deviceId())
        .reconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5))
        // and learns within 5 s that the server is down (then works offline from its store)
        .requestTimeout(Duration.ofSeconds(5))
        .listener(listener);
    if (options.store() != null) {
      try {
        b.store(JdbiLocalStore.builder()
            .file(options.store())
            .passphrase(storePassphrase)
            .open());
      } catch (InvalidStoreKeyException e) {
        throw new IllegalArgumentException("wrong passphrase for the store " + options.store());
      }
    }
    return b.build();
  }
}
