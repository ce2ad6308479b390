package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandParserTest {
  private final CommandParser parser = new CommandParser();

  @Test
  void plainText_isSentToTheCurrentRoom() throws Exception {
    assertThat(parser.parse("  hello there ")).isEqualTo(new Command.Send("hello there"));
  }

  @Test
  void doubleSlash_sendsTextStartingWithASlash() throws Exception {
    assertThat(parser.parse("//shrug")).isEqualTo(new Command.Send("/shrug"));
  }

  @Test
  void blankLine_doesNothing_andEndOfInputQuits() throws Exception {
    assertThat(parser.parse("   ")).isEqualTo(new Command.Nothing());
    assertThat(parser.parse(null)).isEqualTo(new Command.Quit());
  }

  @Test
  void reply_takesTheMessageNumberAndTheRestOfTheLine() throws Exception {
    assertThat(parser.parse("/reply 3 sounds  good")).isEqualTo(new Command.Reply(3, "sounds  good"));
    assertThat(parser.parse("/r #12 ok")).isEqualTo(new Command.Reply(12, "ok"));
  }

  @Test
  void reply_withoutText_orWithABadNumber_isRejectedWithUsage() {
    assertThatThrownBy(() -> parser.parse("/reply 3")).hasMessageContaining("usage: /reply N TEXT");
    assertThatThrownBy(() -> parser.parse("/reply x hi")).hasMessageContaining("not a message number");
    assertThatThrownBy(() -> parser.parse("/reply 0 hi")).hasMessageContaining("start at 1");
  }

  @Test
  void editDeleteAndReact_parseTheirArguments() throws Exception {
    assertThat(parser.parse("/edit 2 fixed typo")).isEqualTo(new Command.Edit(2, "fixed typo"));
    assertThat(parser.parse("/delete 5")).isEqualTo(new Command.Delete(5));
    assertThat(parser.parse("/react 5 👍")).isEqualTo(new Command.React(5, "👍"));
    assertThatThrownBy(() -> parser.parse("/delete 5 6")).hasMessageContaining("usage: /delete N");
  }

  @Test
  void expire_acceptsUnitsAndCombinations_andOff() throws Exception {
    assertThat(parser.parse("/expire 30s")).isEqualTo(new Command.Expire(Optional.of(Duration.ofSeconds(30))));
    assertThat(parser.parse("/expire 1h30m"))
        .isEqualTo(new Command.Expire(Optional.of(Duration.ofMinutes(90))));
    assertThat(parser.parse("/expire 2D")).isEqualTo(new Command.Expire(Optional.of(Duration.ofDays(2))));
    assertThat(parser.parse("/expire off")).isEqualTo(new Command.Expire(Optional.empty()));
  }

  @Test
  void expire_rejectsGarbageZeroAndMoreThanThirtyDays() {
    assertThatThrownBy(() -> parser.parse("/expire soon")).hasMessageContaining("not a delay");
    assertThatThrownBy(() -> parser.parse("/expire 30")).hasMessageContaining("not a delay");
    assertThatThrownBy(() -> parser.parse("/expire 30s5")).hasMessageContaining("not a delay");
    assertThatThrownBy(() -> parser.parse("/expire 0s")).hasMessageContaining("positive");
    assertThatThrownBy(() -> parser.parse("/expire 31d")).hasMessageContaining("at most 30 days");
    assertThatThrownBy(() -> parser.parse("/expire")).hasMessageContaining("usage: /expire");
  }

  @Test
  void roomCommands_parseUsersAndRoomNames() throws Exception {
    assertThat(parser.parse("/dm bob")).isEqualTo(new Command.OpenPrivate("bob"));
    assertThat(parser.parse("/create team bob carol"))
        .isEqualTo(new Command.CreateGroup("team", List.of("bob", "carol")));
    assertThat(parser.parse("/create solo")).isEqualTo(new Command.CreateGroup("solo", List.of()));
    assertThat(parser.parse("/join 2")).isEqualTo(new Command.Join("2"));
    assertThat(parser.parse("/switch #team")).isEqualTo(new Command.Join("#team"));
    assertThat(parser.parse("/invite carol")).isEqualTo(new Command.Invite("carol"));
    assertThat(parser.parse("/remove carol")).isEqualTo(new Command.Remove("carol"));
    assertThat(parser.parse("/leave")).isEqualTo(new Command.Leave());
    assertThat(parser.parse("/rooms")).isEqualTo(new Command.ListRooms());
    assertThat(parser.parse("/members")).isEqualTo(new Command.Members());
    assertThat(parser.parse("/history")).isEqualTo(new Command.History(20));
    assertThat(parser.parse("/history 5")).isEqualTo(new Command.History(5));
  }

  @Test
  void userNames_thatTheSdkWouldRefuse_areRejectedEarly() {
    assertThatThrownBy(() -> parser.parse("/dm bob smith")).hasMessageContaining("usage: /dm USER");
    assertThatThrownBy(() -> parser.parse("/invite b@d")).hasMessageContaining("not a user name");
    assertThatThrownBy(() -> parser.parse("/create team ok b@d")).hasMessageContaining("not a user name");
  }

  @Test
  void contactAndPresenceCommands_parse() throws Exception {
    assertThat(parser.parse("/add bob Bob Builder")).isEqualTo(new Command.AddContact("bob", "Bob Builder"));
    assertThat(parser.parse("/add bob")).isEqualTo(new Command.AddContact("bob", ""));
    assertThat(parser.parse("/block mallory")).isEqualTo(new Command.Block("mallory", true));
    assertThat(parser.parse("/unblock mallory")).isEqualTo(new Command.Block("mallory", false));
    assertThat(parser.parse("/contacts")).isEqualTo(new Command.ListContacts());
    assertThat(parser.parse("/who")).isEqualTo(new Command.Who());
    assertThat(parser.parse("/typing")).isEqualTo(new Command.Typing(true));
    assertThat(parser.parse("/typing off")).isEqualTo(new Command.Typing(false));
    assertThat(parser.parse("/safety bob")).isEqualTo(new Command.Safety("bob"));
    assertThat(parser.parse("/trust bob 12345 67890")).isEqualTo(new Command.Trust("bob", "12345 67890"));
    assertThat(parser.parse("/verify bob")).isEqualTo(new Command.Safety("bob"));
    assertThat(parser.parse("/link")).isEqualTo(new Command.Link());
    assertThat(parser.parse("/approve 0400-0002")).isEqualTo(new Command.Approve("0400-0002"));
    assertThat(parser.parse("/devices")).isEqualTo(new Command.Devices());
    assertThat(parser.parse("/revoke 2")).isEqualTo(new Command.Revoke(2));
  }

  @Test
  void commandNames_areCaseInsensitive_andUnknownOnesPointToHelp() throws Exception {
    assertThat(parser.parse("/HELP")).isEqualTo(new Command.Help());
    assertThat(parser.parse("/Quit")).isEqualTo(new Command.Quit());
    assertThatThrownBy(() -> parser.parse("/frobnicate")).isInstanceOf(CommandSyntaxException.class)
        .hasMessage("unknown command /frobnicate (try /help)");
  }

  @Test
  void fileCommands_parseTheirPathAndNumber() throws Exception {
    assertThat(parser.parse("/send /tmp/a b.txt")).isEqualTo(new Command.SendFile("/tmp/a b.txt"));
    assertThat(parser.parse("/send-file \"x y.png\"")).isEqualTo(new Command.SendFile("x y.png"));
    assertThat(parser.parse("/download 3")).isEqualTo(new Command.Download(3, java.util.Optional.empty()));
    assertThat(parser.parse("/save 3 out/dir")).isEqualTo(new Command.Download(3, java.util.Optional.of("out/dir")));
    assertThatThrownBy(() -> parser.parse("/send")).hasMessageContaining("usage: /send FILE");
    assertThatThrownBy(() -> parser.parse("/download x")).isInstanceOf(CommandSyntaxException.class);
  }

  @Test
  void overlongLine_isRejected_notTruncated() {
    String line = "x".repeat(CommandParser.MAX_LINE + 1);
    assertThatThrownBy(() -> parser.parse(line)).hasMessageContaining("line too long");
  }

  @Test
  void everyCommandListedInHelp_isAcceptedByTheParser() {
    for (CommandParser.Usage u : CommandParser.USAGES) {
      if (!u.syntax().startsWith("/")) {
        continue;
      }
      String name = u.syntax().split(" ")[0];
      try {
        parser.parse(name);
      } catch (CommandSyntaxException e) {
        assertThat(e.getMessage()).as(name).doesNotContain("unknown command");
      }
    }
  }
}
