package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.ErrorCode;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.NoticeKind;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malformed frames, oversize frames and floods leave the server serving other clients. */
class AbuseTest {
  private CipherTalkServer server;
  private String alice;
  private String bob;

  @BeforeEach
  void start() throws Exception {
    server = TestServers.builder().maxFrameBytes(64 * 1024).rateLimit(50, 50).build().start();
    alice = TestServers.account(server, "alice");
    bob = TestServers.account(server, "bob");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void assertOtherClientsAreServed() throws Exception {
    try (RawClient b = RawClient.login(server, bob, 1)) {
      assertThat(b.call(Frame.RoomList::new)).isInstanceOf(Frame.RoomsReply.class);
    }
  }

  @Test
  void malformedFrameCorpus_getsTypedErrors_andTheConnectionKeepsWorking() throws Exception {
    String deep = "[".repeat(200) + "]".repeat(200);
    List<String> corpus = List.of(
        "",
        "{",
        "not json at all",
        "[]",
        "null",
        "{\"v\":\"1.0\"}",
        "{\"v\":\"2.0\",\"type\":\"room_list\",\"id\":\"x1\"}",
        "{\"v\":\"1.0\",\"type\":\"no_such_type\",\"id\":\"x2\"}",
        "{\"v\":\"1.0\",\"type\":\"room_list\",\"id\":\"x3\",\"id\":\"x4\"}",
        "{\"v\":\"1.0\",\"type\":\"send_group\",\"id\":\"x5\",\"messageId\":\"0190a5b0-0000-7000-8000-000000000001\","
            + "\"room\":\"r\",\"ciphertext\":\"!!!not-base64!!!\"}",
        "{\"v\":\"1.0\",\"type\":\"ack\",\"id\":\"x6\",\"stream\":\"device\",\"seq\":123456789012345678901234567890}",
        "{\"v\":\"1.0\",\"type\":\"typing\",\"id\":\"x7\",\"room\":\"r\",\"typing\":\"yes\"}",
        "{\"v\":\"1.0\",\"type\":\"deliver\",\"id\":\"x8\"}",
        "{\"v\":\"1.0\",\"type\":\"room_list\",\"id\":\"x9\",\"extra\":" + deep + "}",
        "\u0000\u0001\u0002");
    try (RawClient a = RawClient.login(server, alice, 1)) {
      for (String bad : corpus) {
        a.sendRaw(bad);
        Frame reply = a.awaitResponse(f -> true, Duration.ofSeconds(10));
        assertThat(reply).as("reply to %s", bad.length() > 60 ? bad.substring(0, 60) : bad)
            .isInstanceOf(Frame.ErrorReply.class);
        assertThat(((Frame.ErrorReply) reply).code()).isNotEqualTo(ErrorCode.INTERNAL);
      }
      assertThat(a.isOpen()).isTrue();
      assertThat(a.call(id -> new Frame.RoomCreate(id, RoomKind.GROUP, "ok", null, List.of("bob"), null)))
          .isInstanceOf(Frame.RoomReply.class);
    }
    assertOtherClientsAreServed();
  }

  @Test
  void frameOverTheLimit_closesThatConnectionWith1009_only() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1)) {
      a.sendRaw("{\"v\":\"1.0\",\"type\":\"room_list\",\"id\":\"x\",\"pad\":\"" + "a".repeat(100 * 1024) + "\"}");
      assertThat(a.awaitClosed(Duration.ofSeconds(10))).isTrue();
      assertThat(a.closeCode).isEqualTo(1009);
    }
    assertOtherClientsAreServed();
  }

  @Test
  void frameHeaderDeclaringAHugeLength_isRefusedBeforeAllocation() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.wsPort())) {
      s.setSoTimeout(10_000);
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
      // FIN + text, MASK + 127 => 64-bit length 2^63-1, then a mask key and a few payload bytes.
      out.write(new byte[] {(byte) 0x81, (byte) 0xFF, 0x7f, -1, -1, -1, -1, -1, -1, -1, 1, 2, 3, 4, 5, 6, 7, 8});
      out.flush();
      // The server answers with a close frame (1009 or 1002) and drops the connection.
      byte[] buf = new byte[64];
      int n = in.read(buf);
      assertThat(n).isGreaterThan(0);
      assertThat(buf[0] & 0x0f).isEqualTo(0x8);
    }
    assertOtherClientsAreServed();
  }

  @Test
  void floodBeyondTheRateLimit_isRefused_thenDisconnected_whileOthersAreServed() throws Exception {
    try (RawClient a = RawClient.login(server, alice, 1)) {
      // The server may close the connection before the 400th frame is written (it did on a loaded
      // machine): the client then stops sending, as any client would.
      for (int i = 0; i < 400 && a.isOpen(); i++) {
        try {
          a.send(Frame.RoomList::new);
        } catch (org.java_websocket.exceptions.WebsocketNotConnectedException closedMeanwhile) {
          break;
        }
      }
      Frame.Notice notice = (Frame.Notice) a.await(f -> f instanceof Frame.Notice n && n.kind() == NoticeKind.RATE_LIMITED,
          Duration.ofSeconds(10));
      assertThat(notice.retryAfterMs()).isPositive();
      assertThat(a.awaitClosed(Duration.ofSeconds(10))).isTrue();
      assertThat(a.closeCode).isEqualTo(4009);
    }
    assertOtherClientsAreServed();
    assertThat(server.metricsText()).containsPattern("ciphertalk_rate_limited_total [1-9]");
  }
}
