package io.ciphertalk.examples.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.examples.console.ConsoleApp;
import io.ciphertalk.examples.console.ConsoleDriver;
import io.ciphertalk.examples.console.DefaultClientFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedHostTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void bot_answersWithAnEcho_asAReply() {
    EchoBot.Answer a = EchoBot.answer("hello there");
    assertThat(a.reply()).isEqualTo("echo: hello there");
    assertThat(a.remindAfter()).isEmpty();
  }

  @Test
  void bot_understandsReminders_andRejectsBadDelays() {
    EchoBot.Answer a = EchoBot.answer("Remind me in 1m30s to stretch");
    assertThat(a.remindAfter()).isEqualTo(Optional.of(Duration.ofSeconds(90)));
    assertThat(a.reminder()).isEqualTo("stretch");
    assertThat(a.reply()).isEqualTo("ok, I will remind you in 1m30s to stretch");
    assertThat(EchoBot.answer("remind me in forever to sleep").reply())
        .startsWith("I did not understand the delay");
  }

  @Test
  void consoleUser_chatsWithTheBotInsideTheHost() throws Exception {
    try (EmbeddedHost host = EmbeddedHost.create(0, 0, "echo").start();
        ConsoleDriver alice = ConsoleDriver.start("alice",
            ConsoleApp.Options.of(host.webSocketUri(), host.httpUri(), "alice", true),
            new DefaultClientFactory(), l -> {})) {
      alice.type("correct horse battery staple");
      alice.awaitLine("signed in as alice", WAIT);
      alice.type("/dm echo");
      alice.awaitLine("now in @echo", WAIT);
      alice.type("hello bot");
      assertThat(alice.awaitLine("echo: hello bot", WAIT))
          .contains("echo (reply to [1] alice: \"hello bot\")");
      alice.type("remind me in 1s to stretch");
      alice.awaitLine("ok, I will remind you in 1s to stretch", WAIT);
      alice.awaitLine("reminder: stretch", WAIT);
      alice.awaitLine("read by echo", WAIT);
    }
  }

  @Test
  void hostWithAWebRoot_servesTheBrowserApp_onItsHttpPort(@TempDir Path web) throws Exception {
    java.nio.file.Files.writeString(web.resolve("index.html"), "<!doctype html><title>app</title>");
    try (EmbeddedHost host = EmbeddedHost.create(0, 0, "echo").withWebRoot(web).start()) {
      java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(host.httpUri()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<title>app</title>");
      assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    }
  }

  /** Issue 16 item 2: the host restarted with the same --data keeps its bot (no username_taken). */
  @Test
  void hostWithData_restarts_andTheBotStillAnswers(@TempDir Path data) throws Exception {
    try (EmbeddedHost host = EmbeddedHost.create(0, 0, "echo").withData(data).start();
        ConsoleDriver alice = ConsoleDriver.start("alice",
            ConsoleApp.Options.of(host.webSocketUri(), host.httpUri(), "alice", true),
            new DefaultClientFactory(), l -> {})) {
      alice.type("correct horse battery staple");
      alice.awaitLine("signed in as alice", WAIT);
      alice.type("/dm echo");
      alice.type("before the restart");
      alice.awaitLine("echo: before the restart", WAIT);
      alice.quit(WAIT);
    }
    assertThat(data.resolve("bot-echo.secret")).exists();
    try (EmbeddedHost host = EmbeddedHost.create(0, 0, "echo").withData(data).start();
        // A new user: a second console of alice would be a new device, which must now be linked
        // from her first one (issue 14); what this test is about is the bot after the restart.
        ConsoleDriver alice = ConsoleDriver.start("dave",
            ConsoleApp.Options.of(host.webSocketUri(), host.httpUri(), "dave", true),
            new DefaultClientFactory(), l -> {})) {
      alice.type("correct horse battery staple");
      alice.awaitLine("signed in as dave", WAIT);
      alice.type("/dm echo");
      alice.type("after the restart");
      alice.awaitLine("echo: after the restart", WAIT);
      alice.quit(WAIT);
    }
  }

  @Test
  void demo_runsToTheEnd() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("  bob | [1] ")
        .contains("alice | ~ bob is typing…")
        .contains("read by bob")
        .contains("echo: hello team")
        .contains("disappeared (self-destruct)")
        .endsWith("== done: both clients and the server stopped" + System.lineSeparator());
    // The README's promise for the demo's second device: a code and its QR code on the new device,
    // approved on the first, the same confirmation code on both, the same safety number after.
    java.util.List<String> lines = out.lines().toList();
    assertThat(lines).anyMatch(l -> l.matches(" bob2 \\|   [0-9A-Z]{4}(-[0-9A-Z]{4}){15}"))
        .anyMatch(l -> l.startsWith(" bob2 | * or scan this QR code"))
        .anyMatch(l -> l.matches(" bob2 \\|   [ ▀▄█]{20,}"))
        .anyMatch(l -> l.startsWith("bob > /approve "));
    String confirm = lines.stream().filter(l -> l.startsWith("  bob | ") && l.contains(
        "confirmation code")).findFirst().orElseThrow().replaceAll(".*code (\\d{6}).*", "$1");
    assertThat(confirm).matches("\\d{6}");
    assertThat(lines).anyMatch(l -> l.startsWith(" bob2 | * linked; confirmation code " + confirm));
    assertThat(lines).anyMatch(l -> l.startsWith(" bob2 | ") && l.contains(
        "this reaches both of bob's devices"));
    java.util.List<String> numbers = lines.stream()
        .filter(l -> l.contains("safety number with bob: ") || l.contains("safety number with alice: "))
        .map(l -> l.replaceAll(".*safety number with [a-z]+: ", "")).toList();
    assertThat(numbers).as("alice (twice), bob and bob's second device").hasSizeGreaterThanOrEqualTo(4);
    assertThat(new java.util.HashSet<>(numbers)).as("one safety number for the two accounts")
        .hasSize(1);
  }
}
