package io.ciphertalk.server.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RESP2 client against a scripted peer: the encoding it sends, each reply type, and the limits. */
class RespTest {

  /** A one-connection peer that records what it reads and answers {@code reply} after the first command. */
  private static Resp peer(String reply, StringBuilder seen) throws IOException {
    ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (ss; Socket s = ss.accept()) {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int n = in.read(buf);
        synchronized (seen) {
          seen.append(new String(buf, 0, Math.max(0, n), StandardCharsets.UTF_8));
        }
        OutputStream out = s.getOutputStream();
        out.write(reply.getBytes(StandardCharsets.UTF_8));
        out.flush();
        in.read(); // hold the connection until the client closes it
      } catch (IOException ignored) {
        // the test is over
      }
    });
    t.setDaemon(true);
    t.start();
    return Resp.connect("127.0.0.1", ss.getLocalPort(), 2_000, 5_000);
  }

  @Test
  void commands_areArraysOfBulkStrings_andEveryReplyTypeIsRead() throws IOException {
    StringBuilder seen = new StringBuilder();
    try (Resp r = peer("*3\r\n$7\r\nmessage\r\n$7\r\nct:u:é\r\n:42\r\n", seen)) {
      Object reply = r.call("PUBLISH", "ct:u:é", "hi");
      assertThat(reply).isEqualTo(List.of("message", "ct:u:é", 42L));
    }
    assertThat(seen.toString()).isEqualTo("*3\r\n$7\r\nPUBLISH\r\n$7\r\nct:u:é\r\n$2\r\nhi\r\n");
    try (Resp r = peer("-ERR no\r\n+OK\r\n$-1\r\n", new StringBuilder())) {
      assertThat(r.call("PING")).isEqualTo(new Resp.Error("ERR no"));
      assertThat(r.read()).isEqualTo("OK");
      assertThat(r.read()).isNull();
    }
  }

  @Test
  void oversizedBulkString_isRefusedBeforeAllocating() throws IOException {
    try (Resp r = peer("$" + (Resp.MAX_BULK + 1) + "\r\n", new StringBuilder())) {
      assertThatThrownBy(() -> r.call("GET", "k")).isInstanceOf(Resp.RespException.class)
          .hasMessageContaining("exceeds");
    }
  }

  @Test
  void oversizedOrTooDeepArrays_andGarbage_areRefused() throws IOException {
    try (Resp r = peer("*" + (Resp.MAX_ARRAY + 1) + "\r\n", new StringBuilder())) {
      assertThatThrownBy(() -> r.call("SMEMBERS", "k")).isInstanceOf(Resp.RespException.class);
    }
    try (Resp r = peer("*1\r\n*1\r\n*1\r\n:1\r\n", new StringBuilder())) {
      assertThatThrownBy(() -> r.call("X")).isInstanceOf(Resp.RespException.class);
    }
    try (Resp r = peer("?what\r\n", new StringBuilder())) {
      assertThatThrownBy(() -> r.call("X")).isInstanceOf(Resp.RespException.class);
    }
    try (Resp r = peer(":12x\r\n", new StringBuilder())) {
      assertThatThrownBy(() -> r.call("X")).isInstanceOf(Resp.RespException.class);
    }
  }

  @Test
  void redisUri_mustBeRedisHostPort_only() {
    assertThat(RedisBus.validate(java.net.URI.create("redis://10.0.0.1:6380")).getPort()).isEqualTo(6380);
    for (String bad : List.of("rediss://h:1", "redis://user:pw@h:1", "redis://h:1/2", "redis://h:1?x=1", "http://h")) {
      assertThatThrownBy(() -> RedisBus.validate(java.net.URI.create(bad)))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
