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
  void redisUri_takesCredentialsAndTls_andNeverPrintsThePassword() {
    RedisEndpoint plain = RedisEndpoint.parse("redis://10.0.0.1:6380");
    assertThat(plain.port()).isEqualTo(6380);
    assertThat(plain.tls()).isFalse();
    assertThat(plain.password()).isNull();
    RedisEndpoint acl = RedisEndpoint.parse("rediss://ct-node:s%40cret@redis.internal");
    assertThat(acl.tls()).isTrue();
    assertThat(acl.port()).isEqualTo(6379);
    assertThat(acl.user()).isEqualTo("ct-node");
    assertThat(acl.password()).isEqualTo("s@cret");
    assertThat(acl.toString()).isEqualTo("rediss://redis.internal:6379 (with AUTH)").doesNotContain("cret");
    RedisEndpoint requirepass = RedisEndpoint.parse("redis://:pw@h:1");
    assertThat(requirepass.user()).isNull();
    assertThat(requirepass.password()).isEqualTo("pw");
    assertThat(plain.withPassword("from-env").password()).isEqualTo("from-env");
    for (String bad : List.of("redis://user@h:1", "redis://user:pw@h:1/2", "redis://h:1?x=1", "http://h", "redis://")) {
      assertThatThrownBy(() -> RedisEndpoint.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw"));
    }
  }

  @Test
  void auth_isSentFirst_andARefusalNamesNoCredential() throws IOException {
    StringBuilder seen = new StringBuilder();
    ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (ss; Socket s = ss.accept()) {
        byte[] buf = new byte[4096];
        int n = s.getInputStream().read(buf);
        synchronized (seen) {
          seen.append(new String(buf, 0, Math.max(0, n), StandardCharsets.UTF_8));
        }
        s.getOutputStream().write("-WRONGPASS invalid username-password pair\r\n".getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        s.getInputStream().read();
      } catch (IOException ignored) {
        // the test is over
      }
    });
    t.setDaemon(true);
    t.start();
    RedisEndpoint e = RedisEndpoint.parse("redis://ct:hunter2@127.0.0.1:" + ss.getLocalPort());
    assertThatThrownBy(() -> Resp.connect(e, 2_000, 5_000)).isInstanceOf(Resp.RespException.class)
        .hasMessageContaining("WRONGPASS").satisfies(x -> assertThat(x.getMessage()).doesNotContain("hunter2"));
    synchronized (seen) {
      assertThat(seen.toString()).isEqualTo("*3\r\n$4\r\nAUTH\r\n$2\r\nct\r\n$7\r\nhunter2\r\n");
    }
  }
}
