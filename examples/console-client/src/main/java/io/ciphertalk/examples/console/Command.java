package io.ciphertalk.examples.console;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One line the user typed, parsed: either a slash command or text to send to the current room.
 * Immutable records; {@link CommandParser} produces them and {@link ChatSession} executes them.
 * Message numbers ({@code n}) are the numbers the console printed in front of each message.
 */
public sealed interface Command {
  /** {@code /send FILE}: send a file to the current room, encrypted end to end. */
  record SendFile(String path) implements Command {
    public SendFile {
      Objects.requireNonNull(path, "path");
    }
  }

  /** {@code /download N [PATH]}: save the file of message N (to PATH, a file or a directory). */
  record Download(int number, Optional<String> path) implements Command {
    public Download {
      Objects.requireNonNull(path, "path");
    }
  }

  /** Plain text for the current room. */
  record Send(String text) implements Command {
    public Send {
      Objects.requireNonNull(text, "text");
    }
  }

  /** {@code /reply N TEXT}. */
  record Reply(int number, String text) implements Command {}

  /** {@code /edit N TEXT}. */
  record Edit(int number, String text) implements Command {}

  /** {@code /delete N}. */
  record Delete(int number) implements Command {}

  /** {@code /react N EMOJI}. */
  record React(int number, String emoji) implements Command {}

  /** {@code /expire 30s} (a delay) or {@code /expire off} (empty). */
  record Expire(Optional<Duration> after) implements Command {}

  /** {@code /rooms}. */
  record ListRooms() implements Command {}

  /** {@code /dm USER}: open the private room with a user. */
  record OpenPrivate(String userId) implements Command {}

  /** {@code /create NAME [USER...]}. */
  record CreateGroup(String name, List<String> members) implements Command {
    public CreateGroup {
      members = List.copyOf(members);
    }
  }

  /** {@code /join ROOM}: switch to a room by its number in {@code /rooms}, its id or its name. */
  record Join(String room) implements Command {}

  /** {@code /invite USER}. */
  record Invite(String userId) implements Command {}

  /** {@code /remove USER}. */
  record Remove(String userId) implements Command {}

  /** {@code /leave}. */
  record Leave() implements Command {}

  /** {@code /members}. */
  record Members() implements Command {}

  /** {@code /history [N]}. */
  record History(int limit) implements Command {}

  /** {@code /contacts}. */
  record ListContacts() implements Command {}

  /** {@code /add USER [NICKNAME]}. */
  record AddContact(String userId, String nickname) implements Command {}

  /** {@code /block USER} and {@code /unblock USER}. */
  record Block(String userId, boolean blocked) implements Command {}

  /** {@code /who}: presence of contacts and of the current room's members. */
  record Who() implements Command {}

  /** {@code /typing [on|off]}: tell the room you are (not) typing (JLine does it on keystrokes). */
  record Typing(boolean typing) implements Command {}

  /** {@code /verify USER} (or {@code /safety USER}): show the safety number shared with a user. */
  record Safety(String userId) implements Command {}

  /** {@code /trust USER NUMBER}: accept a user's new account key, giving the number compared. */
  record Trust(String userId, String safetyNumber) implements Command {}

  /** {@code /link}: on a new device, show the linking code. */
  record Link() implements Command {}

  /** {@code /approve CODE}: on a linked device, link the new device showing {@code code}. */
  record Approve(String code) implements Command {}

  /** {@code /devices}: this account's certified devices. */
  record Devices() implements Command {}

  /** {@code /revoke N}: revoke this account's device {@code deviceId}. */
  record Revoke(int deviceId) implements Command {}

  /** {@code /search TEXT}: local search over the decrypted history of every room. */
  record Search(String text) implements Command {}

  /** {@code /me ACTION}: an action line, shown as {@code * alice waves}. */
  record Me(String action) implements Command {}

  /** {@code /names}: the names of the current room's members, on one line. */
  record Names() implements Command {}

  /**
   * {@code /topic} (show the current room's topic), {@code /topic TEXT} (set it) or
   * {@code /topic -} (clear it: {@code ""}).
   */
  record Topic(Optional<String> text) implements Command {}

  /** {@code /passwd}: change the account's password (asked, never on the command line). */
  record Passwd() implements Command {}

  /** {@code /logout}: revoke this device for good and quit (asks to confirm). */
  record Logout() implements Command {}

  /** {@code /login}: sign in again with the password after the server ended the session. */
  record Login() implements Command {}

  /** {@code /help}. */
  record Help() implements Command {}

  /** {@code /quit}. */
  record Quit() implements Command {}

  /** An empty line: nothing to do. */
  record Nothing() implements Command {}
}
