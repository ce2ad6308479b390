package io.ciphertalk.e2e;

import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.WebSocketTransport;
import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK scenario against the embedded server over real WebSockets on the loopback interface. */
class WebSocketScenarioTest extends ChatScenario {
  @Override
  Supplier<Transport> transports(CipherTalkServer s) {
    URI uri = URI.create("ws://127.0.0.1:" + s.wsPort() + "/ws");
    return () -> WebSocketTransport.builder(uri).backoff(Duration.ofMillis(100),
        Duration.ofSeconds(2)).build();
  }

  @AfterEach
  void tearDown() {
    closeAll();
  }

  @Test
  void threeUsers_overRealWebSockets_chatEndToEndEncrypted_andServerSeesNoPlaintext(
      @TempDir Path dir) throws Exception {
    startServer(dir);
    runScenario(dir);
  }
}
