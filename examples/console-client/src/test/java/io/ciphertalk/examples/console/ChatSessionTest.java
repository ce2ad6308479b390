package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.Presence;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The session's reaction to SDK events that the end-to-end tests cannot provoke on demand (the
 * server refuses a device whose identity key changes, so a changed key is delivered here directly).
 */
class ChatSessionTest {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<String> statuses = new CopyOnWriteArrayList<>();
  private final ChatSession session = new ChatSession(new Renderer(ZoneId.of("UTC")),
      new ConsoleOutput() {
        @Override
        public void println(String line) {
          lines.add(line);
        }

        @Override
        public void status(String text) {
          statuses.add(text);
        }
      }, Clock.systemUTC());

  @Test
  void identityKeyChange_printsTheNoticeWithTheNumberToCompare_andHowToTrust() {
    session.listener().onIdentityKeyChanged(new ChatEvent.IdentityKeyChanged("bob", 2, "31415 92653 58979", false));
    assertThat(lines).contains("!   New safety number: 31415 92653 58979");
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("type /trust bob"));
  }

  @Test
  void presenceOfOthers_isPrinted_butNotOurOwn() {
    session.listener().onPresence(new ChatEvent.PresenceChanged(new Presence("bob", true, Optional.empty())));
    session.listener().onPresence(new ChatEvent.PresenceChanged(new Presence("", true, Optional.empty())));
    assertThat(lines).containsExactly("* bob is online");
  }

  @Test
  void commandsNeedingARoom_explainWhatToDoFirst() {
    assertThat(session.execute(new Command.Send("hi"))).isTrue();
    assertThat(lines).containsExactly(
        "! no current room: /dm USER, /create NAME or /join ROOM first");
    assertThat(session.execute(new Command.Quit())).isFalse();
  }
}
