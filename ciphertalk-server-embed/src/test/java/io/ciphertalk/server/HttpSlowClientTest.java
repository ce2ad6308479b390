package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slowloris against the REST listener over real loopback sockets (issue 13): slow sockets hold no
 * handler thread, are timed out with a clear answer, and legitimate users register, log in and chat
 * while they are open. The server runs with only two HTTP handler threads.
 */
class HttpSlowClientTest {

  private static CipherTalkServer.Builder server() {
    return TestServers.builder().threads(4, 2).httpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  private static void closeAll(List<RawSocket> sockets) throws Exception {
    for (RawSocket s : sockets) {
      s.close();
    }
  }

  /** True if the server closed this socket (end of stream or reset); does not wait long. */
  private static boolean atEndOfStream(RawSocket r) {
    try {
      r.socket.setSoTimeout(20);
      return r.socket.getInputStream().read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  @Test
  void slowlorisHeaders_holdNoThread_andIdleSocketsAreClosed() throws Exception {
    try (CipherTalkServer s = server().build().start()) {
      List<RawSocket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          RawSocket r = RawSocket.connect(s.httpPort(), "127.0.0.2");
          r.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // never finished
          slow.add(r);
        }
        WebSocketFloodTest.legitimateUsersChat(s, "h");
        for (RawSocket r : slow) {
          assertThat(r.closedByServer()).isTrue();
        }
      } finally {
        closeAll(slow);
      }
    }
  }

  @Test
  void trickledBody_isAnswered408_andHoldsNoThreadMeanwhile() throws Exception {
    try (CipherTalkServer s = server().httpTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(2)).build().start()) {
      List<RawSocket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          RawSocket r = RawSocket.connect(s.httpPort(), "127.0.0.2");
          r.write(("POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
              + "{\"user").getBytes(StandardCharsets.US_ASCII));
          slow.add(r);
        }
        WebSocketFloodTest.legitimateUsersChat(s, "b");
        for (RawSocket r : slow) {
          r.write("n".getBytes(StandardCharsets.US_ASCII)); // a trickle keeps the idle timeout away, not the deadline
          assertThat(r.readHead()).startsWith("HTTP/1.1 408");
        }
      } finally {
        closeAll(slow);
      }
    }
  }

  @Test
  void connectionsPerAddress_beyondTheCap_areClosedAtOnce_othersAreServed() throws Exception {
    try (CipherTalkServer s = server().httpTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30))
        .maxConnectionsPerAddress(3).build().start()) {
      List<RawSocket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          held.add(RawSocket.connect(s.httpPort(), "127.0.0.2"));
        }
        // Whichever the server opened last is closed at once; the other three stay open.
        java.util.Set<RawSocket> closed = new java.util.HashSet<>();
        TestServers.await(() -> {
          held.stream().filter(HttpSlowClientTest::atEndOfStream).forEach(closed::add);
          return closed.size() >= 1;
        }, Duration.ofSeconds(20), "a connection over the per-address cap to be closed");
        WebSocketFloodTest.legitimateUsersChat(s, "a");
        held.stream().filter(HttpSlowClientTest::atEndOfStream).forEach(closed::add);
        assertThat(closed).hasSize(1);
      } finally {
        closeAll(held);
      }
    }
  }

  @Test
  void oversizedHeaders_areRefusedWith431() throws Exception {
    try (CipherTalkServer s = server().build().start(); RawSocket r = RawSocket.connect(s.httpPort(), null)) {
      r.write(("GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(9000) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(r.readHead()).startsWith("HTTP/1.1 431");
    }
  }
}
