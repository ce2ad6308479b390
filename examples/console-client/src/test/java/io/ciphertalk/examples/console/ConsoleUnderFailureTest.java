package io.ciphertalk.examples.console;

import static io.ciphertalk.examples.console.ConsoleServer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Room;
import io.ciphertalk.core.transport.Transport;
import io.ciphertalk.core.transport.TransportListener;
import io.ciphertalk.core.transport.TransportState;
import io.ciphertalk.core.transport.WebSocketTransport;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console when the world misbehaves: a room taken away under the user's fingers, an SDK that
 * fails on every call, a server that forgot the account, a message that cannot be decrypted. Real
 * consoles driven through their piped input and output against a real server over WebSocket.
 */
class ConsoleUnderFailureTest {
  @RegisterExtension
  final ConsoleServer server = ConsoleServer.inMemory();

  /** Issue 16 item 1: removed from a group, the next keystroke and commands must not crash. */
  @Test
  void removedFromAGroup_keystrokesAndCommands_printOneLine_andTheConsoleKeepsRunning()
      throws Exception {
    try (ConsoleDriver alice = server.console("alice");
        ConsoleDriver bob = server.console("bob")) {
      alice.type("/create team bob");
      alice.awaitLine("now in #team", WAIT);
      bob.awaitLine("you were added to #team", WAIT);
      bob.type("/join team");
      bob.awaitLine("now in #team", WAIT);

      alice.type("/remove bob");
      alice.awaitLine("* removed bob", WAIT);
      bob.awaitLine("* you were removed from #team", WAIT);
      bob.keystroke(); // the JLine hook that crashed the console with "unknown room"
      int from = bob.lineCount();
      bob.type("still here?");
      bob.type("/members");
      bob.type("/history");
      bob.type("/rooms");
      bob.awaitLineFrom(from, l -> l.contains("no rooms yet"), "the /rooms answer", WAIT);
      assertThat(bob.transcriptFrom(from))
          .allMatch(l -> l.startsWith("! ") || l.startsWith("* "), "one notice per command")
          .noneMatch(l -> l.contains("Exception"));
      assertThat(bob.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  /** Issue 16 item 1, the guard: every SDK call failing is one line each, and /quit still works. */
  @Test
  void injectedFailures_everyCommandFails_withOneLine_andTheConsoleKeepsRunning() throws Exception {
    AtomicReference<CipherTalkClient> made = new AtomicReference<>();
    ClientFactory keeping = (o, p, l) -> {
      CipherTalkClient c = new DefaultClientFactory().create(o, p, l);
      made.set(c);
      return c;
    };
    try (ConsoleDriver carol = server.console("carol", keeping)) {
      carol.type("/dm dave-who-does-not-exist");
      carol.awaitLine(l -> l.startsWith("! "), "the refusal", WAIT);
      carol.type("/create crew");
      carol.awaitLine("now in #crew", WAIT);
      made.get().close(); // every SDK call now fails underneath the console
      int from = carol.lineCount();
      String[] commands = {"hello", "/members", "/rooms", "/who", "/contacts", "/add erin",
          "/invite erin", "/leave", "/safety erin", "/typing", "/history 5", "/expire 5m"};
      for (String c : commands) {
        carol.type(c);
      }
      carol.type("/help");
      carol.awaitLineFrom(from, l -> l.contains("/quit"), "the help text", WAIT);
      long errors = carol.transcriptFrom(from).stream()
          .filter(l -> l.startsWith("! ")).count();
      assertThat(errors).as("one error line per failed command").isGreaterThanOrEqualTo(10);
      assertThat(carol.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  /** Issue 16 item 5: after the in-memory server restarts, the token is dead: say so, stop. */
  @Test
  void deadTokenAfterAServerRestart_endsTheSession_once_andOffersToLogInAgain() throws Exception {
    try (ConsoleDriver gina = server.console("gina")) {
      server.stop();
      gina.awaitLine("disconnected", WAIT);
      server.restart(); // a fresh in-memory database: gina's account is gone
      gina.awaitLine("signed out by the server", Duration.ofSeconds(40));
      gina.awaitLine("type /login to sign in again", WAIT);
      int from = gina.lineCount();
      gina.type("/login");
      gina.type("password-of-gina");
      gina.awaitLineFrom(from, l -> l.startsWith("! "), "the refused login", WAIT);
      gina.type("/rooms");
      gina.awaitLineFrom(from, l -> l.contains("no rooms yet"), "the console still answers", WAIT);
      assertThat(gina.transcript().stream().filter(l -> l.contains("disconnected")).count())
          .as("no reconnect loop").isEqualTo(1);
      assertThat(gina.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  /** Issue 16 item 8: a message that cannot be decrypted is a notice in the room, not silence. */
  @Test
  void tamperedGroupMessage_showsANoticeInTheRoom() throws Exception {
    try (ConsoleDriver alice = server.console("alice2");
        CipherTalkClient mallory = CipherTalkClient.builder()
            .transport(() -> new TamperingTransport(WebSocketTransport.builder(server.ws()).build()),
                server.http())
            .build()) {
      mallory.register("mallory", "password-of-mallory");
      mallory.connect();
      Room room = mallory.createGroup("lab", Set.of("alice2"));
      alice.awaitLine("you were added to #lab", WAIT);
      alice.type("/join lab");
      alice.awaitLine("now in #lab", WAIT);
      room.send("this ciphertext is flipped on the way");
      String notice = alice.awaitLine("could not be decrypted", WAIT);
      assertThat(notice).startsWith("! a message from mallory could not be decrypted");
      assertThat(alice.transcript()).noneMatch(l -> l.contains("flipped on the way"));
      assertThat(alice.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  /**
   * Issue 16 item 8, for a 1:1 message: its envelope names no room, so the notice goes to the
   * private room with the sender, and the text never shows.
   */
  @Test
  void tamperedPrivateMessage_showsANotice_namingThePrivateRoom() throws Exception {
    try (ConsoleDriver alice = server.console("alice3");
        CipherTalkClient mallory = CipherTalkClient.builder()
            .transport(() -> new TamperingTransport(
                WebSocketTransport.builder(server.ws()).build(), true), server.http())
            .build()) {
      mallory.register("mallory3", "password-of-mallory");
      mallory.connect();
      mallory.privateRoom("alice3").send("this private ciphertext is flipped on the way");
      String notice = alice.awaitLine("could not be decrypted", WAIT);
      assertThat(notice).startsWith("! @mallory3: a message from mallory3 could not be decrypted");
      assertThat(alice.transcript()).noneMatch(l -> l.contains("flipped on the way"));
      alice.type("/rooms");
      alice.awaitLine("@mallory3", WAIT);
      assertThat(alice.quit(WAIT)).isEqualTo(ConsoleApp.OK);
    }
  }

  /** Issue 16 item 4: capitals are normalised before anything is sent; no device is used up. */
  @Test
  void userNameWithCapitals_isLowerCasedUpFront_andEitherSpellingSignsIn() throws Exception {
    try (ConsoleDriver dave = server.start("Dave", server.options("Dave", true))) {
      dave.type("password-of-dave");
      dave.awaitLine("* user names are lower case: signing in as dave", WAIT);
      dave.awaitLine("signed in as dave (device 1)", WAIT);
      dave.quit(WAIT);
    }
    try (ConsoleDriver again = server.start("DAVE", server.options("DAVE", false).withDevice(2))) {
      again.type("password-of-dave");
      again.awaitLine("signed in as dave (device 2)", WAIT);
      again.quit(WAIT);
    }
    try (ConsoleDriver bad = server.start("x", server.options("D@ve", true))) {
      bad.awaitLine("! not a user name: 'D@ve'", WAIT);
      assertThat(bad.quit(WAIT)).isEqualTo(ConsoleApp.LOGIN_FAILED);
    }
  }

  /** A network in the middle that flips one bit of every group ciphertext it forwards. */
  private static final class TamperingTransport implements Transport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Transport inner;
    private final boolean pairwiseToo;

    TamperingTransport(Transport inner) {
      this(inner, false);
    }

    /** Flips a bit of every group ciphertext, and of every pairwise one if {@code pairwiseToo}. */
    TamperingTransport(Transport inner, boolean pairwiseToo) {
      this.inner = inner;
      this.pairwiseToo = pairwiseToo;
    }

    @Override
    public void start(TransportListener listener) {
      inner.start(listener);
    }

    @Override
    public boolean send(String frame) {
      try {
        ObjectNode f = (ObjectNode) JSON.readTree(frame);
        if ("send_group".equals(f.path("type").asText())) {
          byte[] ct = Base64.getUrlDecoder().decode(f.get("ciphertext").asText());
          ct[ct.length / 2] ^= 0x01;
          f.put("ciphertext", Base64.getUrlEncoder().withoutPadding().encodeToString(ct));
          return inner.send(f.toString());
        }
        if (pairwiseToo && "send".equals(f.path("type").asText())) {
          for (com.fasterxml.jackson.databind.JsonNode r : f.withArray("recipients")) {
            byte[] ct = Base64.getUrlDecoder().decode(r.get("ciphertext").asText());
            ct[ct.length / 2] ^= 0x01;
            ((ObjectNode) r).put("ciphertext",
                Base64.getUrlEncoder().withoutPadding().encodeToString(ct));
          }
          return inner.send(f.toString());
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return inner.send(frame);
    }

    @Override
    public TransportState state() {
      return inner.state();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
