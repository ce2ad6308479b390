package io.ciphertalk.examples.console;

import static io.ciphertalk.examples.console.ConsoleServer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16 items 6, 9 and 10: the commands a newcomer looks for and the small answers that used to
 * be missing or unreadable, through real consoles (piped input and output) and a real server.
 */
class ConsoleCommandsTest {
  @RegisterExtension
  static final ConsoleServer server = ConsoleServer.inMemory();

  @Test
  void search_me_names_react_andEditingSomeoneElsesMessage() throws Exception {
    try (ConsoleDriver alice = server.console("alice"); ConsoleDriver bob = server.console("bob")) {
      alice.type("/create team bob");
      alice.awaitLine("now in #team", WAIT);
      alice.type("the launch is on friday");
      bob.awaitLine("alice: the launch is on friday", WAIT);
      bob.type("/join team");
      bob.awaitLine("now in #team", WAIT);
      bob.type("noted, friday it is");
      alice.awaitLine("bob: noted, friday it is", WAIT);

      int from = alice.lineCount();
      alice.type("/search FRIDAY");
      alice.awaitLineFrom(from, l -> l.contains("2 message(s) match 'FRIDAY'"), "search", WAIT);
      alice.awaitLineFrom(from, l -> l.contains("bob: noted, friday it is"), "a hit", WAIT);
      alice.type("/search nothing-like-this");
      alice.awaitLine("nothing in your history matches 'nothing-like-this'", WAIT);

      alice.type("/me waves");
      assertThat(bob.awaitLine("* alice waves", WAIT)).matches("\\[3\\] \\d\\d:\\d\\d \\* alice waves");

      alice.type("/names");
      alice.awaitLine("* #team: alice, bob", WAIT);

      alice.type("/react 2 +1");
      alice.awaitLine("* you reacted +1 to [2]", WAIT);
      bob.awaitLine("[2] alice reacted +1", WAIT);

      alice.type("/edit 2 not yours");
      alice.awaitLine("! you can only edit your own messages: [2] is bob's", WAIT);
      assertThat(alice.transcript()).noneMatch(l -> l.matches(".*[0-9a-f]{8}-[0-9a-f]{4}-.*"));

      alice.type("/help");
      alice.awaitLine("* a line (message or command) is at most 4000 characters", WAIT);
      alice.type("x".repeat(CommandParser.MAX_LINE + 1));
      alice.awaitLine("! line too long (4001 > 4000 characters)", WAIT);
    }
  }

  @Test
  void weakPassword_isAskedAgain_beforeAnythingIsSent() throws Exception {
    try (ConsoleDriver carol = server.start("carol", server.options("carol", true))) {
      carol.type("short");
      carol.awaitLine("! a password needs at least 8 characters; try again", WAIT);
      carol.type("long enough now");
      carol.awaitLine("signed in as carol", WAIT);
      assertThat(carol.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  @Test
  void prompt_showsTheSelfDestructDelayAsPeopleWriteIt() throws Exception {
    try (ConsoleDriver dora = server.console("dora")) {
      dora.type("/create notes");
      dora.awaitLine("now in #notes", WAIT);
      dora.type("/expire 10s");
      dora.awaitLine("self-destruct 10s after sending", WAIT);
      dora.type("/expire 1h30m");
      dora.awaitLine("self-destruct 1h30m after sending", WAIT);
      assertThat(dora.prompt()).isEqualTo("dora@#notes (expire 1h30m)> ");
    }
  }
}
