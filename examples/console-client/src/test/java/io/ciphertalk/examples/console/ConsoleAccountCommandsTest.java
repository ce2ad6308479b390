package io.ciphertalk.examples.console;

import static io.ciphertalk.examples.console.ConsoleServer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /topic}, {@code /passwd} and {@code /logout}, typed into real consoles (piped input and
 * output) against a real embedded server over WebSockets.
 */
class ConsoleAccountCommandsTest {
  @RegisterExtension
  static final ConsoleServer server = ConsoleServer.inMemory();

  @Test
  void topic_isSetByTheOwner_shownToEveryMember_refusedToMembers_andClearedWithADash()
      throws Exception {
    try (ConsoleDriver alice = server.console("tina"); ConsoleDriver bob = server.console("uma")) {
      alice.type("/create crew uma");
      alice.awaitLine("now in #crew", WAIT);
      alice.type("/topic");
      alice.awaitLine("#crew has no topic (/topic TEXT sets one)", WAIT);
      bob.awaitLine("you were added to #crew", WAIT);
      bob.type("/join crew");
      bob.awaitLine("now in #crew", WAIT);
      bob.type("/topic uma was here");
      bob.awaitLine(l -> l.startsWith("! the server refused") && l.contains("forbidden"),
          "the refusal", WAIT);

      alice.type("/topic ship it on friday");
      alice.awaitLine("* you set the topic of #crew: ship it on friday", WAIT);
      bob.awaitLine("* tina set the topic of #crew: ship it on friday", WAIT);
      bob.type("/topic");
      bob.awaitLine("* topic of #crew: ship it on friday", WAIT);
      bob.type("/rooms");
      bob.type("/join crew");
      bob.awaitLine("* topic: ship it on friday", WAIT);

      alice.type("/topic -");
      bob.awaitLine("* tina cleared the topic of #crew", WAIT);
      alice.type("/dm uma");
      alice.awaitLine("now in @uma", WAIT);
      alice.type("/topic ours");
      alice.awaitLine("! only a group has a topic; @uma is a private room", WAIT);
      alice.type("/join crew");
      alice.type("/topic " + "x".repeat(513));
      alice.awaitLine("! topic longer than 512 characters: 513", WAIT);
    }
  }

  @Test
  void passwd_keepsThisConsole_endsTheOtherDevice_whichLogsInWithTheNewPassword_andLogoutRevokes()
      throws Exception {
    try (ConsoleDriver carl = server.console("carl")) {
      carl.type("/logout");
      carl.awaitLine("device 1 is the only device of carl", WAIT);
      try (ConsoleDriver carl2 = server.start("carl2",
          server.options("carl", false).withDevice(2))) {
        carl2.type("password-of-carl");
        carl2.awaitLine("type /link here", WAIT);
        carl2.type("/link");
        String code = carl2.awaitLine(l -> l.strip().matches("[0-9A-Z]{4}(-[0-9A-Z]{4}){15}"),
            "the linking code", WAIT).strip();
        carl.type("/approve " + code);
        carl2.awaitLine("linked; confirmation code", WAIT);

        carl.type("/passwd");
        carl.type("a wrong guess");
        carl.type("a brand new password");
        carl.type("a brand new password");
        carl.awaitLine("! wrong current password: password not changed", WAIT);
        carl.type("/passwd");
        carl.type("password-of-carl");
        carl.type("a brand new password");
        carl.type("a brand new passwort");
        carl.awaitLine("! the two new passwords differ: password not changed", WAIT);
        assertThat(carl2.transcript()).noneMatch(l -> l.contains("signed out by the server"));

        carl.type("/passwd");
        carl.type("password-of-carl");
        carl.type("a brand new password");
        carl.type("a brand new password");
        carl.awaitLine("* password changed; this device stays signed in, and 1 other session(s)"
            + " of carl ended", WAIT);
        carl2.awaitLine("signed out by the server", WAIT);
        carl.type("/devices");
        carl.awaitLine("your devices: [1, 2]", WAIT);

        carl2.type("/login");
        carl2.type("password-of-carl");
        carl2.awaitLine("! login failed", WAIT);
        carl2.type("/login");
        carl2.type("a brand new password");
        carl2.awaitLine("signed in again as carl", WAIT);

        carl2.type("/logout");
        carl2.type("no");
        carl2.awaitLine("* not logged out", WAIT);
        carl2.type("/logout");
        carl2.type("yes");
        carl2.awaitLine("* logged out: device 2 of carl is revoked", WAIT);
        assertThat(carl2.quit(WAIT)).isEqualTo(ConsoleApp.OK);
        int from = carl.lineCount();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!carl.transcriptFrom(from).contains("* your devices: [1]")
            && System.nanoTime() < deadline) {
          carl.type("/devices");
          Thread.sleep(200);
        }
        carl.awaitLineFrom(from, l -> l.equals("* your devices: [1]"), "device 2 gone", WAIT);
      }
    }
  }
}
