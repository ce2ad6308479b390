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
  /** A new, not yet connected client with {@code listener} registered. */
  CipherTalkClient create(ConsoleApp.Options options, ChatListener listener);
}
