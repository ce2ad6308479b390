package io.ciphertalk.examples.console;

import io.ciphertalk.client.AuthenticationException;
import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.Message;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.client.ReceiptKind;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.client.RoomUnavailableException;
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
 * {@link ConsoleOutput}. It keeps only view state: the current room, the message numbers it printed
 * (per room) and the marks of the user's own messages, both saved in the client's store
 * ({@link RoomNumbers}), each room's self-destruct setting and who is typing.
 *
 * <p>Thread-safe: commands come from the input thread, events from the SDK's callback thread; view
 * state is guarded by this object's lock, which is never held across an SDK request.
 */
public final class ChatSession implements ChatListener {
  /** How often a keystroke may repeat the "typing" signal. */
  static final Duration TYPING_REFRESH = Duration.ofSeconds(3);

  /** The most results {@code /search} shows. */
  static final int SEARCH_LIMIT = 20;

  /** The app-data key prefix of a room's {@link RoomNumbers}. */
  static final String VIEW_KEY = "console/room/";

  private final Renderer renderer;
  private final ConsoleOutput out;
  private final Clock clock;
  private volatile CipherTalkClient client;
  private volatile String self = "";
  private volatile boolean stopped;

  // view state, guarded by this
  private Room current;
  /** Per room: message numbers and own-message marks, saved in the client's store. */
  private final Map<String, RoomNumbers> views = new HashMap<>();
  private final Map<String, Duration> expiry = new HashMap<>();
  private final Map<String, Set<String>> typing = new HashMap<>();
  private Instant lastTypingSignal = Instant.EPOCH;

  /** The room labels seen so far, so a room is still named after this user left it. */
  private final Map<String, String> labels = new HashMap<>();
  /** Set by a {@link ChatEvent.SessionEnded}; {@link ConsoleApp} offers {@code /login}. */
  private volatile boolean sessionEnded;
  private volatile ConnectionState lastState = ConnectionState.DISCONNECTED;

