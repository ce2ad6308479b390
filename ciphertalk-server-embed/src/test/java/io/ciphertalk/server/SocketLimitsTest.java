package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Frame;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Limits that need a hand-driven socket: a reader that stops reading, a peer that never answers pings. */
class SocketLimitsTest {

  /** Opens a WebSocket by hand (RFC 6455 section 4.1) and returns the connected socket. */
  private static Socket handshake(CipherTalkServer server) throws Exception {
    Socket s = new Socket("127.0.0.1", server.wsPort());
    s.setSoTimeout(15_000);
    s.setReceiveBufferSize(64 * 1024);
    OutputStream out = s.getOutputStream();
    out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).isNotEqualTo(-1);
      head.append((char) c);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
    return s;
  }

  /** Writes one masked text frame (clients must mask, RFC 6455 section 5.3). */
  private static void sendText(Socket s, String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
    f.write(0x81);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length);
    }
    byte[] mask = {1, 2, 3, 4};
    f.write(mask);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i % 4]);
    }
    s.getOutputStream().write(f.toByteArray());
    s.getOutputStream().flush();
  }

  /** Reads until the server closes the TCP connection; returns false on timeout. */
  private static boolean readUntilClosed(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    byte[] buf = new byte[65536];
    try {
      while (in.read(buf) >= 0) {
        // drain
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset by the server
    }
  }

  @Test
  void clientThatStopsReading_isDisconnectedAsSlowConsumer_andTheSenderKeepsBeingServed() throws Exception {
    try (CipherTalkServer server = TestServers.builder().maxOutboundBytes(256 * 1024).slowConsumerTimeout(Duration.ofSeconds(1)).build()
        .start()) {
      String alice = TestServers.account(server, "alice");
      String bob = TestServers.account(server, "bob");
      try (RawClient a = RawClient.login(server, alice, 1); Socket slow = handshake(server)) {
        String room = Fixtures.createRoom(a, RoomKind.GROUP, "big", "bob").room().roomId();
        sendText(slow, RawClient.CODEC.encodeToString(new Frame.Hello("h1", bob, 1, null)));
        Bytes big = Fixtures.bytes(60 * 1024, 42);
        // Bob never reads: once the kernel buffers are full, the server's queue for him grows.
        java.util.regex.Pattern cut = java.util.regex.Pattern.compile("(?m)^ciphertalk_slow_consumer_disconnects_total 1(\\.0)?$");
        for (int i = 0; i < 150 && !cut.matcher(server.metricsText()).find(); i++) {
          Frame sent = a.call(id -> new Frame.SendGroup(id, RawClient.newMessageId(), room, null, big));
          assertThat(sent).isInstanceOf(Frame.Sent.class);
        }
        // Deliveries to bob are paused now; after slowConsumerTimeout he is cut off.
        TestServers.await(() -> cut.matcher(server.metricsText()).find(), Duration.ofSeconds(15), "slow consumer cut");
        assertThat(a.call(Frame.RoomList::new)).isInstanceOf(Frame.RoomsReply.class);
        assertThat(readUntilClosed(slow)).isTrue();
      }
      // Nothing was lost for bob: everything is still queued in the room timeline for his next connection.
      try (RawClient b = RawClient.login(server, bob, 1)) {
        assertThat(b.awaitType(Frame.Deliver.class).delivery().seq()).isEqualTo(1);
      }
    }
  }

  @Test
  void peerThatNeverAnswersPings_isClosedByIdleDetection() throws Exception {
    try (CipherTalkServer server = TestServers.builder().pingInterval(Duration.ofSeconds(1))
        .authTimeout(Duration.ofMinutes(1)).build().start();
        Socket silent = handshake(server)) {
      long start = System.nanoTime();
      assertThat(readUntilClosed(silent)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
  }
}
