package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.core.store.InvalidStoreKeyException;
import io.ciphertalk.core.store.jdbi.JdbiLocalStore;

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
        .serverUri(options.server(), options.http())
        .keyExchange(options.keyExchange())
        .deviceId(options.deviceId())
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
