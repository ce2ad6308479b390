package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /send FILE} and {@code /download N [PATH]} (alias {@code /send-file}, {@code /save}) between
 * two real consoles through a real server:
 * the file arrives encrypted end to end and is saved only after it verified; bad commands are refused.
 */
class ConsoleFilesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void sendFile_isShownWithItsSize_andDownloadSavesTheVerifiedFile(@TempDir Path dir) throws Exception {
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(0).httpPort(0).inMemoryDatabase()
        .dataDirectory(dir.resolve("server")).loginRateLimit(50, 500, Duration.ofMinutes(5))
        .registrationRateLimit(500, Duration.ofMinutes(5)).build().start()) {
      URI ws = URI.create("ws://localhost:" + server.wsPort() + "/ws");
      URI http = URI.create("http://localhost:" + server.httpPort() + "/");
      byte[] content = new byte[150_000];
      new java.util.Random(4).nextBytes(content);
      Path file = Files.write(dir.resolve("report.bin"), content);
      Path saveDir = Files.createDirectories(dir.resolve("saved"));
      try (ConsoleDriver alice = console("alice", ws, http); ConsoleDriver bob = console("bob", ws, http)) {
        alice.type("/dm bob");
        alice.awaitLine("now in @bob", WAIT);
        alice.type("/send " + file);
        alice.awaitLine("file [1]: report.bin, 146.5 KiB, application/octet-stream", WAIT);
        bob.awaitLine("alice: report.bin", WAIT);
        bob.awaitLine("file [1]: report.bin, 146.5 KiB", WAIT);
        bob.type("/join alice");
        bob.awaitLine("now in @alice", WAIT);
        bob.type("/download 1 " + saveDir);
        bob.awaitLine("saved [1] to " + saveDir.resolve("report.bin") + " (146.5 KiB, verified)", WAIT);
        assertThat(Files.readAllBytes(saveDir.resolve("report.bin"))).isEqualTo(content);

        bob.type("hello");
        alice.awaitLine("bob: hello", WAIT);
        alice.type("/download 2");
        alice.awaitLine("message [2] has no file", WAIT);
        alice.type("/send " + dir.resolve("missing.txt"));
        alice.awaitLine("no such file: ", WAIT);

        // The names for the same commands: /send-file PATH and /save N [PATH].
        byte[] second = java.util.Arrays.copyOf(content, 70_000);
        Path notes = Files.write(dir.resolve("notes.bin"), second);
        alice.type("/send-file " + notes);
        alice.awaitLine("file [3]: notes.bin, 68.4 KiB, application/octet-stream", WAIT);
        bob.awaitLine("file [3]: notes.bin, 68.4 KiB", WAIT);
        Path savedAs = saveDir.resolve("renamed.bin");
        bob.type("/save 3 " + savedAs);
        bob.awaitLine("saved [3] to " + savedAs + " (68.4 KiB, verified)", WAIT);
        assertThat(Files.readAllBytes(savedAs)).isEqualTo(second);
        assertThat(alice.quit(WAIT)).isEqualTo(ConsoleApp.OK);
        assertThat(bob.quit(WAIT)).isEqualTo(ConsoleApp.OK);
      }
    }
  }

  private static ConsoleDriver console(String user, URI ws, URI http) throws Exception {
    ConsoleDriver d = ConsoleDriver.start(user, ConsoleApp.Options.of(ws, http, user, true),
        new DefaultClientFactory(), line -> {});
    d.type("password-of-" + user);
    d.awaitLine("signed in as " + user, WAIT);
    return d;
  }
}
