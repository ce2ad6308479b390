package io.ciphertalk.e2e;

import io.ciphertalk.core.transport.InMemoryTransport;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.server.CipherTalkServer;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK scenario against the embedded server through the in-memory transport (no sockets). */
class InMemoryTransportScenarioTest extends ChatScenario {
  @Override
  Supplier<Transport> transports(CipherTalkServer s) {
    return () -> new InMemoryTransport(s.inMemoryEndpoint());
  }

  @AfterEach
  void tearDown() {
    closeAll();
  }

  @Test
  void threeUsers_overInMemoryTransport_chatEndToEndEncrypted_andServerSeesNoPlaintext(
      @TempDir Path dir) throws Exception {
    startServer(dir);
    runScenario(dir);
  }
}
