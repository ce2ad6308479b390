package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.client.ReceiptKind;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.client.SendOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The console's chat logic on top of the SDK's public API: executes {@link Command}s against a
 * {@link CipherTalkClient} and renders the client's events with a {@link Renderer} to a
 * {@link ConsoleOutput}. It keeps only view state: the current room, the message numbers it printed,
 * the marks of the user's own messages, each room's self-destruct setting and who is typing.
 *
 * <p>Thread-safe: commands come from the input thread, events from the SDK's callback thread; view
 * state is guarded by this object's lock, which is never held across an SDK request.
 */
public final class ChatSession implements ChatListener {
  /** How often a keystroke may repeat the "typing" signal. */
  static final Duration TYPING_REFRESH = Duration.ofSeconds(3);

  private final Renderer renderer;
  private final ConsoleOutput out;
  private final Clock clock;
  private volatile CipherTalkClient client;
  private volatile String self = "";
  private volatile boolean stopped;

  // view state, guarded by this
  private Room current;
  private final Map<Integer, Ref> byNumber = new HashMap<>();
  private final Map<MessageId, Integer> numbers = new HashMap<>();
  private final Map<MessageId, Mark> marks = new HashMap<>();
  private final Map<String, Duration> expiry = new HashMap<>();
  private final Map<String, Set<String>> typing = new HashMap<>();
  private int nextNumber = 1;
  private Instant lastTypingSignal = Instant.EPOCH;

  private record Ref(String roomId, MessageId id) {}