  private record Ref(String roomId, MessageId id, String senderUserId) {}

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
    try {
      return promptOf();
    } catch (RuntimeException e) {
      return self + "> "; // the room's state is unreadable: the next command says why
    }
  }

  private String promptOf() {
    String room = current == null ? "" : "@" + label(current);
    Duration e = current == null ? null : expiry.get(current.id());
    return self + room + (e == null ? "" : " (expire " + human(e) + ")") + "> ";
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
      String name = knownLabel(r.roomId());
      synchronized (this) {
        if (current != null && current.id().equals(r.roomId())) {
          current = null;
        }
      }
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
    return sessionEnded;
  }

  /** After a successful {@code /login}: the session is live again. */
  void sessionResumed() {
    sessionEnded = false;
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
    try {
      room.typing(true);
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
      requireOwn(target, e.number(), "edit");
      room(target.roomId()).edit(target.id(), e.text());
      out.println(renderer.info("edited [" + e.number() + "]"));
    } else if (c instanceof Command.SendFile f) {
      sendFile(f.path());
    } else if (c instanceof Command.Download d) {
      download(d);
    } else if (c instanceof Command.Delete d) {
      Ref target = ref(d.number());
      requireOwn(target, d.number(), "delete");
      room(target.roomId()).deleteForEveryone(target.id());
      out.println(renderer.info("deleted [" + d.number() + "] for everyone"));
    } else if (c instanceof Command.React r) {
      Ref target = ref(r.number());
      room(target.roomId()).react(target.id(), r.emoji());
      out.println(renderer.info("you reacted " + r.emoji() + " to [" + r.number() + "]"));
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
      Room room = findRoom(j.room());
      acceptIfInvited(room);
      switchTo(room);
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
    } else if (c instanceof Command.Search q) {
      List<Message> found = client.search(q.text(), SEARCH_LIMIT);
      out.println(renderer.info(found.isEmpty() ? "nothing in your history matches '"
          + Renderer.oneLine(q.text()) + "'" : found.size() + (found.size() == SEARCH_LIMIT
          ? "+" : "") + " message(s) match '" + Renderer.oneLine(q.text()) + "', newest first:"));
      for (Message m : found) {
        show(m, Optional.empty(), false);
      }
    } else if (c instanceof Command.Me m) {
      send(Renderer.ACTION_PREFIX + m.action(), Optional.empty());
    } else if (c instanceof Command.Names) {
      Room room = requireCurrent(null);
      out.println(renderer.info(label(room) + ": " + String.join(", ",
          new TreeSet<>(room.members().keySet()))));
    } else if (c instanceof Command.Topic t) {
      topic(t);
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
      String payload = client.safetyNumberPayload(s.userId());
      out.println(renderer.info("or scan this QR code on " + s.userId() + "'s device (payload: "
          + payload + "):"));
      qr(payload);
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
      out.println(renderer.info("or scan this QR code (payload: " + code.qrPayload() + "):"));
      qr(code.qrPayload());
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

  /** Prints {@code payload} as a QR code, indented like the code above it. */
  private void qr(String payload) {
    for (String line : TerminalQr.render(payload)) {
      out.println("  " + line);
    }
  }

  private void topic(Command.Topic t) throws CipherTalkException {
    Room room = requireCurrent(null);
    if (t.text().isEmpty()) {
      String topic = room.topic();
      out.println(renderer.info(topic.isEmpty() ? label(room) + " has no topic"
          + (room.kind() == RoomKind.GROUP ? " (/topic TEXT sets one)" : "")
          : "topic of " + label(room) + ": " + Renderer.oneLine(topic)));
      return;
    }
    if (room.kind() != RoomKind.GROUP) {
      throw new IllegalArgumentException("only a group has a topic; " + label(room)
          + " is a private room");
    }
    room.setTopic(t.text().get());
    // every member, this user included, hears of it through onTopicChanged
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
      advance(room.id(), id, mark);
      lastTypingSignal = Instant.EPOCH;
    }
    // the SDK stored the message in the local history: render it from there, as peers will see it
    Optional<Message> stored = find(room, id);
    if (stored.isPresent()) {
      show(stored.get(), Optional.empty(), false);
    } else {
      out.println("[" + number(room.id(), id, self) + "] " + self + ": " + Renderer.oneLine(text) + " ["
          + mark.label() + "]");
    }
  }

  private void sendFile(String pathText) {
    Room room = requireCurrent(null);
    java.nio.file.Path path = java.nio.file.Path.of(pathText);
    if (!java.nio.file.Files.isRegularFile(path)) {
      throw new IllegalArgumentException("no such file: " + pathText);
    }
    String mime;
    try {
      mime = java.nio.file.Files.probeContentType(path);
    } catch (java.io.IOException e) {
      mime = null;
    }
    if (mime == null || !mime.contains("/")) {
      mime = "application/octet-stream";
    }
    io.ciphertalk.client.FileOptions.Builder options = io.ciphertalk.client.FileOptions.builder()
        .listener((done, total) -> out.status(Renderer.progress("sending " + path.getFileName(), done, total)));
    Duration after;
    synchronized (this) {
      after = expiry.get(room.id());
    }
    if (after != null) {
      options.expiresAfter(after);
    }
    Message sent;
    try {
      sent = room.sendFile(path, path.getFileName().toString(), mime, options.build());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("could not send " + path.getFileName() + ": " + e.getMessage(), e);
    } finally {
      out.status("");
    }
    Mark mark = client.connectionState() == ConnectionState.CONNECTED ? Mark.SENT : Mark.QUEUED;
    synchronized (this) {
      advance(room.id(), sent.id(), mark);
    }
    show(sent, Optional.empty(), false);
  }

  private void download(Command.Download d) {
    Ref target = ref(d.number());
    io.ciphertalk.client.Attachment a = client.attachment(target.id()).orElseThrow(() ->
        new IllegalArgumentException("message [" + d.number() + "] has no file"));
    // Never trust the sender's name as a path: only its last element, and never a hidden file.
    String safe = a.name().replaceAll("[\\\\/:\\x00-\\x1f]", "_").replaceFirst("^\\.+", "_");
    java.nio.file.Path dest = d.path().map(java.nio.file.Path::of).orElse(java.nio.file.Path.of(safe));
    if (java.nio.file.Files.isDirectory(dest)) {
      dest = dest.resolve(safe);
    }
    java.nio.file.Path shown = dest;
    try {
      client.download(a, dest, (done, total) -> out.status(Renderer.progress("receiving " + shown.getFileName(), done,
          total)), null);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("could not save [" + d.number() + "]: " + e.getMessage(), e);
    } finally {
      out.status("");
    }
    out.println(renderer.info("saved [" + d.number() + "] to " + dest + " (" + Renderer.size(a.size()) + ", verified)"));
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
    if (!room.topic().isEmpty()) {
      out.println(renderer.info("topic: " + Renderer.oneLine(room.topic())));
    }
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

  /**
   * Joining a room someone else put us in accepts their invitation (the server then shows presence
   * between us). Offline, it is accepted at a later /join.
   */
  private void acceptIfInvited(Room room) {
    try {
      if (client.pendingInvites().stream().anyMatch(r -> r.id().equals(room.id()))) {
        client.acceptInvite(room.id());
      }
    } catch (CipherTalkException e) {
      // not reachable now: the room still works, presence waits for the next /join
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
    return client.room(roomId).orElseThrow(() -> new RoomUnavailableException(roomId));
  }

  private void requireOwn(Ref target, int number, String verb) {
    if (!target.senderUserId().equals(self)) {
      throw new IllegalArgumentException("you can only " + verb + " your own messages: [" + number
          + "] is " + target.senderUserId() + "'s");
    }
  }

  /** Message {@code number} of the current room. */
  private synchronized Ref ref(int number) {
    Room r = requireCurrent(null);
    RoomNumbers.Entry e = view(r.id()).entry(number).orElseThrow(() ->
        new IllegalArgumentException("no message [" + number + "] in " + label(r)));
    return new Ref(r.id(), e.id(), e.senderUserId());
  }

  private synchronized int number(String roomId, MessageId id, String senderUserId) {
    RoomNumbers v = view(roomId);
    boolean isNew = v.known(id).isEmpty();
    int n = v.number(id, senderUserId);
    if (isNew) {
      save(roomId, v);
    }
    return n;
  }

  private synchronized Optional<Integer> knownNumber(String roomId, MessageId id) {
    return view(roomId).known(id);
  }

  private synchronized void advance(String roomId, MessageId id, Mark mark) {
    RoomNumbers v = view(roomId);
    if (v.advance(id, self, mark)) {
      save(roomId, v);
    }
  }

  private synchronized Mark markOf(String roomId, MessageId id) {
    Mark m = view(roomId).mark(id);
    return m == null ? Mark.SENT : m;
  }

  /** The room's numbers, read from the store the first time. Called with this lock held. */
  private RoomNumbers view(String roomId) {
    RoomNumbers v = views.get(roomId);
    if (v == null) {
      v = new RoomNumbers();
      try {
        Optional<byte[]> saved = client.appData().get(VIEW_KEY + roomId);
        if (saved.isPresent()) {
          v = RoomNumbers.decode(saved.get());
        }
      } catch (RuntimeException e) {
        // no store to read (closed client): numbers start afresh for this run
      }
      views.put(roomId, v);
    }
    return v;
  }

  private void save(String roomId, RoomNumbers v) {
    try {
      client.appData().put(VIEW_KEY + roomId, v.encode());
    } catch (RuntimeException e) {
      // the view still works in memory; the next change tries again
    }
  }

  private void show(Message m, Optional<Message> replyTarget, boolean live) {
    int n = number(m.roomId(), m.id(), m.senderUserId());
    Optional<Renderer.Quote> quote = replyTarget
        .or(() -> m.replyTo().flatMap(id -> client.room(m.roomId()).flatMap(r -> find(r, id))))
        .map(t -> new Renderer.Quote(number(t.roomId(), t.id(), t.senderUserId()), t));
    Room cur;
    Optional<Mark> mark;
    synchronized (this) {
      cur = current;
      mark = m.senderUserId().equals(self) ? Optional.of(markOf(m.roomId(), m.id()))
          : Optional.empty();
    }
    Optional<String> roomLabel = cur != null && cur.id().equals(m.roomId()) ? Optional.empty()
        : client.room(m.roomId()).map(this::label);
    out.println(renderer.message(n, m, roomLabel, quote, mark));
    client.attachment(m.id()).ifPresent(a -> out.println(renderer.info("  file [" + n + "]: "
        + Renderer.oneLine(a.name()) + ", " + Renderer.size(a.size()) + ", " + a.mimeType()
        + (a.thumbnail().isPresent() ? ", with thumbnail" : "") + " (/download " + n + ")")));
  }

  /** {@code #team}, or {@code @bob} for the private room with bob (whatever the server named it). */
  private String label(Room r) {
    String l = Renderer.roomLabel(r.kind(), displayName(r));
    synchronized (this) {
      labels.put(r.id(), l);
    }
    return l;
  }

  /** The room's label if it was ever seen, even after this user left it; else "a room". */
  private String knownLabel(String roomId) {
    CipherTalkClient c = client;
    Optional<Room> r = c == null ? Optional.empty() : c.room(roomId);
    if (r.isPresent()) {
      return label(r.get());
    }
    synchronized (this) {
      return labels.getOrDefault(roomId, "a room");
    }
  }

  /** Learns the labels of every room the client has (called once signed in). */
  public void rememberRooms() {
    client.rooms().forEach(this::label);
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

  /** {@code 2d}, {@code 1h30m}, {@code 10s}: as {@code /expire} takes it, never {@code PT10S}. */
  static String human(Duration d) {
    StringBuilder sb = new StringBuilder();
    long days = d.toDays();
    if (days > 0) {
      sb.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      sb.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      sb.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0 || sb.length() == 0) {
      sb.append(d.toSecondsPart()).append('s');
    }
    return sb.toString();
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
    if (m.senderUserId().equals(self) && knownNumber(m.roomId(), m.id()).isPresent()) {
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
    Message m = e.message();
    out.println(renderer.edited(number(m.roomId(), m.id(), m.senderUserId()), m));
  }

  @Override
  public void onDeleted(ChatEvent.MessageDeleted e) {
    if (stopped) {
      return;
    }
    out.println(renderer.deleted(number(e.roomId(), e.messageId(), e.byUserId()), e.byUserId()));
  }

  @Override
  public void onExpired(ChatEvent.MessageExpired e) {
    if (stopped) {
      return;
    }
    knownNumber(e.roomId(), e.messageId()).ifPresent(n -> out.println(renderer.expired(n)));
  }

  @Override
  public void onReaction(ChatEvent.ReactionChanged e) {
    if (stopped) {
      return;
    }
    out.println(renderer.reaction(number(e.roomId(), e.messageId(),
        e.target().map(Message::senderUserId).orElse("")), e.userId(), e.emoji(), e.added()));
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
    advance(e.roomId(), e.messageId(), mark);
    out.println(renderer.receipt(number(e.roomId(), e.messageId(), self), e.userId(), e.kind()));
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
    String roomLabel = knownLabel(e.roomId());
    out.println(renderer.membership(e, roomLabel, self));
    boolean gone = e.userId().equals(self) && (e.change() == ChatEvent.MembershipChange.REMOVED
        || e.change() == ChatEvent.MembershipChange.LEFT);
    if (gone) {
      synchronized (this) {
        if (current != null && current.id().equals(e.roomId())) {
          current = null;
          out.println(renderer.info("no current room now: /rooms, /join ROOM or /dm USER"));
        }
      }
    }
  }

  @Override
  public void onTopicChanged(ChatEvent.RoomTopicChanged e) {
    if (stopped) {
      return;
    }
    String who = e.byUserId().equals(self) ? "you" : e.byUserId();
    String where = knownLabel(e.roomId());
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
    // A 1:1 envelope names no room: it belongs to the private room with its sender.
    Optional<String> roomId = e.roomId().or(() -> client.rooms().stream()
        .filter(r -> r.kind() == RoomKind.PRIVATE && r.members().containsKey(e.senderUserId()))
        .map(Room::id).findFirst());
    Room cur;
    synchronized (this) {
      cur = current;
    }
    Optional<String> where = roomId.filter(id -> cur == null || !cur.id().equals(id))
        .map(this::knownLabel);
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
