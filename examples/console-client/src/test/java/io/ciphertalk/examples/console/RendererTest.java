package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.client.Presence;
import io.ciphertalk.client.ReceiptKind;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RendererTest {
  private static final Instant T = Instant.parse("2026-11-26T12:04:05Z");
  private final Renderer r = new Renderer(ZoneId.of("UTC"));

  private static Message msg(String from, String text) {
    return new Message(new MessageId(UUID.randomUUID()), "room-1", from, 1, T, text,
        Optional.empty(), Optional.empty(), false, false, Map.of());
  }

  @Test
  void progressBar_fillsWithTheBytesDone_andNeverOverflows() {
    assertThat(Renderer.progress("sending a.bin", 0, 10 * 1024 * 1024))
        .isEqualTo("sending a.bin [--------------------]   0% 0 B/10.0 MiB");
    assertThat(Renderer.progress("sending a.bin", 4_718_592, 10 * 1024 * 1024))
        .isEqualTo("sending a.bin [#########-----------]  45% 4.5 MiB/10.0 MiB");
    assertThat(Renderer.progress("receiving a.bin", 10 * 1024 * 1024, 10 * 1024 * 1024))
        .isEqualTo("receiving a.bin [####################] 100% 10.0 MiB/10.0 MiB");
    // An empty file is done at once; a count past the total is shown as full, not wider.
    assertThat(Renderer.progress("x", 0, 0)).startsWith("x [####################] 100%");
    assertThat(Renderer.progress("x", 20, 10)).startsWith("x [####################] 100%");
  }

  @Test
  void message_showsNumberTimeSenderAndText() {
    assertThat(r.message(3, msg("alice", "hello"), Optional.empty(), Optional.empty(), Optional.empty()))
        .isEqualTo("[3] 12:04 alice: hello");
  }

  @Test
  void ownMessage_showsItsMark() {
    assertThat(r.message(4, msg("alice", "hi"), Optional.empty(), Optional.empty(), Optional.of(Mark.READ)))
        .isEqualTo("[4] 12:04 alice: hi [read]");
  }

  @Test
  void messageInAnotherRoom_namesTheRoom() {
    assertThat(r.message(5, msg("bob", "yo"), Optional.of("#team"), Optional.empty(), Optional.empty()))
        .isEqualTo("[5] 12:04 #team bob: yo");
  }

  @Test
  void reply_quotesTheNumberedTargetAndTruncatesLongText() {
    Message target = msg("alice", "a rather long message that goes on and on and on");
    Message reply = new Message(new MessageId(UUID.randomUUID()), "room-1", "bob", 1, T, "agreed",
        Optional.of(target.id()), Optional.empty(), false, false, Map.of());
    String line = r.message(7, reply, Optional.empty(), Optional.of(new Renderer.Quote(3, target)),
        Optional.empty());
    assertThat(line).isEqualTo("[7] 12:04 bob (reply to [3] alice: \"a rather long message that goes…\"): agreed");
  }

  @Test
  void replyWhoseTargetIsNotKnownLocally_saysSo() {
    Message reply = new Message(new MessageId(UUID.randomUUID()), "room-1", "bob", 1, T, "agreed",
        Optional.of(new MessageId(UUID.randomUUID())), Optional.empty(), false, false, Map.of());
    assertThat(r.message(8, reply, Optional.empty(), Optional.empty(), Optional.empty()))
        .contains("(reply to an earlier message)");
  }

  @Test
  void selfDestructingEditedAndReactedMessage_showsAllThree() {
    Message m = new Message(new MessageId(UUID.randomUUID()), "room-1", "bob", 1, T, "secret",
        Optional.empty(), Optional.of(T.plusSeconds(30)), true, false, Map.of("👍", Set.of("a", "b")));
    assertThat(r.message(1, m, Optional.empty(), Optional.empty(), Optional.empty()))
        .isEqualTo("[1] 12:04 bob: secret (expires 12:04:35) (edited) 👍2");
  }

  @Test
  void controlCharactersFromTheNetwork_cannotRedrawTheScreen() {
    String line = r.message(1, msg("mallory", "hi\u001b[2J\nthere\u0007"), Optional.empty(),
        Optional.empty(), Optional.empty());
    assertThat(line).isEqualTo("[1] 12:04 mallory: hi?[2J there?").doesNotContain("\u001b");
  }

  @Test
  void receipts_sayDeliveredToAndReadBy() {
    assertThat(r.receipt(3, "bob", ReceiptKind.DELIVERED)).isEqualTo("  [3] delivered to bob");
    assertThat(r.receipt(3, "bob", ReceiptKind.READ)).isEqualTo("  [3] read by bob");
  }

  @Test
  void typingLine_namesUpToThreePeople() {
    assertThat(r.typing(List.of())).isEmpty();
    assertThat(r.typing(List.of("alice"))).isEqualTo("alice is typing…");
    assertThat(r.typing(List.of("alice", "bob"))).isEqualTo("alice and bob are typing…");
    assertThat(r.typing(List.of("a", "b", "c"))).isEqualTo("a, b and c are typing…");
    assertThat(r.typing(List.of("a", "b", "c", "d"))).isEqualTo("4 people are typing…");
  }

  @Test
  void presence_showsOnlineOrLastSeen() {
    assertThat(r.presence(new Presence("bob", true, Optional.empty()))).isEqualTo("* bob is online");
    assertThat(r.presence(new Presence("bob", false, Optional.of(T))))
        .isEqualTo("* bob is offline, last seen 2026-11-26 12:04");
    assertThat(r.presence(new Presence("bob", false, Optional.empty()))).isEqualTo("* bob is offline");
  }

  @Test
  void identityChange_showsTheNewSafetyNumberAndHowToAcceptIt() {
    List<String> lines = r.identityChanged(new ChatEvent.IdentityKeyChanged("bob", 2, "12345 67890", false));
    assertThat(String.join("\n", lines))
        .contains("safety number with bob changed (device 2)")
        .contains("New safety number: 12345 67890")
        .contains("/trust bob");
  }

  @Test
  void safetyNumbers_areShownInGroupsOfFiveDigits() {
    assertThat(r.safetyNumber("bob", "123456789012345"))
        .isEqualTo("* safety number with bob: 12345 67890 12345");
    assertThat(Renderer.groupDigits("1234567")).isEqualTo("1234567");
    assertThat(Renderer.groupDigits("not digits")).isEqualTo("not digits");
  }

  @Test
  void newDeviceOfAContact_isAnnouncedWithItsSafetyNumber_withoutAskingForTrust() {
    List<String> lines = r.identityChanged(new ChatEvent.IdentityKeyChanged("bob", 3, "271 828", true));
    assertThat(String.join("\n", lines))
        .contains("bob has a new device (device 3)")
        .contains("Safety number with that device: 271 828")
        .doesNotContain("/trust");
  }

  @Test
  void membership_isToldFromTheUsersPointOfView() {
    assertThat(r.membership(new ChatEvent.MembershipChanged("r", "alice",
        ChatEvent.MembershipChange.JOINED, Optional.of(Role.MEMBER)), "#team", "alice"))
        .isEqualTo("* you were added to #team (type /join team)");
    assertThat(r.membership(new ChatEvent.MembershipChanged("r", "bob",
        ChatEvent.MembershipChange.JOINED, Optional.of(Role.ADMIN)), "#team", "alice"))
        .isEqualTo("* bob joined #team as admin");
    assertThat(r.membership(new ChatEvent.MembershipChanged("r", "bob",
        ChatEvent.MembershipChange.REMOVED, Optional.empty()), "#team", "alice"))
        .isEqualTo("* bob was removed from #team");
  }

  @Test
  void rooms_membersAndContacts_renderAsRows() {
    assertThat(Renderer.roomLabel(RoomKind.GROUP, "team")).isEqualTo("#team");
    assertThat(Renderer.roomLabel(RoomKind.PRIVATE, "bob")).isEqualTo("@bob");
    assertThat(r.roomRow(1, "#team", RoomKind.GROUP, 3, 2, true))
        .isEqualTo("  1) #team (group, 3 members), 2 unread  <- current");
    assertThat(r.roomRow(2, "@bob", RoomKind.PRIVATE, 2, 0, false)).isEqualTo("  2) @bob (private)");
    assertThat(r.members(Map.of("zoe", Role.MEMBER, "alice", Role.OWNER, "bob", Role.MEMBER)))
        .containsExactly("  alice (owner)", "  bob (member)", "  zoe (member)");
    assertThat(r.contact(new Contact("bob", "Bob", true))).isEqualTo("  bob \"Bob\" (blocked)");
  }

  @Test
  void help_listsEveryCommandAligned() {
    List<String> help = r.help();
    assertThat(help).hasSize(CommandParser.USAGES.size() + 2);
    assertThat(help.get(help.size() - 1)).contains("at most 4000 characters");
    assertThat(help).anySatisfy(l -> assertThat(l).startsWith("  /expire 30s|5m|1h|2d|off"));
    int column = help.get(1).indexOf("send TEXT");
    assertThat(help.get(2).indexOf("reply to message")).isEqualTo(column);
  }

  @Test
  void roomNumbers_roundTripThroughTheirEncoding_andMarksOnlyMoveForward() {
    RoomNumbers v = new RoomNumbers();
    io.ciphertalk.core.model.MessageId a = io.ciphertalk.core.model.MessageId.parse(
        "00000000-0000-7000-8000-000000000001");
    io.ciphertalk.core.model.MessageId b = io.ciphertalk.core.model.MessageId.parse(
        "00000000-0000-7000-8000-000000000002");
    assertThat(v.number(a, "alice")).isEqualTo(1);
    assertThat(v.number(b, "bob")).isEqualTo(2);
    assertThat(v.advance(a, "alice", Mark.READ)).isTrue();
    assertThat(v.advance(a, "alice", Mark.DELIVERED)).isFalse();
    RoomNumbers back = RoomNumbers.decode(v.encode());
    assertThat(back.known(a)).contains(1);
    assertThat(back.entry(2).orElseThrow().senderUserId()).isEqualTo("bob");
    assertThat(back.mark(a)).isEqualTo(Mark.READ);
    assertThat(back.number(io.ciphertalk.core.model.MessageId.parse(
        "00000000-0000-7000-8000-000000000003"), "carol")).as("numbers are never reused").isEqualTo(3);
    byte[] damaged = v.encode();
    damaged[5] = 0x7f; // a count far beyond the limit
    assertThat(RoomNumbers.decode(damaged).known(a)).as("a damaged record starts afresh").isEmpty();
  }

  @Test
  void marks_onlyMoveForward() {
    assertThat(Mark.SENT.max(Mark.DELIVERED)).isEqualTo(Mark.DELIVERED);
    assertThat(Mark.READ.max(Mark.DELIVERED)).isEqualTo(Mark.READ);
    assertThat(Mark.QUEUED.max(Mark.SENT)).isEqualTo(Mark.SENT);
  }
}
