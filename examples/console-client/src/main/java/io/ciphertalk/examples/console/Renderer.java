package io.ciphertalk.examples.console;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.Contact;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Presence;
import io.ciphertalk.client.ReceiptKind;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Formats what the console shows, as plain strings: messages with their numbers and marks, receipts,
 * typing, presence, membership and safety-number notices. Pure (no terminal, no SDK calls), so every
 * format is unit-tested. Thread-safe (immutable).
 *
 * <p>Conventions: {@code [n]} starts a message line, two spaces start an update about message
 * {@code n}, {@code *} starts an informational line and {@code !} a warning or error.
 */
public final class Renderer {
  /** How an action ({@code /me waves}) travels: as text with this IRC-style prefix. */
  static final String ACTION_PREFIX = "/me ";

  /** Longest quote of a replied-to message. */
  static final int SNIPPET = 32;

  private final DateTimeFormatter time;
  private final DateTimeFormatter timeWithSeconds;

  /** A renderer that shows times in {@code zone}. */
  public Renderer(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    this.time = DateTimeFormatter.ofPattern("HH:mm").withZone(zone);
    this.timeWithSeconds = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(zone);
  }

  /** What a reply line quotes: the replied-to message's number (0 if it has none) and the message. */
  public record Quote(int number, Message message) {}

  /**
   * One message line: {@code [3] 12:04 #team alice: hello (expires 12:05:30) (edited) [read]}.
   *
   * @param roomLabel shown when the message is not in the current room
   * @param mark shown for the user's own messages
   */
  public String message(int number, Message m, Optional<String> roomLabel, Optional<Quote> quote,
      Optional<Mark> mark) {
    StringBuilder sb = new StringBuilder();
    sb.append('[').append(number).append("] ").append(time.format(m.sentAt())).append(' ');
    roomLabel.ifPresent(l -> sb.append(l).append(' '));
    sb.append(m.senderUserId());
    if (quote.isPresent()) {
      Quote q = quote.get();
      sb.append(" (reply to ");
      if (q.number() > 0) {
        sb.append('[').append(q.number()).append("] ");
      }
      sb.append(q.message().senderUserId()).append(": \"").append(snippet(q.message())).append("\")");
    } else if (m.replyTo().isPresent()) {
      sb.append(" (reply to an earlier message)");
    }
    if (!m.deleted() && m.text().startsWith(ACTION_PREFIX) && quote.isEmpty()) {
      sb.setLength(sb.length() - m.senderUserId().length());
      sb.append("* ").append(m.senderUserId()).append(' ')
          .append(oneLine(m.text().substring(ACTION_PREFIX.length())));
    } else {
      sb.append(": ").append(m.deleted() ? "(deleted)" : oneLine(m.text()));
    }
    m.expiresAt().ifPresent(e -> sb.append(" (expires ").append(timeWithSeconds.format(e)).append(')'));
    if (m.edited()) {
      sb.append(" (edited)");
    }
    reactions(m.reactions()).ifPresent(r -> sb.append(' ').append(r));
    mark.ifPresent(k -> sb.append(" [").append(k.label()).append(']'));
    return sb.toString();
  }

  /** An update line for a receipt: {@code   [3] delivered to bob} or {@code   [3] read by bob}. */
  public String receipt(int number, String userId, ReceiptKind kind) {
    return "  [" + number + "] " + (kind == ReceiptKind.READ ? "read by " : "delivered to ") + userId;
  }

  /** {@code   [3] edited by alice: new text}. */
  public String edited(int number, Message m) {
    return "  [" + number + "] edited by " + m.senderUserId() + ": " + oneLine(m.text());
  }

  /** {@code   [3] deleted by alice}. */
  public String deleted(int number, String byUserId) {
    return "  [" + number + "] deleted by " + byUserId;
  }

  /** {@code   [3] disappeared (self-destruct)}. */
  public String expired(int number) {
    return "  [" + number + "] disappeared (self-destruct)";
  }

