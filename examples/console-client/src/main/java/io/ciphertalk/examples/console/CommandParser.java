package io.ciphertalk.examples.console;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one input line into a {@link Command}. Pure and stateless, so it is tested without a
 * terminal. A line not starting with {@code /} is text to send; {@code //text} sends {@code /text}.
 */
public final class CommandParser {
  /** Longest line accepted, in characters (the SDK enforces its own limit on the wire). */
  public static final int MAX_LINE = 4_000;

  /** The longest self-destruct delay the SDK accepts (SendOptions.MAX_EXPIRY). */
  static final Duration MAX_EXPIRY = Duration.ofDays(30);

  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,7})([smhd])");

  /** One row of {@code /help}: the usage and what it does. */
  public record Usage(String syntax, String description) {}

  /** Every command, in the order {@code /help} lists them. */
  public static final List<Usage> USAGES = List.of(
      new Usage("TEXT", "send TEXT to the current room (//text sends \"/text\")"),
      new Usage("/reply N TEXT", "reply to message number N"),
      new Usage("/expire 30s|5m|1h|2d|off", "self-destruct delay for your next messages in this room"),
      new Usage("/edit N TEXT", "replace the text of your message N"),
      new Usage("/delete N", "delete your message N for everyone"),
      new Usage("/react N EMOJI", "react to message N"),
      new Usage("/send FILE", "send a file, encrypted end to end (/send-file FILE too)"),
      new Usage("/download N [PATH]", "save the file of message N to PATH or the current directory (/save too)"),
      new Usage("/rooms", "list your rooms with unread counts"),
      new Usage("/dm USER", "open the private room with USER"),
      new Usage("/create NAME [USER...]", "create a group room with these members"),
      new Usage("/join ROOM", "switch to a room (number from /rooms, id or name)"),
      new Usage("/invite USER", "add USER to the current group"),
      new Usage("/remove USER", "remove USER from the current group"),
      new Usage("/leave", "leave the current room"),
      new Usage("/members", "members of the current room and their roles"),
      new Usage("/history [N]", "show the last N messages of the room (default 20)"),
      new Usage("/search TEXT", "search the decrypted history of all your rooms (on this device)"),
      new Usage("/me ACTION", "send an action: \"/me waves\" shows as \"* you waves\""),
      new Usage("/names", "the names of the current room's members"),
      new Usage("/topic [TEXT|-]", "show the group's topic, set it (owner, admin) or clear it (-)"),
      new Usage("/contacts", "list your contacts"),
      new Usage("/add USER [NICKNAME]", "add a contact"),
      new Usage("/block USER", "block a user (/unblock USER to undo)"),
      new Usage("/who", "who is online among your contacts and room members"),
      new Usage("/typing [on|off]", "say you are typing (automatic when you type in a terminal)"),
      new Usage("/verify USER", "show the safety number (and its QR payload) to compare with USER"),
      new Usage("/trust USER NUMBER", "accept USER's new account key: type the number you compared"),
      new Usage("/link", "on a new device: show the code to enter on one of your linked devices"),
      new Usage("/approve CODE", "on a linked device: link the new device that shows CODE"),
      new Usage("/devices", "your account's certified devices"),
      new Usage("/revoke N", "revoke your device N (a lost phone): it gets nothing new"),
      new Usage("/login", "sign in again after the server ended your session"),
      new Usage("/passwd", "change your password (your other devices sign in again)"),
      new Usage("/logout", "revoke this device for good and quit (not your only device)"),
      new Usage("/help", "this list"),
      new Usage("/quit", "leave the client"));

  /** A path as typed, without surrounding double quotes (for names with spaces). */
  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  /**
   * Parses one line.
   *
   * @throws CommandSyntaxException with a message for the user if the line is not valid
   */
  public Command parse(String line) throws CommandSyntaxException {
    if (line == null) {
      return new Command.Quit();
    }
    if (line.length() > MAX_LINE) {
      throw new CommandSyntaxException("line too long (" + line.length() + " > " + MAX_LINE
          + " characters)");
    }
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return new Command.Nothing();
    }
    if (trimmed.startsWith("//")) {
      return new Command.Send(trimmed.substring(1));
    }
    if (!trimmed.startsWith("/")) {
      return new Command.Send(trimmed);
    }
    String[] head = trimmed.substring(1).split("\\s+", 2);
    String name = head[0].toLowerCase(Locale.ROOT);
    String rest = head.length > 1 ? head[1].strip() : "";
    switch (name) {
      case "help":
      case "?":
        return new Command.Help();
      case "quit":
      case "exit":
        return new Command.Quit();
      case "reply":
      case "r": {
        String[] p = split2(rest, "/reply N TEXT");
        return new Command.Reply(number(p[0]), p[1]);
      }
      case "edit": {
        String[] p = split2(rest, "/edit N TEXT");
        return new Command.Edit(number(p[0]), p[1]);
      }
      case "delete":
      case "del":
        return new Command.Delete(number(single(rest, "/delete N")));
      case "react": {
        String[] p = split2(rest, "/react N EMOJI");
        return new Command.React(number(p[0]), p[1]);
      }
      case "expire":
        return new Command.Expire(expiry(single(rest, "/expire 30s|5m|1h|2d|off")));
      case "send":
      case "send-file":
        if (rest.isEmpty()) {
          throw new CommandSyntaxException("usage: /send FILE");
        }
        return new Command.SendFile(unquote(rest));
      case "download":
      case "save": {
        if (rest.isEmpty()) {
          throw new CommandSyntaxException("usage: /download N [PATH]");
        }
        String[] p = rest.split("\\s+", 2);
        return new Command.Download(number(p[0]), p.length > 1 ? Optional.of(unquote(p[1].strip())) : Optional.empty());
      }
      case "rooms":
        return new Command.ListRooms();
      case "dm":
      case "msg":
        return new Command.OpenPrivate(user(single(rest, "/dm USER")));
      case "create": {
        String[] words = words(rest);
        if (words.length == 0) {
          throw new CommandSyntaxException("usage: /create NAME [USER...]");
        }
        List<String> members = Arrays.stream(words).skip(1).toList();
        for (String m : members) {
          user(m);
        }
        return new Command.CreateGroup(words[0], members);
      }
      case "join":
      case "switch":
      case "j":
        return new Command.Join(single(rest, "/join ROOM"));
      case "invite":
        return new Command.Invite(user(single(rest, "/invite USER")));
      case "remove":
      case "kick":
        return new Command.Remove(user(single(rest, "/remove USER")));
      case "leave":
        noArgs(rest, "/leave");
        return new Command.Leave();
      case "members":
        noArgs(rest, "/members");
        return new Command.Members();
      case "history": {
        if (rest.isEmpty()) {
          return new Command.History(20);
        }
        int n = number(single(rest, "/history [N]"));
        if (n > 500) {
          throw new CommandSyntaxException("history shows at most 500 messages");
        }
        return new Command.History(n);
      }
      case "contacts":
        return new Command.ListContacts();
      case "add": {
        String[] p = rest.split("\\s+", 2);
        if (rest.isEmpty()) {
          throw new CommandSyntaxException("usage: /add USER [NICKNAME]");
        }
        return new Command.AddContact(user(p[0]), p.length > 1 ? p[1].strip() : "");
      }
      case "block":
        return new Command.Block(user(single(rest, "/block USER")), true);
      case "unblock":
        return new Command.Block(user(single(rest, "/unblock USER")), false);
      case "who":
      case "online":
        return new Command.Who();
      case "typing":
        if (rest.isEmpty() || rest.equalsIgnoreCase("on")) {
          return new Command.Typing(true);
        }
        if (rest.equalsIgnoreCase("off")) {
          return new Command.Typing(false);
        }
        throw new CommandSyntaxException("usage: /typing [on|off]");
      case "search":
      case "find":
        if (rest.isEmpty()) {
          throw new CommandSyntaxException("usage: /search TEXT");
        }
        return new Command.Search(rest);
      case "me":
        if (rest.isEmpty()) {
          throw new CommandSyntaxException("usage: /me ACTION");
        }
        return new Command.Me(rest);
      case "names":
        noArgs(rest, "/names");
        return new Command.Names();
      case "login":
        noArgs(rest, "/login");
        return new Command.Login();
      case "topic":
        if (rest.isEmpty()) {
          return new Command.Topic(Optional.empty());
        }
        return new Command.Topic(Optional.of(rest.equals("-") ? "" : rest));
      case "passwd":
      case "password":
        noArgs(rest, "/passwd (the passwords are asked, never typed on the command line)");
        return new Command.Passwd();
      case "logout":
        noArgs(rest, "/logout");
        return new Command.Logout();
      case "safety":
      case "verify":
        return new Command.Safety(user(single(rest, "/verify USER")));
      case "trust": {
        String[] p = split2(rest, "/trust USER NUMBER");
        return new Command.Trust(user(p[0]), p[1]);
      }
      case "link":
        noArgs(rest, "/link");
        return new Command.Link();
      case "approve":
        return new Command.Approve(single(rest, "/approve CODE"));
      case "devices":
        noArgs(rest, "/devices");
        return new Command.Devices();
      case "revoke": {
        String n = single(rest, "/revoke N");
        if (!n.matches("[1-9][0-9]{0,8}")) {
          throw new CommandSyntaxException("usage: /revoke N (a device number, see /devices)");
        }
        return new Command.Revoke(Integer.parseInt(n));
      }
      default:
        throw new CommandSyntaxException("unknown command /" + name + " (try /help)");
    }
  }

  /**
   * Parses a self-destruct delay such as {@code 30s}, {@code 5m}, {@code 1h30m} or {@code 2d};
   * {@code off} gives empty.
   *
   * @throws CommandSyntaxException if malformed, zero, or longer than 30 days
   */
  public static Optional<Duration> expiry(String text) throws CommandSyntaxException {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("off") || t.equals("0")) {
      return Optional.empty();
    }
    Matcher m = DURATION_PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.lookingAt()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
      end = m.end();
      m.region(end, t.length());
    }
    if (end == 0 || end != t.length()) {
      throw new CommandSyntaxException("not a delay: '" + text + "' (examples: 30s, 5m, 1h30m, 2d, off)");
    }
    if (total.isZero()) {
      throw new CommandSyntaxException("a self-destruct delay must be positive (or 'off')");
    }
    if (total.compareTo(MAX_EXPIRY) > 0) {
      throw new CommandSyntaxException("a self-destruct delay is at most 30 days");
    }
    return Optional.of(total);
  }

  private static String[] split2(String rest, String usage) throws CommandSyntaxException {
    String[] p = rest.split("\\s+", 2);
    if (p.length < 2 || p[1].isBlank()) {
      throw new CommandSyntaxException("usage: " + usage);
    }
    return new String[] {p[0], p[1].strip()};
  }

  private static String single(String rest, String usage) throws CommandSyntaxException {
    if (rest.isEmpty() || rest.contains(" ")) {
      throw new CommandSyntaxException("usage: " + usage);
    }
    return rest;
  }

  private static void noArgs(String rest, String usage) throws CommandSyntaxException {
    if (!rest.isEmpty()) {
      throw new CommandSyntaxException("usage: " + usage);
    }
  }

  private static String[] words(String rest) {
    return rest.isEmpty() ? new String[0] : rest.split("\\s+");
  }

  private static int number(String text) throws CommandSyntaxException {
    String t = text.startsWith("#") ? text.substring(1) : text;
    try {
      int n = Integer.parseInt(t);
      if (n < 1) {
        throw new CommandSyntaxException("message numbers start at 1: " + text);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new CommandSyntaxException("not a message number: '" + text + "'");
    }
  }

  /** User ids: what the SDK accepts (letters, digits, '.', '_', '-'); checked again by the SDK. */
  private static String user(String text) throws CommandSyntaxException {
    if (!text.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new CommandSyntaxException("not a user name: '" + text + "'");
    }
    return text;
  }
}
