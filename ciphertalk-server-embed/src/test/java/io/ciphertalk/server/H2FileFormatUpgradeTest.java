package io.ciphertalk.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server data directory written by an older H2 still starts with the H2 this build ships. The
 * fixture {@code h2-2.3.232/ciphertalk.mv.db} was written by {@link CipherTalkServer} (schema
 * V1..V6) on H2 2.3.232 with one account, alice; see docs/server-guide.md, "Upgrading H2".
 */
class H2FileFormatUpgradeTest {
  @TempDir Path dir;

  @Test
  void serverDatabaseWrittenByH2_2_3_232_startsWithCurrentH2_andItsAccountsLogIn() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/h2-2.3.232/ciphertalk.mv.db")) {
      assertThat(in).as("fixture").isNotNull();
      Files.copy(in, dir.resolve("ciphertalk.mv.db"));
    }
    assertThat(org.h2.engine.Constants.VERSION_MAJOR * 10 + org.h2.engine.Constants.VERSION_MINOR)
        .as("this test is about opening an old file with a newer H2").isGreaterThan(23);
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(-1).httpPort(-1)
        .dataDirectory(dir).passwordHashing(64, 1).build().start()) {
      assertThat(server.login("alice", "correct horse battery".toCharArray(), null)).isNotBlank();
      server.createAccount("bob", "battery staple horse".toCharArray(), false);
    }
    try (CipherTalkServer server = CipherTalkServer.builder().wsPort(-1).httpPort(-1)
        .dataDirectory(dir).passwordHashing(64, 1).build().start()) {
      assertThat(server.login("bob", "battery staple horse".toCharArray(), null)).isNotBlank();
    }
  }
}