  /** {@code   [3] bob reacted 👍} or {@code   [3] bob removed 👍}. */
  public String reaction(int number, String userId, String emoji, boolean added) {
    return "  [" + number + "] " + userId + (added ? " reacted " : " removed ") + emoji;
  }

  /**
   * The live typing line for the current room: empty when nobody types, else
   * {@code alice is typing…}, {@code alice and bob are typing…}, {@code alice, bob and carol are
   * typing…}, {@code 4 people are typing…}.
   */
  public String typing(Collection<String> users) {
    List<String> u = new ArrayList<>(users);
    switch (u.size()) {
      case 0:
        return "";
      case 1:
        return u.get(0) + " is typing…";
      case 2:
        return u.get(0) + " and " + u.get(1) + " are typing…";
      case 3:
        return u.get(0) + ", " + u.get(1) + " and " + u.get(2) + " are typing…";
      default:
        return u.size() + " people are typing…";
    }
  }

  /** {@code * bob is online} / {@code * bob is offline, last seen 12:03}. */
  public String presence(Presence p) {
    if (p.online()) {
      return "* " + p.userId() + " is online";
    }
    return "* " + p.userId() + " is offline"
        + p.lastSeen().map(t -> ", last seen " + lastSeen(t)).orElse("");
  }

  private String lastSeen(Instant t) {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(time.getZone()).format(t);
  }

  /**
   * The notice shown when a contact's identity key changed (messages held until /trust) or when a
   * contact has a new device (trusted on first use), with the safety number to compare and what to
   * do next.
   */
  public List<String> identityChanged(ChatEvent.IdentityKeyChanged e) {
    if (e.newDevice()) {
      return List.of(
          "! " + e.userId() + " has a new device (device " + e.deviceId() + "): a new phone, a "
              + "reinstall - or someone else.",
          "!   Safety number with that device: " + groupDigits(e.newSafetyNumber()),
          "!   If " + e.userId() + " did not add a device, compare the number with them in person "
              + "or on a call.");
    }
    return List.of(
        "! The safety number with " + e.userId() + " changed (device " + e.deviceId() + ").",
        "!   This happens after a new phone or a reinstall - or if someone intercepts the chat.",
        "!   New safety number: " + groupDigits(e.newSafetyNumber()),
        "!   Compare it with " + e.userId() + " in person or on a call, then type /trust "
            + e.userId() + " followed by the number. Messages with " + e.userId()
            + " are held until then.");
  }

  /** {@code * safety number with bob: 12345 67890 ...}. */
  public String safetyNumber(String userId, String number) {
    return "* safety number with " + userId + ": " + groupDigits(number);
  }

  /** A run of digits in groups of five, as people read them aloud to compare (Signal's layout). */
  static String groupDigits(String number) {
    if (!number.matches("\\d{10,}")) {
      return number;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < number.length(); i += 5) {
      sb.append(i == 0 ? "" : " ").append(number, i, Math.min(number.length(), i + 5));
    }
    return sb.toString();
  }

  /** A membership change as one line, from the point of view of {@code self}. */
  public String membership(ChatEvent.MembershipChanged e, String roomLabel, String self) {
    boolean me = e.userId().equals(self);
    String who = me ? "you" : e.userId();
    switch (e.change()) {
      case JOINED:
        return me
            ? "* you were added to " + roomLabel + " (type /join " + joinHint(roomLabel) + ")"
            : "* " + who + " joined " + roomLabel + e.role().map(r -> " as " + role(r)).orElse("");
      case REMOVED:
        return "* " + who + (me ? " were" : " was") + " removed from " + roomLabel;
      case LEFT:
        return "* " + who + " left " + roomLabel;
      default:
        return "* " + who + " " + (me ? "are" : "is") + " now "
            + e.role().map(Renderer::role).orElse("no longer a member") + " in " + roomLabel;
    }
  }

