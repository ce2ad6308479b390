package io.ciphertalk.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The relay and the generator's own WebSocket client over real loopback sockets. */
class ReferenceRelayTest {

  @Test
  void relay_broadcastsToOtherMembersOfTheRoomOnly() throws Exception {
    try (ReferenceRelay relay = ReferenceRelay.start(0, 1); WsLoop loop = new WsLoop("test-loop")) {
      Client a = new Client("r1");
      Client b = new Client("r1");
      Client c = new Client("r2");
      for (Client x : List.of(a, b, c)) {
        x.conn = loop.connect(URI.create(relay.url()), null, Map.of(), x);
      }
      await(() -> a.joined && b.joined && c.joined);

      byte[] big = new Probe(1, 2, 3).toText(70_000); // 64-bit length form
      a.conn.sendText(new Probe(0, 0, 0).toText(64));
      a.conn.sendText(big);
      await(() -> b.received.size() == 2);

      assertThat(Probe.fromText(b.received.get(0))).isEqualTo(new Probe(0, 0, 0));
      assertThat(b.received.get(1)).isEqualTo(big);
      assertThat(a.received).isEmpty(); // no echo to the sender
      assertThat(c.received).isEmpty(); // nothing leaks to another room
    }
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
    }
  }

  private static final class Client implements WsConnection.Handler {
    final String room;
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    volatile WsConnection conn;
    volatile boolean joined;

    Client(String room) {
      this.room = room;
    }

    @Override
    public void onOpen(WsConnection c) {
      c.sendText("join " + room);
    }

    @Override
    public void onMessage(WsConnection c, int opcode, byte[] payload) {
      if (new String(payload, StandardCharsets.US_ASCII).equals("joined " + room)) {
        joined = true;
      } else {
        received.add(payload);
      }
    }

    @Override
    public void onClose(WsConnection c, String reason) {
      // the test fails on the missing messages instead
    }
  }
}