  /** A session that renders with {@code renderer} to {@code out}; attach a client with {@link #attach}. */
  public ChatSession(Renderer renderer, ConsoleOutput out, Clock clock) {
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.out = Objects.requireNonNull(out, "out");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Binds the client this session drives (the session is also one of its listeners). */
  public synchronized void attach(CipherTalkClient client, String selfUserId) {
    this.client = Objects.requireNonNull(client, "client");
    this.self = Objects.requireNonNull(selfUserId, "selfUserId");
  }

  /** Stops rendering events (called before the client closes, so late events are ignored). */
  public void stop() {
    stopped = true;
  }

  /** The prompt for the line editor: {@code alice@#team> }. */
  public synchronized String prompt() {
    String room = current == null ? "" : "@" + label(current);
    Duration e = current == null ? null : expiry.get(current.id());
    return self + room + (e == null ? "" : " (expire " + e + ")") + "> ";
  }

  /**
   * Executes one command.
   *
   * @return false when the user asked to quit
   */
  public boolean execute(Command command) {
    try {
      return run(command);
    } catch (CipherTalkException e) {
      out.println(renderer.error("the server refused: " + e.getMessage()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      out.println(renderer.error(e.getMessage()));
    }
    return true;
  }

  /** Called on each keystroke of the line editor: signals "typing" at most every 3 seconds. */
  public void keystroke() {
    Room room;
    synchronized (this) {
      Instant now = clock.instant();
      if (current == null || now.isBefore(lastTypingSignal.plus(TYPING_REFRESH))) {
        return;
      }
      lastTypingSignal = now;
      room = current;
    }
    room.typing(true);
  }

  private boolean run(Command c) throws CipherTalkException {
    if (c instanceof Command.Nothing) {
      return true;
    }
    if (c instanceof Command.Quit) {
      return false;
    }
    if (c instanceof Command.Help) {
      renderer.help().forEach(out::println);
    } else if (c instanceof Command.Send s) {
      send(s.text(), Optional.empty());
    } else if (c instanceof Command.Reply r) {
      Ref target = ref(r.number());
      requireCurrent(target.roomId());
      send(r.text(), Optional.of(target.id()));
    } else if (c instanceof Command.Edit e) {
      Ref target = ref(e.number());
      room(target.roomId()).edit(target.id(), e.text());
      out.println(renderer.info("edited [" + e.number() + "]"));
    } else if (c instanceof Command.Delete d) {
      Ref target = ref(d.number());
      room(target.roomId()).deleteForEveryone(target.id());
      out.println(renderer.info("deleted [" + d.number() + "] for everyone"));
    } else if (c instanceof Command.React r) {
      Ref target = ref(r.number());
      room(target.roomId()).react(target.id(), r.emoji());
    } else if (c instanceof Command.Expire e) {
      Room room = requireCurrent(null);
      synchronized (this) {
        if (e.after().isPresent()) {
          expiry.put(room.id(), e.after().get());
        } else {
          expiry.remove(room.id());
        }
      }
      out.println(renderer.info(e.after()
          .map(d -> "your next messages in " + label(room) + " self-destruct " + human(d)
              + " after sending (/expire off to stop)")
          .orElse("self-destruct is off in " + label(room))));
    } else if (c instanceof Command.ListRooms) {
      listRooms();
    } else if (c instanceof Command.OpenPrivate p) {
      switchTo(client.privateRoom(p.userId()));
    } else if (c instanceof Command.CreateGroup g) {
      switchTo(client.createGroup(g.name(), new LinkedHashSet<>(g.members())));
    } else if (c instanceof Command.Join j) {
      switchTo(findRoom(j.room()));
    } else if (c instanceof Command.Invite i) {
      requireCurrent(null).invite(i.userId());
      out.println(renderer.info("invited " + i.userId()));
    } else if (c instanceof Command.Remove r) {
      requireCurrent(null).remove(r.userId());
      out.println(renderer.info("removed " + r.userId()));
    } else if (c instanceof Command.Leave) {
      Room room = requireCurrent(null);
      room.leave();
      synchronized (this) {
        current = null;
      }
      out.println(renderer.info("you left " + label(room)));
    } else if (c instanceof Command.Members) {
      renderer.members(requireCurrent(null).members()).forEach(out::println);
    } else if (c instanceof Command.History h) {
      Room room = requireCurrent(null);
      for (Message m : room.history(h.limit())) {
        show(m, Optional.empty(), false);
      }
    } else if (c instanceof Command.ListContacts) {
      List<Contact> contacts = client.contacts();
      if (contacts.isEmpty()) {
        out.println(renderer.info("no contacts yet (/add USER)"));
      }
      contacts.forEach(k -> out.println(renderer.contact(k)));
    } else if (c instanceof Command.AddContact a) {
      client.addContact(a.userId(), a.nickname());
      out.println(renderer.info("added " + a.userId() + " to your contacts"));
    } else if (c instanceof Command.Block b) {
      client.block(b.userId(), b.blocked());
      out.println(renderer.info((b.blocked() ? "blocked " : "unblocked ") + b.userId()));
    } else if (c instanceof Command.Who) {
      who();
    } else if (c instanceof Command.Typing t) {
      requireCurrent(null).typing(t.typing());
    } else if (c instanceof Command.Safety s) {
      out.println(renderer.safetyNumber(s.userId(), client.safetyNumber(s.userId())));
      out.println(renderer.info("QR payload: " + client.safetyNumberPayload(s.userId())));
    } else if (c instanceof Command.Trust t) {
      if (client.trustIdentity(t.userId(), t.safetyNumber())) {
        out.println(renderer.info("you now trust " + t.userId() + "'s new key; held messages follow"));
      } else {
        out.println(renderer.info("that is not " + t.userId() + "'s new safety number: nothing"
            + " changed"));
      }
    } else if (c instanceof Command.Link) {
      io.ciphertalk.crypto.account.LinkingCode code = client.startLinking();
      out.println(renderer.info("linking code for this device (enter it on a linked device with"
          + " /approve):"));
      out.println("  " + code.text());
      out.println(renderer.info("QR payload: " + code.qrPayload()));
    } else if (c instanceof Command.Approve a) {
      String confirm = client.approveLink(a.code());
      out.println(renderer.info("linking sent; the new device must show the confirmation code "
          + confirm));
    } else if (c instanceof Command.Devices) {
      out.println(renderer.info("your devices: " + client.ownDevices()));
    } else if (c instanceof Command.Revoke r) {
      client.revokeDevice(r.deviceId());
      out.println(renderer.info("revoked device " + r.deviceId()
          + "; it gets nothing new, and your groups move to new keys"));
    }
    return true;
  }

  private void send(String text, Optional<MessageId> replyTo) {
    Room room = requireCurrent(null);
    SendOptions.Builder options = SendOptions.builder();
    replyTo.ifPresent(options::replyTo);
    Duration after;
    synchronized (this) {
      after = expiry.get(room.id());
    }
    if (after != null) {
      options.expiresAfter(after);
    }
    MessageId id = room.send(text, options.build());
    Mark mark = client.connectionState() == ConnectionState.CONNECTED ? Mark.SENT : Mark.QUEUED;
    synchronized (this) {
      marks.merge(id, mark, Mark::max);
      lastTypingSignal = Instant.EPOCH;
    }
    // the SDK stored the message in the local history: render it from there, as peers will see it
    Optional<Message> stored = find(room, id);
    if (stored.isPresent()) {
      show(stored.get(), Optional.empty(), false);
    } else {
      out.println("[" + number(room.id(), id) + "] " + self + ": " + Renderer.oneLine(text) + " ["
          + mark.label() + "]");
    }
  }

  private static Optional<Message> find(Room room, MessageId id) {
    for (Message m : room.history(20)) {
      if (m.id().equals(id)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  private void switchTo(Room room) {
    synchronized (this) {
      current = room;
    }
    out.println(renderer.info("now in " + label(room) + (room.kind() == RoomKind.GROUP
        ? " (" + room.members().size() + " members)" : "")));
    List<Message> recent = room.history(10);
    for (Message m : recent) {
      show(m, Optional.empty(), false);
    }
    if (room.unreadCount() > 0 || !recent.isEmpty()) {
      room.markRead();
    }
    refreshTyping();
  }

  private void listRooms() {
    List<Room> rooms = client.rooms();
    if (rooms.isEmpty()) {
      out.println(renderer.info("no rooms yet (/dm USER or /create NAME USER...)"));
    }
    Room cur;
    synchronized (this) {
      cur = current;
    }
    int i = 1;
    for (Room r : rooms) {
      out.println(renderer.roomRow(i++, label(r), r.kind(), r.members().size(), r.unreadCount(),
          cur != null && cur.id().equals(r.id())));
    }
  }

  private Room findRoom(String key) {
    List<Room> rooms = client.rooms();
    if (key.matches("\\d{1,4}")) {
      int i = Integer.parseInt(key);
      if (i >= 1 && i <= rooms.size()) {
        return rooms.get(i - 1);
      }
    }
    String name = key.startsWith("#") || key.startsWith("@") ? key.substring(1) : key;
    for (Room r : rooms) {
      if (r.id().equals(key)) {
        return r;
      }
    }
    for (Room r : rooms) {
      if (displayName(r).equalsIgnoreCase(name)) {
        return r;
      }
    }
    for (Room r : rooms) {
      if (r.name().equalsIgnoreCase(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException("no room '" + key + "' (see /rooms)");
  }

  private void who() throws CipherTalkException {
    Set<String> users = new TreeSet<>();
    client.contacts().forEach(k -> users.add(k.userId()));
    Room cur;
    synchronized (this) {
      cur = current;
    }
    if (cur != null) {
      users.addAll(cur.members().keySet());
    }
    users.remove(self);
    if (users.isEmpty()) {
      out.println(renderer.info("nobody to show: add contacts or join a room"));
    }
    for (String u : users) {
      out.println(renderer.presence(client.presence(u)));
    }
  }

  private Room requireCurrent(String roomId) {
    Room r;
    synchronized (this) {
      r = current;
    }
    if (r == null) {
      throw new IllegalStateException("no current room: /dm USER, /create NAME or /join ROOM first");
    }
    if (roomId != null && !roomId.equals(r.id())) {
      throw new IllegalArgumentException("that message is in another room: /join it first");
    }
    return r;
  }

  private Room room(String roomId) {
    return client.room(roomId)
        .orElseThrow(() -> new IllegalArgumentException("you are no longer in that room"));
  }

  private synchronized Ref ref(int number) {
    Ref r = byNumber.get(number);
    if (r == null) {
      throw new IllegalArgumentException("no message [" + number + "] on screen");
    }
    return r;
  }

  private synchronized int number(String roomId, MessageId id) {
    Integer n = numbers.get(id);
    if (n == null) {
      n = nextNumber++;
      numbers.put(id, n);
      byNumber.put(n, new Ref(roomId, id));
    }
    return n;
  }

  private synchronized Optional<Integer> knownNumber(MessageId id) {
    return Optional.ofNullable(numbers.get(id));
  }

  private void show(Message m, Optional<Message> replyTarget, boolean live) {
    int n = number(m.roomId(), m.id());
    Optional<Renderer.Quote> quote = replyTarget
        .or(() -> m.replyTo().flatMap(id -> client.room(m.roomId()).flatMap(r -> find(r, id))))
        .map(t -> new Renderer.Quote(number(t.roomId(), t.id()), t));
    Room cur;
    Optional<Mark> mark;
    synchronized (this) {
      cur = current;
      mark = m.senderUserId().equals(self) ? Optional.of(marks.getOrDefault(m.id(), Mark.SENT))
          : Optional.empty();
    }
    Optional<String> roomLabel = cur != null && cur.id().equals(m.roomId()) ? Optional.empty()
        : client.room(m.roomId()).map(this::label);
    out.println(renderer.message(n, m, roomLabel, quote, mark));
  }

  /** {@code #team}, or {@code @bob} for the private room with bob (whatever the server named it). */
  private String label(Room r) {
    return Renderer.roomLabel(r.kind(), displayName(r));
  }

  private String displayName(Room r) {
    if (r.kind() == RoomKind.PRIVATE) {
      for (String member : r.members().keySet()) {
        if (!member.equals(self)) {
          return member;
        }
      }
    }
    return r.name();
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  private void refreshTyping() {
    String line;
    synchronized (this) {
      Set<String> who = current == null ? Set.of() : typing.getOrDefault(current.id(), Set.of());
      line = renderer.typing(who);
    }
    out.status(line);
  }

  // ---- SDK events (callback thread) ----

  @Override
  public void onMessage(ChatEvent.MessageReceived e) {
    if (stopped) {
      return;
    }
    Message m = e.message();
    if (m.senderUserId().equals(self) && knownNumber(m.id()).isPresent()) {
      return; // already shown when it was sent from this console
    }
    boolean inCurrent;
    synchronized (this) {
      Set<String> t = typing.get(m.roomId());
      if (t != null) {
        t.remove(m.senderUserId());
      }
      inCurrent = current != null && current.id().equals(m.roomId());
    }
    refreshTyping();
    show(m, e.replyTarget(), true);
    if (inCurrent && !m.senderUserId().equals(self)) {
      client.room(m.roomId()).ifPresent(Room::markRead);
    }
  }

  @Override
  public void onEdited(ChatEvent.MessageEdited e) {
    if (stopped) {
      return;
    }
    out.println(renderer.edited(number(e.message().roomId(), e.message().id()), e.message()));
  }

  @Override
  public void onDeleted(ChatEvent.MessageDeleted e) {
    if (stopped) {
      return;
    }
    out.println(renderer.deleted(number(e.roomId(), e.messageId()), e.byUserId()));
  }

  @Override
  public void onExpired(ChatEvent.MessageExpired e) {
    if (stopped) {
      return;
    }
    knownNumber(e.messageId()).ifPresent(n -> out.println(renderer.expired(n)));
  }

  @Override
  public void onReaction(ChatEvent.ReactionChanged e) {
    if (stopped) {
      return;
    }
    out.println(renderer.reaction(number(e.roomId(), e.messageId()), e.userId(), e.emoji(),
        e.added()));
  }

  @Override
  public void onReceipt(ChatEvent.ReceiptReceived e) {
    if (stopped) {
      return;
    }
    if (e.userId().equals(self)) {
      return; // our own other device: not news
    }
    Mark mark = e.kind() == ReceiptKind.READ ? Mark.READ : Mark.DELIVERED;
    synchronized (this) {
      marks.merge(e.messageId(), mark, Mark::max);
    }
    out.println(renderer.receipt(number(e.roomId(), e.messageId()), e.userId(), e.kind()));
  }

  @Override
  public void onTyping(ChatEvent.TypingChanged e) {
    if (stopped) {
      return;
    }
    if (e.userId().equals(self)) {
      return;
    }
    synchronized (this) {
      Set<String> t = typing.computeIfAbsent(e.roomId(), k -> new LinkedHashSet<>());
      if (e.typing()) {
        t.add(e.userId());
      } else {
        t.remove(e.userId());
      }
    }
    refreshTyping();
  }

  @Override
  public void onPresence(ChatEvent.PresenceChanged e) {
    if (stopped) {
      return;
    }
    if (!e.presence().userId().equals(self)) {
      out.println(renderer.presence(e.presence()));
    }
  }

  @Override
  public void onMembership(ChatEvent.MembershipChanged e) {
    if (stopped) {
      return;
    }
    Optional<Room> room = client.room(e.roomId());
    if (room.isPresent() && room.get().kind() == RoomKind.PRIVATE
        && e.change() == ChatEvent.MembershipChange.JOINED && !e.userId().equals(self)) {
      return; // the other party of a new private room: not news
    }
    String roomLabel = room.map(this::label).orElse("a room");
    out.println(renderer.membership(e, roomLabel, self));
  }

  @Override
  public void onIdentityKeyChanged(ChatEvent.IdentityKeyChanged e) {
    if (stopped) {
      return;
    }
    renderer.identityChanged(e).forEach(out::println);
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
    if (e.state() == ConnectionState.DISCONNECTED) {
      out.println(renderer.info("disconnected: messages you send are queued until the client "
          + "reconnects"));
    } else if (e.state() == ConnectionState.CONNECTED) {
      out.println(renderer.info("connected"));
    }
  }
}
