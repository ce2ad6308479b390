package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.LocalStore;

/**
 * The console's client: WebSocket to {@link ConsoleApp.Options#server()}, accounts over
 * {@link ConsoleApp.Options#http()}, keys and history kept in memory (a new device identity each
 * run).
 */
public final class DefaultClientFactory implements ClientFactory {
  /** The factory {@code java -jar ciphertalk-console.jar} uses. */
  public DefaultClientFactory() {}

  @Override
  public CipherTalkClient create(ConsoleApp.Options options, ChatListener listener) {
    return CipherTalkClient.builder()
        .serverUri(options.server(), options.http())
        .store(LocalStore.inMemory())
        .keyExchange(options.keyExchange())
        .deviceId(options.deviceId())
        .listener(listener)
        .build();
  }
}
