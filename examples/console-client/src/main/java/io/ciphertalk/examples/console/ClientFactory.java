package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;

/**
 * Builds the SDK client the console drives. The console's own factory connects to
 * {@link ConsoleApp.Options#server()} over WebSocket with an in-memory store; a host app can hand in
 * another (for example one on an in-memory transport).
 */
@FunctionalInterface
public interface ClientFactory {
  /**
   * A new, not yet connected client with {@code listener} registered.
   *
   * @param storePassphrase the passphrase of {@link ConsoleApp.Options#store()}, or null without a
   *     store file; the caller wipes it afterwards
   * @throws IllegalArgumentException with a message for the user if the store cannot be opened
   */
  CipherTalkClient create(ConsoleApp.Options options, char[] storePassphrase, ChatListener listener);
}
