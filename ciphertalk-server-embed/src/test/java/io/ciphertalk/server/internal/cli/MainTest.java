package io.ciphertalk.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server's command line (issue 16 item 10); the jar itself is run by ShadedJarsIT. */
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Main.PasswordPrompt terminal = Main.prompt;

  @AfterEach
  void restoreTerminal() {
    Main.prompt = terminal;
  }

  private int run(String... args) throws InterruptedException {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void unknownOption_isNamedAsUnknown_notAsMissingAValue() throws Exception {
    assertThat(run("--bogus")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: unknown option --bogus")
        .doesNotContain("missing value");
  }

  @Test
  void redis_withoutASharedDatabase_orWithABadUri_isRefusedWithTheReason(@TempDir Path data) throws Exception {
    assertThat(run("--redis", "redis://127.0.0.1:6379", "--data", data.toString(), "--ws-port", "0",
        "--http-port", "0")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs a database shared by every node");
    err.reset();
    assertThat(run("--redis", "redis://user:pw@127.0.0.1:6379/3")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("redis URI must be redis://[[USER]:PASSWORD@]HOST[:PORT]")
        .doesNotContain("pw@");
    err.reset();
    assertThat(run("--node-id", "has space")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("nodeId");
  }

  @Test
  void version_isTheBuildsVersion() throws Exception {
    assertThat(run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).strip())
        .matches("ciphertalk-server \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void createAdmin_withAMistypedConfirmation_printsOneError_andCreatesNothing(@TempDir Path data)
      throws Exception {
    Deque<String> typed = new ArrayDeque<>(java.util.List.of("first-password", "second-password"));
    Main.prompt = p -> typed.isEmpty() ? null : typed.pop().toCharArray();
    assertThat(run("create-admin", "root", "--data", data.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip().lines())
        .containsExactly("error: the two passwords differ; nothing was created");
    assertThat(data).isEmptyDirectory();
  }
}
