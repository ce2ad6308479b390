package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;

/** The console's client: WebSocket to {@link ConsoleApp.Options#server()}, state kept in memory. */
public final class DefaultClientFactory implements ClientFactory {
  /** The factory {@code java -jar ciphertalk-console.jar} uses. */
  public DefaultClientFactory() {}

  @Override
  public CipherTalkClient create(ConsoleApp.Options options, ChatListener listener) {
    // TEMPORARY until the SDK's builder has serverUri(URI): replaced in the next merge of 'client'.
    throw new UnsupportedOperationException(
        "this SDK build cannot connect to " + options.server() + " yet (no serverUri in the builder)");
  }
}
