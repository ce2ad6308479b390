package io.ciphertalk.examples.console;

import static io.ciphertalk.examples.console.ConsoleServer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real console clients, driven through their piped standard input and output, chat through a
 * real embedded server over WebSockets. Nothing is mocked: the consoles run the SDK's default client
 * (WebSocket transport, in-memory store) exactly as {@code java -jar ciphertalk-console.jar} does
 * with piped input.
 */
class TwoConsolesChatTest {
  @RegisterExtension
  static final ConsoleServer server = ConsoleServer.inMemory();

  @Test
  void twoConsoles_exchangeMessages_replies_receipts_typing_edits_andSelfDestruct() throws Exception {
    try (ConsoleDriver alice = server.console("alice"); ConsoleDriver bob = server.console("bob")) {
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
    try (ConsoleDriver carol = server.console("carol"); ConsoleDriver dave = server.console("dave");
        ConsoleDriver erin = server.console("erin")) {
      carol.type("/create crew dave erin");
      carol.awaitLine("now in #crew (3 members)", WAIT);
      carol.type("standup in 5");
      dave.awaitLine("#crew carol: standup in 5", WAIT);
      erin.awaitLine("#crew carol: standup in 5", WAIT);
      carol.type("/members");
      carol.awaitLine("carol (owner)", WAIT);

      try (ConsoleDriver finn = server.console("finn")) {
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
    try (ConsoleDriver first = server.console("frank")) {
      first.quit(WAIT);
    }
    try (ConsoleDriver again = server.start("frank2",
        server.options("frank", false).withDevice(2))) {
      again.type("not-franks-password");
      again.awaitLine("! login failed", WAIT);
      assertThat(again.quit(WAIT)).isEqualTo(ConsoleApp.LOGIN_FAILED);
    }
  }

  @Test
  void badCommand_printsAnError_andTheConsoleKeepsRunning() throws Exception {
    try (ConsoleDriver gina = server.console("gina")) {
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
    try (ConsoleDriver ivan = server.console("ivan"); ConsoleDriver judy = server.console("judy")) {
      ivan.type("/dm judy");
      ivan.awaitLine("now in @judy", WAIT);
      ivan.type("first contact");
      judy.awaitLine("ivan: first contact", WAIT);
      try (ConsoleDriver judy2 = server.start("judy2",
          server.options("judy", false).withDevice(2))) {
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
        String scanned = TerminalQrTest.decodeModules(qrBelow(judy2, "or scan this QR code"));
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
    try (ConsoleDriver kate = server.console("kate"); ConsoleDriver leo = server.console("leo")) {
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
    try (ConsoleDriver first = server.console("mike")) {
      first.quit(WAIT);
    }
    byte[] secret = TotpFixture.enroll(server.http(), "mike", "password-of-mike");
    try (ConsoleDriver mike = server.start("mike2", server.options("mike", false).withDevice(2))) {
      mike.type("password-of-mike");
      mike.awaitLine("one-time code for mike", WAIT);
      // The enrolment used up the current code (each code works once); the next one is accepted
      // already (one step of clock skew), so no waiting.
      mike.type(TotpFixture.code(secret, System.currentTimeMillis() / 1000 + 30));
      mike.awaitLine("* signed in as mike", WAIT);
      assertThat(mike.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
    try (ConsoleDriver wrong = server.start("mike3", server.options("mike", false).withDevice(3))) {
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
    try (ConsoleDriver oscar = server.console("oscar")) {
      try (ConsoleDriver nora = server.start("nora",
          server.options("nora", true).withStore(store))) {
        nora.type("store passphrase");
        nora.type("password-of-nora");
        nora.awaitLine("signed in as nora", WAIT);
        oscar.type("/dm nora");
        oscar.type("hi nora");
        nora.awaitLine("oscar: hi nora", WAIT);
        nora.quit(WAIT);
      }
      try (ConsoleDriver wrong = server.start("nora-wrong",
          server.options("nora", false).withStore(store))) {
        wrong.type("not the store passphrase");
        wrong.awaitLine("! wrong passphrase for the store", WAIT);
        assertThat(wrong.quit(WAIT)).isEqualTo(ConsoleApp.LOGIN_FAILED);
      }
      try (ConsoleDriver nora = server.start("nora-again",
          server.options("nora", false).withStore(store))) {
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