  private static String joinHint(String roomLabel) {
    return roomLabel.startsWith("#") || roomLabel.startsWith("@") ? roomLabel.substring(1) : roomLabel;
  }

  /** How a room is named on screen: {@code #team} for a group, {@code @bob} for a private room. */
  public static String roomLabel(RoomKind kind, String name) {
    return (kind == RoomKind.GROUP ? "#" : "@") + name;
  }

  /** One row of {@code /rooms}. */
  public String roomRow(int index, String label, RoomKind kind, int members, int unread,
      boolean current) {
    return "  " + index + ") " + label + " (" + (kind == RoomKind.GROUP ? "group, " + members
        + " members" : "private") + ")" + (unread > 0 ? ", " + unread + " unread" : "")
        + (current ? "  <- current" : "");
  }

  /** The rows of {@code /members}, owners first. */
  public List<String> members(Map<String, Role> members) {
    List<String> out = new ArrayList<>();
    for (Role r : Role.values()) {
      new TreeMap<>(members).forEach((u, role) -> {
        if (role == r) {
          out.add("  " + u + " (" + role(role) + ")");
        }
      });
    }
    return out;
  }

  /** One row of {@code /contacts}. */
  public String contact(Contact c) {
    return "  " + c.userId() + (c.nickname().isEmpty() ? "" : " \"" + c.nickname() + "\"")
        + (c.blocked() ? " (blocked)" : "");
  }

  /** The {@code /help} text. */
  public List<String> help() {
    int width = CommandParser.USAGES.stream().mapToInt(u -> u.syntax().length()).max().orElse(0);
    List<String> out = new ArrayList<>();
    out.add("* commands:");
    for (CommandParser.Usage u : CommandParser.USAGES) {
      out.add("  " + u.syntax() + " ".repeat(width - u.syntax().length() + 2) + u.description());
    }
    out.add("* a line (message or command) is at most " + CommandParser.MAX_LINE + " characters;"
        + " a longer one is refused, not sent");
    return out;
  }

  /**
   * {@code ! a message from bob could not be decrypted}, with the room when it is not the current
   * one.
   */
  public String undecryptable(String senderUserId, Optional<String> roomLabel) {
    return "! " + roomLabel.map(l -> l + ": ").orElse("") + "a message from " + senderUserId
        + " could not be decrypted (ask them to send it again)";
  }

  /** {@code ! message}. */
  public String error(String message) {
    return "! " + message;
  }

  /** {@code * message}. */
  public String info(String message) {
    return "* " + message;
  }

  private static String role(Role r) {
    return r.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Optional<String> reactions(Map<String, java.util.Set<String>> reactions) {
    if (reactions.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(reactions).forEach((emoji, users) -> {
      if (!users.isEmpty()) {
        sb.append(sb.length() == 0 ? "" : " ").append(emoji).append(users.size());
      }
    });
    return sb.length() == 0 ? Optional.empty() : Optional.of(sb.toString());
  }

  static String snippet(Message m) {
    if (m.deleted()) {
      return "(deleted)";
    }
    String t = oneLine(m.text());
    return t.length() <= SNIPPET ? t : t.substring(0, SNIPPET - 1) + "…";
  }

  /** Control characters from the network are shown as '?', so a message cannot redraw the screen. */
  /** A byte count for people: 999 B, 12.3 KiB, 4.0 MiB, 1.2 GiB. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** A status-line progress bar: {@code sending a.bin [#########-----------]  45% 4.5/10.0 MiB}. */
  static String progress(String what, long done, long total) {
    int width = 20;
    int filled = total <= 0 ? width : (int) Math.min(width, done * width / total);
    int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    return what + " [" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + String.format(java.util.Locale.ROOT,
        "%3d%%", percent) + " " + size(done) + "/" + size(total);
  }

  static String oneLine(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (cp == '\n' || cp == '\r') {
        sb.append(' ');
      } else if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) {
        sb.append('?');
      } else {
        sb.appendCodePoint(cp);
      }
    });
    return sb.toString();
  }
}
