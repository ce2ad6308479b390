package io.ciphertalk.examples.console;

import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.Room;
import io.ciphertalk.client.RoomUnavailableException;
import io.ciphertalk.client.SendOptions;
import io.ciphertalk.core.model.MessageId;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The console's chat logic on top of the SDK's public API: executes {@link Command}s against a
 * {@link CipherTalkClient} and renders the client's events ({@link #listener()}) with a
 * {@link Renderer} to a {@link ConsoleOutput}.
 *
 * <p>This class dispatches commands and runs the message commands (send, reply, edit, delete,
 * react, expire, history, search); the other jobs have their own classes: {@link RoomCommands}
 * (rooms and contacts), {@link FileCommands}, {@link AccountCommands} (identity and devices),
 * {@link EventPrinter} (SDK events), {@link MessagePrinter} (how a message is shown),
 * {@link MessageNumbers} (the numbers and marks, saved in the client's store) and
 * {@link ConsoleView} (the view state they share: the current room, each room's self-destruct
 * setting, who is typing).
 *
 * <p>Thread-safe: commands come from the input thread, events from the SDK's callback thread; view
 * state is guarded by locks that are never held across an SDK request to the server.
 */
public final class ChatSession {
  /** How often a keystroke may repeat the "typing" signal. */
  static final Duration TYPING_REFRESH = Duration.ofSeconds(3);

  /** The most results {@code /search} shows. */
  static final int SEARCH_LIMIT = 20;

  private final Renderer renderer;
  private final ConsoleOutput out;
  private final Clock clock;
  private final ConsoleView view = new ConsoleView();
  private final MessageNumbers numbers = new MessageNumbers(view);
  private final MessagePrinter printer;
  private final RoomCommands rooms;
  private final FileCommands files;
  private final AccountCommands account;
  private final EventPrinter events;

  /** A session that renders with {@code renderer} to {@code out}; attach a client with {@link #attach}. */
  public ChatSession(Renderer renderer, ConsoleOutput out, Clock clock) {
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.out = Objects.requireNonNull(out, "out");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.printer = new MessagePrinter(view, numbers, renderer, out);
    this.rooms = new RoomCommands(view, printer, renderer, out);
    this.files = new FileCommands(view, numbers, printer, renderer, out);
    this.account = new AccountCommands(view, renderer, out);
    this.events = new EventPrinter(view, numbers, printer, renderer, out);
  }

  /** The listener to register on the client: it renders the client's events. */
  public ChatListener listener() {
    return events;
  }

  /** Binds the client this session drives (its {@link #listener()} must be one of its listeners). */
  public void attach(CipherTalkClient client, String selfUserId) {
    view.attach(client, selfUserId);
  }

  /** Stops rendering events (called before the client closes, so late events are ignored). */
  public void stop() {
    events.stop();
  }

  /** The prompt for the line editor: {@code alice@#team> }. */
  public String prompt() {
    try {
      return view.prompt();
    } catch (RuntimeException e) {
      return view.self() + "> "; // the room's state is unreadable: the next command says why
    }
  }

  /**
   * Executes one command.
   *
   * @return false when the user asked to quit
   */
  public boolean execute(Command command) {
    try {
      return run(command);
    } catch (RuntimeException e) {
      out.println(describe(e));
    }
    return true;
  }

  /**
   * One line for any failure of a command: the console's top-level guard. Whatever the SDK (or the
   * console itself) throws, the user sees one line and the console keeps running.
   */
  String describe(RuntimeException e) {
    if (e instanceof RoomUnavailableException r) {
      String name = view.knownLabel(r.roomId());
      view.leaveIfCurrent(r.roomId());
      return renderer.error("you are no longer in " + name + " (/rooms lists your rooms)");
    }
    if (e instanceof AuthenticationException) {
      return renderer.error("the server no longer accepts this session: " + e.getMessage()
          + " (/login signs in again)");
    }
    if (e instanceof RequestFailedException r && r.code().equals("not_connected")) {
      return renderer.error("offline: that needs the server (" + e.getMessage() + ")");
    }
    if (e instanceof CipherTalkException) {
      return renderer.error("the server refused: " + e.getMessage());
    }
    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      return renderer.error(String.valueOf(e.getMessage()));
    }
    return renderer.error("internal error (" + e.getClass().getSimpleName() + ": "
        + e.getMessage() + "); the console keeps running");
  }

  /** Whether the server ended this device's session (revoked token, deleted account). */
  public boolean sessionEnded() {
    return events.sessionEnded();
  }

  /** After a successful {@code /login}: the session is live again. */
  void sessionResumed() {
    events.sessionResumed();
  }

  /** Learns the labels of every room the client has (called once signed in). */
  public void rememberRooms() {
    view.rememberRooms();
  }

  /** Called on each keystroke of the line editor: signals "typing" at most every 3 seconds. */
  public void keystroke() {
    Optional<Room> room = view.typingSignalDue(clock.instant(), TYPING_REFRESH);
    if (room.isEmpty()) {
      return;
    }
    try {
      room.get().typing(true);
    } catch (RuntimeException e) {
      // a keystroke must never end the console; the next command reports what is wrong
    }
  }

  private boolean run(Command c) throws CipherTalkException {
    if (c instanceof Command.Nothing) {
      return true;
    }
    if (c instanceof Command.Quit) {
      return false;
    }
    if (rooms.run(c) || account.run(c)) {
      return true;
    }
    CipherTalkClient client = view.client();
    if (c instanceof Command.Help) {
      renderer.help().forEach(out::println);
    } else if (c instanceof Command.Send s) {
      send(s.text(), Optional.empty());
    } else if (c instanceof Command.Reply r) {
      MessageNumbers.Ref target = numbers.ref(r.number());
      view.requireCurrent(target.roomId());
      send(r.text(), Optional.of(target.id()));
    } else if (c instanceof Command.Edit e) {
      MessageNumbers.Ref target = numbers.ref(e.number());
      requireOwn(target, e.number(), "edit");
      view.room(target.roomId()).edit(target.id(), e.text());
      out.println(renderer.info("edited [" + e.number() + "]"));
    } else if (c instanceof Command.SendFile f) {
      files.sendFile(f.path());
    } else if (c instanceof Command.Download d) {
      files.download(d);
    } else if (c instanceof Command.Delete d) {
      MessageNumbers.Ref target = numbers.ref(d.number());
      requireOwn(target, d.number(), "delete");
      view.room(target.roomId()).deleteForEveryone(target.id());
      out.println(renderer.info("deleted [" + d.number() + "] for everyone"));
    } else if (c instanceof Command.React r) {
      MessageNumbers.Ref target = numbers.ref(r.number());
      view.room(target.roomId()).react(target.id(), r.emoji());
      out.println(renderer.info("you reacted " + r.emoji() + " to [" + r.number() + "]"));
    } else if (c instanceof Command.Expire e) {
      Room room = view.requireCurrent(null);
      view.setExpiry(room.id(), e.after());
      out.println(renderer.info(e.after()
          .map(d -> "your next messages in " + view.label(room) + " self-destruct "
              + ConsoleView.human(d) + " after sending (/expire off to stop)")
          .orElse("self-destruct is off in " + view.label(room))));
    } else if (c instanceof Command.History h) {
      Room room = view.requireCurrent(null);
      for (Message m : room.history(h.limit())) {
        printer.show(m, Optional.empty(), false);
      }
    } else if (c instanceof Command.Search q) {
      List<Message> found = client.search(q.text(), SEARCH_LIMIT);
      out.println(renderer.info(found.isEmpty() ? "nothing in your history matches '"
          + Renderer.oneLine(q.text()) + "'" : found.size() + (found.size() == SEARCH_LIMIT
          ? "+" : "") + " message(s) match '" + Renderer.oneLine(q.text()) + "', newest first:"));
      for (Message m : found) {
        printer.show(m, Optional.empty(), false);
      }
    } else if (c instanceof Command.Me m) {
      send(Renderer.ACTION_PREFIX + m.action(), Optional.empty());
    } else if (c instanceof Command.Typing t) {
      view.requireCurrent(null).typing(t.typing());
    }
    return true;
  }

  private void send(String text, Optional<MessageId> replyTo) {
    Room room = view.requireCurrent(null);
    SendOptions.Builder options = SendOptions.builder();
    replyTo.ifPresent(options::replyTo);
    Duration after = view.expiry(room.id());
    if (after != null) {
      options.expiresAfter(after);
    }
    MessageId id = room.send(text, options.build());
    Mark mark = view.client().connectionState() == ConnectionState.CONNECTED
        ? Mark.SENT : Mark.QUEUED;
    numbers.advance(room.id(), id, mark);
    view.resetTypingSignal();
    printer.showSent(room, id, text, mark);
  }

  private void requireOwn(MessageNumbers.Ref target, int number, String verb) {
    if (!target.senderUserId().equals(view.self())) {
      throw new IllegalArgumentException("you can only " + verb + " your own messages: [" + number
          + "] is " + target.senderUserId() + "'s");
    }
  }
}
