package io.ciphertalk.examples.console;

import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.MessageId;
import java.util.Objects;
import java.util.Optional;

/**
 * Prints messages and the typing line: a message with its number, the room it is in when that is
 * not the current room, the message it replies to, the mark of the user's own messages and the
 * line of its file. Thread-safe (it keeps no state of its own).
 */
final class MessagePrinter {
  private final ConsoleView view;
  private final MessageNumbers numbers;
  private final Renderer renderer;
  private final ConsoleOutput out;

  MessagePrinter(ConsoleView view, MessageNumbers numbers, Renderer renderer, ConsoleOutput out) {
    this.view = Objects.requireNonNull(view, "view");
    this.numbers = Objects.requireNonNull(numbers, "numbers");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.out = Objects.requireNonNull(out, "out");
  }

  void show(Message m, Optional<Message> replyTarget, boolean live) {
    CipherTalkClient client = view.client();
    String self = view.self();
    int n = numbers.number(m.roomId(), m.id(), m.senderUserId());
    Optional<Renderer.Quote> quote = replyTarget
        .or(() -> m.replyTo().flatMap(id -> client.room(m.roomId()).flatMap(r -> find(r, id))))
        .map(t -> new Renderer.Quote(numbers.number(t.roomId(), t.id(), t.senderUserId()), t));
    boolean inCurrent = view.isCurrent(m.roomId());
    Optional<Mark> mark = m.senderUserId().equals(self)
        ? Optional.of(numbers.mark(m.roomId(), m.id())) : Optional.empty();
    Optional<String> roomLabel = inCurrent ? Optional.empty()
        : client.room(m.roomId()).map(view::label);
    out.println(renderer.message(n, m, roomLabel, quote, mark));
    client.attachment(m.id()).ifPresent(a -> out.println(renderer.info("  file [" + n + "]: "
        + Renderer.oneLine(a.name()) + ", " + Renderer.size(a.size()) + ", " + a.mimeType()
        + (a.thumbnail().isPresent() ? ", with thumbnail" : "") + " (/download " + n + ")")));
  }

  /** Shows a message just sent from this console, from the local history if it is there. */
  void showSent(Room room, MessageId id, String text, Mark mark) {
    // the SDK stored the message in the local history: render it from there, as peers will see it
    Optional<Message> stored = find(room, id);
    if (stored.isPresent()) {
      show(stored.get(), Optional.empty(), false);
    } else {
      out.println("[" + numbers.number(room.id(), id, view.self()) + "] " + view.self() + ": "
          + Renderer.oneLine(text) + " [" + mark.label() + "]");
    }
  }

  static Optional<Message> find(Room room, MessageId id) {
    for (Message m : room.history(20)) {
      if (m.id().equals(id)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** Shows who is typing in the current room on the status line (clears it if nobody is). */
  void refreshTyping() {
    out.status(renderer.typing(view.typingInCurrent()));
  }
}
