package io.ciphertalk.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ciphertalk.server.CipherTalkServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server's account commands, run against an H2 data directory as an operator would. */
class AdminCommandsTest {
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static CipherTalkServer open(Path dir) {
    return CipherTalkServer.builder().wsPort(-1).httpPort(-1).dataDirectory(dir).passwordHashing(64, 1).build()
        .start();
  }

  @Test
  void disableEnableAndDelete_fromTheCommandLine_takeEffectOnTheAccount(@TempDir Path dir) throws Exception {
    try (CipherTalkServer s = open(dir)) {
      s.createAccount("mallory", "mallory's password".toCharArray(), false);
    }
    Run disabled = run("disable-account", "Mallory", "--data", dir.toString());
    assertThat(disabled.status()).as(disabled.err()).isZero();
    assertThat(disabled.out()).contains("disabled account mallory");
    try (CipherTalkServer s = open(dir)) {
      assertThatThrownBy(() -> s.login("mallory", "mallory's password".toCharArray(), null))
          .hasMessageStartingWith("account_disabled");
    }
    assertThat(run("enable-account", "mallory", "--data", dir.toString()).status()).isZero();
    try (CipherTalkServer s = open(dir)) {
      assertThat(s.login("mallory", "mallory's password".toCharArray(), null)).isNotBlank();
    }
    assertThat(run("delete-account", "mallory", "--data", dir.toString()).out()).contains("deleted account mallory");
    try (CipherTalkServer s = open(dir)) {
      assertThatThrownBy(() -> s.login("mallory", "mallory's password".toCharArray(), null))
          .hasMessageStartingWith("invalid_credentials");
      assertThatThrownBy(() -> s.createAccount("mallory", "another password".toCharArray(), false))
          .hasMessageStartingWith("username_taken");
    }
    Run unknown = run("disable-account", "nobody", "--data", dir.toString());
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.err()).contains("not_found");
    Run missing = run("delete-account", "--data", dir.toString());
    assertThat(missing.status()).isEqualTo(2);
  }

  @Test
  void createInvite_printsACodeThatRegistersOnce(@TempDir Path dir) throws Exception {
    Run r = run("create-invite", "--data", dir.toString());
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out().strip()).startsWith("inv-");
  }

  @Test
  void limitFlags_areParsedAndChecked() throws Exception {
    assertThat(Main.duration("90m", "--token-ttl")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Main.duration("14d", "--token-ttl")).isEqualTo(Duration.ofDays(14));
    assertThat(run("--token-ttl", "forever", "--help").status()).isEqualTo(2);
    assertThat(run("--token-idle", "2h", "--login-failures", "3", "--login-lockout", "30s", "--login-lockout-max",
        "2h", "--logins-per-address", "50", "--registrations-per-address", "5", "--invite-only", "--help").status())
        .isZero();
  }
}
