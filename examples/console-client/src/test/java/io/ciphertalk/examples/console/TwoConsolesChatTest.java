package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.server.CipherTalkServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real console clients, driven through their piped standard input and output, chat through a
 * real embedded server over WebSockets. Nothing is mocked: the consoles run the SDK's default client
 * (WebSocket transport, in-memory store) exactly as {@code java -jar ciphertalk-console.jar} does
 * with piped input.
 */
class TwoConsolesChatTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static CipherTalkServer server;
  private static URI ws;
  private static URI http;

  @BeforeAll
  static void startServer() {
    server = CipherTalkServer.builder().wsPort(0).httpPort(0).inMemoryDatabase()
        .loginRateLimit(50, 500, Duration.ofMinutes(5)) // every console logs in from 127.0.0.1
        .registrationRateLimit(500, Duration.ofMinutes(5)) // and registers from there
        .build().start();
    ws = URI.create("ws://localhost:" + server.wsPort() + "/ws");
    http = URI.create("http://localhost:" + server.httpPort() + "/");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static ConsoleDriver console(String user) throws Exception {
    ConsoleDriver d = ConsoleDriver.start(user, ConsoleApp.Options.of(ws, http, user, true),
        new DefaultClientFactory(), line -> {});
    d.type("password-of-" + user);
    d.awaitLine("signed in as " + user, WAIT);
    return d;
  }

  @Test
  void twoConsoles_exchangeMessages_replies_receipts_typing_edits_andSelfDestruct() throws Exception {
    try (ConsoleDriver alice = console("alice"); ConsoleDriver bob = console("bob")) {
      alice.type("/dm bob");
      alice.awaitLine("now in @bob", WAIT);
      alice.type("hello bob");
      assertThat(alice.awaitLine("alice: hello bob", WAIT)).startsWith("[1] ");

      String received = bob.awaitLine("alice: hello bob", WAIT);
      assertThat(received).matches("\\[1\\] \\d\\d:\\d\\d @alice alice: hello bob");
      alice.awaitLine("[1] delivered to bob", WAIT);

      bob.type("/join alice");
      bob.awaitLine("now in @alice", WAIT);
      alice.awaitLine("[1] read by bob", WAIT);

      bob.type("/typing");
      alice.awaitLine("~ bob is typing…", WAIT);

      bob.type("/reply 1 hi alice");
      String reply = alice.awaitLine("hi alice", WAIT);
      assertThat(reply).contains("bob (reply to [1] alice: \"hello bob\"): hi alice");

      alice.type("/edit 1 hello bob, edited");
      bob.awaitLine("[1] edited by alice: hello bob, edited", WAIT);

      alice.type("/expire 1s");
      alice.awaitLine("self-destruct 1s after sending", WAIT);
      alice.type("gone soon");
      String doomed = bob.awaitLine("alice: gone soon", WAIT);
      assertThat(doomed).contains("(expires ");
      String number = doomed.substring(1, doomed.indexOf(']'));
      bob.awaitLine("[" + number + "] disappeared (self-destruct)", WAIT);
      alice.awaitLine("[" + number + "] disappeared (self-destruct)", WAIT);

      alice.type("/expire off");
      alice.type("/delete 1");
      bob.awaitLine("[1] deleted by alice", WAIT);

      bob.type("/who");
      bob.awaitLine("* alice is online", WAIT);

      assertThat(alice.quit(WAIT)).isEqualTo(ConsoleApp.OK);
      assertThat(bob.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  @Test
  void groupRoom_reachesEveryMember_andAnInvitedMemberJoinsTheConversation() throws Exception {
    try (ConsoleDriver carol = console("carol"); ConsoleDriver dave = console("dave");
        ConsoleDriver erin = console("erin")) {
      carol.type("/create crew dave erin");
      carol.awaitLine("now in #crew (3 members)", WAIT);
      carol.type("standup in 5");
      dave.awaitLine("#crew carol: standup in 5", WAIT);
      erin.awaitLine("#crew carol: standup in 5", WAIT);
      carol.type("/members");
      carol.awaitLine("carol (owner)", WAIT);

      try (ConsoleDriver finn = console("finn")) {
        carol.type("/invite finn");
        carol.awaitLine("* invited finn", WAIT);
        finn.awaitLine("* you were added to #crew (type /join crew)", WAIT);
        finn.type("/join crew");
        finn.awaitLine("now in #crew (4 members)", WAIT);
        finn.type("hi crew");
        dave.awaitLine("#crew finn: hi crew", WAIT);
        carol.awaitLine("finn: hi crew", WAIT);
      }
    }
  }

  @Test
  void wrongPassword_endsTheConsoleWithTheLoginFailedCode() throws Exception {
    try (ConsoleDriver first = console("frank")) {
      first.quit(WAIT);
    }
    try (ConsoleDriver again = ConsoleDriver.start("frank2", ConsoleApp.Options.of(ws, http, "frank",
        false).withDevice(2),
        new DefaultClientFactory(), line -> {})) {
      again.type("not-franks-password");
      again.awaitLine("! login failed", WAIT);
      assertThat(again.quit(WAIT)).isEqualTo(ConsoleApp.LOGIN_FAILED);
    }
  }

  @Test
  void badCommand_printsAnError_andTheConsoleKeepsRunning() throws Exception {
    try (ConsoleDriver gina = console("gina")) {
      gina.type("/reply nope");
      gina.awaitLine("! usage: /reply N TEXT", WAIT);
      gina.type("no room yet");
      gina.awaitLine("! no current room", WAIT);
      gina.type("/help");
      gina.awaitLine("/expire 30s|5m|1h|2d|off", WAIT);
      assertThat(gina.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  @Test
  void contactsNewDevice_isLinkedFromTheFirst_announced_andJoinsTheConversation() throws Exception {
    try (ConsoleDriver ivan = console("ivan"); ConsoleDriver judy = console("judy")) {
      ivan.type("/dm judy");
      ivan.awaitLine("now in @judy", WAIT);
      ivan.type("first contact");
      judy.awaitLine("ivan: first contact", WAIT);
      try (ConsoleDriver judy2 = ConsoleDriver.start("judy2", ConsoleApp.Options.of(ws, http, "judy",
          false).withDevice(2), new DefaultClientFactory(), line -> {})) {
        judy2.type("password-of-judy");
        judy2.awaitLine("type /link here", WAIT);
        // A wrong code is refused on the old device with a clear error.
        judy.type("/approve 0000-0000");
        judy.awaitLine("not a linking code", WAIT);
        judy2.type("/link");
        String code = judy2.awaitLine(l -> l.strip().matches("[0-9A-Z]{4}(-[0-9A-Z]{4}){15}"),
            "the linking code", WAIT).strip();
        // The same code as a QR code under it: scanned (decoded from the drawing), it is the
        // payload the console names, and approving what was scanned links the device.
        judy2.awaitLine("or scan this QR code", WAIT);
        String scanned = TerminalQrTest.decode(qrBelow(judy2, "or scan this QR code"));
        assertThat(scanned).isEqualTo("ciphertalk-link:" + code.replace("-", ""));
        judy.type("/approve " + scanned);
        String confirm = judy.awaitLine("confirmation code", WAIT).replaceAll(".*code (\\d{6}).*", "$1");
        judy2.awaitLine("linked; confirmation code " + confirm, WAIT);
        judy2.type("/dm ivan");
        judy2.type("new phone, same judy");
        ivan.awaitLine("judy: new phone, same judy", WAIT);
        ivan.awaitLine("judy linked a new device (device 2)", WAIT);
        ivan.type("/verify judy");
        ivan.awaitLine("* safety number with judy: ", WAIT);
        judy2.type("/devices");
        judy2.awaitLine("your devices: [1, 2]", WAIT);
      }
    }
  }

  /** The QR drawing a console printed after the line containing {@code heading}. */
  static java.util.List<String> qrBelow(ConsoleDriver d, String heading) throws Exception {
    java.util.List<String> qr = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      java.util.List<String> t = d.transcript();
      int at = -1;
      for (int i = t.size() - 1; i >= 0 && at < 0; i--) {
        if (t.get(i).contains(heading)) {
          at = i;
        }
      }
      qr.clear();
      for (int i = at + 1; at >= 0 && i < t.size() && t.get(i).startsWith("  ")
          && t.get(i).strip().chars().allMatch(c -> " ▀▄█".indexOf(c) >= 0); i++) {
        qr.add(t.get(i).substring(2));
      }
      // complete once it is as high as wide (two module rows per line)
      if (!qr.isEmpty() && qr.size() == (qr.get(0).length() + 1) / 2) {
        return qr;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no complete QR code under '" + heading + "' in " + d.transcript());
  }

  @Test
  void contacts_canBeAddedListedAndBlocked() throws Exception {
    try (ConsoleDriver kate = console("kate"); ConsoleDriver leo = console("leo")) {
      kate.type("/add leo Leo the Lion");
      kate.awaitLine("* added leo to your contacts", WAIT);
      kate.type("/contacts");
      kate.awaitLine("  leo \"Leo the Lion\"", WAIT);
      kate.type("/block leo");
      kate.awaitLine("* blocked leo", WAIT);
      int from = kate.lineCount();
      kate.type("/contacts");
      kate.awaitLineFrom(from, l -> l.equals("  leo \"Leo the Lion\" (blocked)"), "blocked leo",
          WAIT);
      leo.quit(WAIT);
    }
  }

  @Test
  void accountWithTotp_asksForTheOneTimeCode_atLogin() throws Exception {
    try (ConsoleDriver first = console("mike")) {
      first.quit(WAIT);
    }
    byte[] secret = TotpFixture.enroll(http, "mike", "password-of-mike");
    try (ConsoleDriver mike = ConsoleDriver.start("mike2", ConsoleApp.Options.of(ws, http, "mike",
        false).withDevice(2), new DefaultClientFactory(), line -> {})) {
      mike.type("password-of-mike");
      mike.awaitLine("one-time code for mike", WAIT);
      // The enrolment used up the current code (each code works once); the next one is accepted
      // already (one step of clock skew), so no waiting.
      mike.type(TotpFixture.code(secret, System.currentTimeMillis() / 1000 + 30));
      mike.awaitLine("* signed in as mike", WAIT);
      assertThat(mike.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
    try (ConsoleDriver wrong = ConsoleDriver.start("mike3", ConsoleApp.Options.of(ws, http, "mike",
        false).withDevice(3), new DefaultClientFactory(), line -> {})) {
      wrong.type("password-of-mike");
      wrong.awaitLine("one-time code for mike", WAIT);
      wrong.type("000000x");
      wrong.awaitLine("! login failed", WAIT);
      assertThat(wrong.quit(WAIT)).isEqualTo(ConsoleApp.LOGIN_FAILED);
    }
  }

  @Test
  void storeFile_keepsTheDeviceIdentityAndHistory_acrossRuns(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("nora");
    try (ConsoleDriver oscar = console("oscar")) {
      try (ConsoleDriver nora = ConsoleDriver.start("nora", ConsoleApp.Options.of(ws, http, "nora",
          true).withStore(store), new DefaultClientFactory(), line -> {})) {
        nora.type("store passphrase");
        nora.type("password-of-nora");
        nora.awaitLine("signed in as nora", WAIT);
        oscar.type("/dm nora");
        oscar.type("hi nora");
        nora.awaitLine("oscar: hi nora", WAIT);
        nora.quit(WAIT);
      }
      try (ConsoleDriver wrong = ConsoleDriver.start("nora-wrong", ConsoleApp.Options.of(ws, http,
          "nora", false).withStore(store), new DefaultClientFactory(), line -> {})) {
        wrong.type("not the store passphrase");
        wrong.awaitLine("! wrong passphrase for the store", WAIT);
        assertThat(wrong.quit(WAIT)).isEqualTo(ConsoleApp.LOGIN_FAILED);
      }
      try (ConsoleDriver nora = ConsoleDriver.start("nora-again", ConsoleApp.Options.of(ws, http,
          "nora", false).withStore(store), new DefaultClientFactory(), line -> {})) {
        nora.type("store passphrase"); // the only secret: the device's token is in the store
        nora.awaitLine("signed in as nora", WAIT);
        assertThat(nora.transcript()).noneMatch(l -> l.contains("password for nora"));
        nora.type("/dm oscar");
        nora.awaitLine("oscar: hi nora", WAIT); // the history came back from the encrypted file
        nora.type("still me");
        oscar.awaitLine("nora: still me", WAIT);
        assertThat(oscar.transcript()).noneMatch(l -> l.contains("safety number with nora changed"));
      }
    }
  }
}
