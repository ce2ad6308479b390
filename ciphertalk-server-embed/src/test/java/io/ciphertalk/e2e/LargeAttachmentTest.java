package io.ciphertalk.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.CipherTalkServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays bounded: two SDK clients in a separate JVM limited to a 64 MiB heap send and
 * receive a 100 MiB file (bigger than the heap) through the real server, and the received file's
 * SHA-256 matches the original. The 1 GiB run with the same limit is in benchmarks/README.md.
 */
class LargeAttachmentTest {
  static final int MIB = Integer.getInteger("ciphertalk.largeAttachmentMiB", 100);

  @Test
  void hundredMebibyteFile_isSentAndReceived_byClientsInA64MiBHeap(@TempDir Path dir) throws Exception {
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(0).httpPort(0).bindAddress("127.0.0.1")
        .dataDirectory(dir.resolve("server")).passwordHashing(64, 1).rateLimit(10_000, 10_000).build().start()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
          LargeAttachmentMain.class.getName(), Integer.toString(server.httpPort()), Integer.toString(server.wsPort()),
          Integer.toString(MIB), dir.toString()))
          .redirectErrorStream(true).start();
      boolean done = p.waitFor(Duration.ofMinutes(3 + MIB / 100).toSeconds(), TimeUnit.SECONDS);
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done) {
        p.destroyForcibly();
      }
      System.out.println("forked client JVM: " + output.strip()); // timings, in the surefire output file
      assertThat(done).as(output).isTrue();
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).contains("OK " + (MIB * 1024L * 1024));
      // The limit really applied (a default heap on this machine is several GiB).
      long heapMax = Long.parseLong(output.replaceAll("(?s).*heapMax=(\\d+).*", "$1"));
      assertThat(heapMax).isLessThanOrEqualTo(64L * 1024 * 1024);
    }
  }
}
