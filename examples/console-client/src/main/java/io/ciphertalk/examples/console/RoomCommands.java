package io.ciphertalk.examples.console;

import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.model.RoomKind;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The room and contact commands of a {@link ChatSession}: {@code /rooms}, {@code /dm},
 * {@code /create}, {@code /join}, {@code /invite}, {@code /remove}, {@code /leave},
 * {@code /members}, {@code /names}, {@code /topic}, {@code /contacts}, {@code /add},
 * {@code /block}, {@code /unblock} and {@code /who}. Thread-safe (its state is the session's
 * {@link ConsoleView}).
 */
final class RoomCommands {
  private final ConsoleView view;
  private final MessagePrinter printer;
  private final Renderer renderer;
  private final ConsoleOutput out;

  RoomCommands(ConsoleView view, MessagePrinter printer, Renderer renderer, ConsoleOutput out) {
    this.view = Objects.requireNonNull(view, "view");
    this.printer = Objects.requireNonNull(printer, "printer");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** Runs {@code c} if it is a room or contact command; returns false if it is not one. */
  boolean run(Command c) throws CipherTalkException {
    CipherTalkClient client = view.client();
    if (c instanceof Command.ListRooms) {
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
      view.requireCurrent(null).invite(i.userId());
      out.println(renderer.info("invited " + i.userId()));
    } else if (c instanceof Command.Remove r) {
      view.requireCurrent(null).remove(r.userId());
      out.println(renderer.info("removed " + r.userId()));
    } else if (c instanceof Command.Leave) {
      Room room = view.requireCurrent(null);
      room.leave();
      view.setCurrent(null);
      out.println(renderer.info("you left " + view.label(room)));
    } else if (c instanceof Command.Members) {
      renderer.members(view.requireCurrent(null).members()).forEach(out::println);
    } else if (c instanceof Command.Names) {
      Room room = view.requireCurrent(null);
      out.println(renderer.info(view.label(room) + ": " + String.join(", ",
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
    } else {
      return false;
    }
    return true;
  }

  private void topic(Command.Topic t) throws CipherTalkException {
    Room room = view.requireCurrent(null);
    if (t.text().isEmpty()) {
      String topic = room.topic();
      out.println(renderer.info(topic.isEmpty() ? view.label(room) + " has no topic"
          + (room.kind() == RoomKind.GROUP ? " (/topic TEXT sets one)" : "")
          : "topic of " + view.label(room) + ": " + Renderer.oneLine(topic)));
      return;
    }
    if (room.kind() != RoomKind.GROUP) {
      throw new IllegalArgumentException("only a group has a topic; " + view.label(room)
          + " is a private room");
    }
    room.setTopic(t.text().get());
    // every member, this user included, hears of it through onTopicChanged
  }

  private void switchTo(Room room) {
    view.setCurrent(room);
    out.println(renderer.info("now in " + view.label(room) + (room.kind() == RoomKind.GROUP
        ? " (" + room.members().size() + " members)" : "")));
    if (!room.topic().isEmpty()) {
      out.println(renderer.info("topic: " + Renderer.oneLine(room.topic())));
    }
    List<Message> recent = room.history(10);
    for (Message m : recent) {
      printer.show(m, Optional.empty(), false);
    }
    if (room.unreadCount() > 0 || !recent.isEmpty()) {
      room.markRead();
    }
    printer.refreshTyping();
  }

  private void listRooms() {
    List<Room> rooms = view.client().rooms();
    if (rooms.isEmpty()) {
      out.println(renderer.info("no rooms yet (/dm USER or /create NAME USER...)"));
    }
    Room cur = view.current();
    int i = 1;
    for (Room r : rooms) {
      out.println(renderer.roomRow(i++, view.label(r), r.kind(), r.members().size(),
          r.unreadCount(), cur != null && cur.id().equals(r.id())));
    }
  }

  /**
   * Joining a room someone else put us in accepts their invitation (the server then shows presence
   * between us). Offline, it is accepted at a later /join.
   */
  private void acceptIfInvited(Room room) {
    CipherTalkClient client = view.client();
    try {
      if (client.pendingInvites().stream().anyMatch(r -> r.id().equals(room.id()))) {
        client.acceptInvite(room.id());
      }
    } catch (CipherTalkException e) {
      // not reachable now: the room still works, presence waits for the next /join
    }
  }

  private Room findRoom(String key) {
    List<Room> rooms = view.client().rooms();
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
      if (view.displayName(r).equalsIgnoreCase(name)) {
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
    CipherTalkClient client = view.client();
    Set<String> users = new TreeSet<>();
    client.contacts().forEach(k -> users.add(k.userId()));
    Room cur = view.current();
    if (cur != null) {
      users.addAll(cur.members().keySet());
    }
    users.remove(view.self());
    if (users.isEmpty()) {
      out.println(renderer.info("nobody to show: add contacts or join a room"));
    }
    for (String u : users) {
      out.println(renderer.presence(client.presence(u)));
    }
  }
}
