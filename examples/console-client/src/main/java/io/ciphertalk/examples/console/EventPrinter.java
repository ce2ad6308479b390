package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.ReceiptKind;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.RoomKind;
import java.util.Objects;
import java.util.Optional;

/**
 * The console's {@link ChatListener}: renders the SDK's events (messages, edits, receipts, typing,
 * presence, membership, identity and session changes) for a {@link ChatSession}. Called on the
 * SDK's callback thread; thread-safe.
 */
final class EventPrinter implements ChatListener {
  private final ConsoleView view;
  private final MessageNumbers numbers;
  private final MessagePrinter printer;
  private final Renderer renderer;
  private final ConsoleOutput out;

  private volatile boolean stopped;
  /** Set by a {@link ChatEvent.SessionEnded}; {@link ConsoleApp} offers {@code /login}. */
  private volatile boolean sessionEnded;
  private volatile ConnectionState lastState = ConnectionState.DISCONNECTED;

  EventPrinter(ConsoleView view, MessageNumbers numbers, MessagePrinter printer, Renderer renderer,
      ConsoleOutput out) {
    this.view = Objects.requireNonNull(view, "view");
    this.numbers = Objects.requireNonNull(numbers, "numbers");
    this.printer = Objects.requireNonNull(printer, "printer");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** Stops rendering events (late events after this are ignored). */
  void stop() {
    stopped = true;
  }

  boolean sessionEnded() {
    return sessionEnded;
  }

  void sessionResumed() {
    sessionEnded = false;
  }

  @Override
  public void onMessage(ChatEvent.MessageReceived e) {
    if (stopped) {
      return;
    }
    Message m = e.message();
    String self = view.self();
    if (m.senderUserId().equals(self) && numbers.known(m.roomId(), m.id()).isPresent()) {
      return; // already shown when it was sent from this console
    }
    view.stoppedTyping(m.roomId(), m.senderUserId());
    boolean inCurrent = view.isCurrent(m.roomId());
    printer.refreshTyping();
    printer.show(m, e.replyTarget(), true);
    if (inCurrent && !m.senderUserId().equals(self)) {
      view.client().room(m.roomId()).ifPresent(Room::markRead);
    }
  }

  @Override
  public void onEdited(ChatEvent.MessageEdited e) {
    if (stopped) {
      return;
    }
    Message m = e.message();
    out.println(renderer.edited(numbers.number(m.roomId(), m.id(), m.senderUserId()), m));
  }

  @Override
  public void onDeleted(ChatEvent.MessageDeleted e) {
    if (stopped) {
      return;
    }
    out.println(renderer.deleted(numbers.number(e.roomId(), e.messageId(), e.byUserId()),
        e.byUserId()));
  }

  @Override
  public void onExpired(ChatEvent.MessageExpired e) {
    if (stopped) {
      return;
    }
    numbers.known(e.roomId(), e.messageId()).ifPresent(n -> out.println(renderer.expired(n)));
  }

  @Override
  public void onReaction(ChatEvent.ReactionChanged e) {
    if (stopped) {
      return;
    }
    out.println(renderer.reaction(numbers.number(e.roomId(), e.messageId(),
        e.target().map(Message::senderUserId).orElse("")), e.userId(), e.emoji(), e.added()));
  }

  @Override
  public void onReceipt(ChatEvent.ReceiptReceived e) {
    if (stopped) {
      return;
    }
    String self = view.self();
    if (e.userId().equals(self)) {
      return; // our own other device: not news
    }
    Mark mark = e.kind() == ReceiptKind.READ ? Mark.READ : Mark.DELIVERED;
    numbers.advance(e.roomId(), e.messageId(), mark);
    out.println(renderer.receipt(numbers.number(e.roomId(), e.messageId(), self), e.userId(),
        e.kind()));
  }

  @Override
  public void onTyping(ChatEvent.TypingChanged e) {
    if (stopped) {
      return;
    }
    if (e.userId().equals(view.self())) {
      return;
    }
    view.typing(e.roomId(), e.userId(), e.typing());
    printer.refreshTyping();
  }

  @Override
  public void onPresence(ChatEvent.PresenceChanged e) {
    if (stopped) {
      return;
    }
    if (!e.presence().userId().equals(view.self())) {
      out.println(renderer.presence(e.presence()));
    }
  }

  @Override
  public void onMembership(ChatEvent.MembershipChanged e) {
    if (stopped) {
      return;
    }
    String self = view.self();
    Optional<Room> room = view.client().room(e.roomId());
    if (room.isPresent() && room.get().kind() == RoomKind.PRIVATE
        && e.change() == ChatEvent.MembershipChange.JOINED && !e.userId().equals(self)) {
      return; // the other party of a new private room: not news
    }
    String roomLabel = view.knownLabel(e.roomId());
    out.println(renderer.membership(e, roomLabel, self));
    boolean gone = e.userId().equals(self) && (e.change() == ChatEvent.MembershipChange.REMOVED
        || e.change() == ChatEvent.MembershipChange.LEFT);
    if (gone && view.leaveIfCurrent(e.roomId())) {
      out.println(renderer.info("no current room now: /rooms, /join ROOM or /dm USER"));
    }
  }

  @Override
  public void onTopicChanged(ChatEvent.RoomTopicChanged e) {
    if (stopped) {
      return;
    }
    String who = e.byUserId().equals(view.self()) ? "you" : e.byUserId();
    String where = view.knownLabel(e.roomId());
    out.println(renderer.info(e.topic().isEmpty() ? who + " cleared the topic of " + where
        : who + " set the topic of " + where + ": " + Renderer.oneLine(e.topic())));
  }

  @Override
  public void onIdentityKeyChanged(ChatEvent.IdentityKeyChanged e) {
    if (stopped) {
      return;
    }
    renderer.identityChanged(e).forEach(out::println);
  }

  @Override
  public void onUndecryptable(ChatEvent.MessageUndecryptable e) {
    if (stopped) {
      return;
    }
    CipherTalkClient client = view.client();
    // A 1:1 envelope names no room: it belongs to the private room with its sender.
    Optional<String> roomId = e.roomId().or(() -> client.rooms().stream()
        .filter(r -> r.kind() == RoomKind.PRIVATE && r.members().containsKey(e.senderUserId()))
        .map(Room::id).findFirst());
    Room cur = view.current();
    Optional<String> where = roomId.filter(id -> cur == null || !cur.id().equals(id))
        .map(view::knownLabel);
    out.println(renderer.undecryptable(e.senderUserId(), where));
  }

  @Override
  public void onSessionEnded(ChatEvent.SessionEnded e) {
    if (stopped) {
      return;
    }
    sessionEnded = true;
    out.println(renderer.error("signed out by the server: " + e.reason()));
    out.println(renderer.error("your token was revoked or expired, or the account no longer "
        + "exists; the console stopped reconnecting and keeps your messages queued."));
    out.println(renderer.error("type /login to sign in again, or /quit"));
  }

  @Override
  public void onDeviceLinked(ChatEvent.DeviceLinked e) {
    if (!stopped) {
      out.println(renderer.info(e.userId() + " linked a new device (device " + e.deviceId()
          + "); the safety number is unchanged"));
    }
  }

  @Override
  public void onDeviceRejected(ChatEvent.DeviceRejected e) {
    if (!stopped) {
      out.println("! " + e.userId() + "." + e.deviceId() + " is not a certified device of "
          + e.userId() + "'s account: nothing is sent to it (" + e.reason() + ")");
    }
  }

  @Override
  public void onLinkingRequired(ChatEvent.LinkingRequired e) {
    if (!stopped) {
      out.println(renderer.info("this account already has devices: type /link here, then"
          + " /approve CODE on one of them"));
    }
  }

  @Override
  public void onLinkCompleted(ChatEvent.LinkCompleted e) {
    if (!stopped) {
      out.println(renderer.info("linked; confirmation code " + e.confirmationCode()
          + " (the approving device shows the same)"));
    }
  }

  @Override
  public void onConnectionState(ChatEvent.ConnectionStateChanged e) {
    if (stopped) {
      return;
    }
    // Only the change from connected is news: failed reconnect attempts are not repeated.
    ConnectionState before = lastState;
    lastState = e.state();
    if (e.state() == ConnectionState.DISCONNECTED && before == ConnectionState.CONNECTED
        && !sessionEnded) {
      out.println(renderer.info("disconnected: messages you send are queued until the client "
          + "reconnects"));
    } else if (e.state() == ConnectionState.CONNECTED) {
      out.println(renderer.info("connected"));
    }
  }
}
