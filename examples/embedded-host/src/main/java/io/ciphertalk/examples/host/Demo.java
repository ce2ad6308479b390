package io.ciphertalk.examples.host;

import io.ciphertalk.examples.console.ConsoleApp;
import io.ciphertalk.examples.console.ConsoleDriver;
import io.ciphertalk.examples.console.DefaultClientFactory;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * The one-command demo: starts a CipherTalk server in this JVM (H2 in memory, free ports) and two
 * real console clients, alice and bob, connected over WebSocket, then types a short conversation
 * into both and shows what each of them sees: a private chat with a reply, typing, receipts, a
 * self-destructing message, an edit, presence, safety numbers, bob linking a second device, and a
 * group with the echo bot.
 *
 * <pre>java -jar examples/embedded-host/target/ciphertalk-demo.jar</pre>
 */
public final class Demo {
  /** How long the demo waits for any one step before giving up. */
  static final Duration STEP = Duration.ofSeconds(20);

  private final PrintStream out;

  /** A demo that prints to {@code out}. */
  public Demo(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    // the demo shows the two consoles; library warnings would interleave with them
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    new Demo(new PrintStream(System.out, true, StandardCharsets.UTF_8)).run();
    System.exit(0);
  }

  /** Runs the whole conversation; throws if any expected line does not appear in time. */
  public void run() throws Exception {
    out.println("== starting a CipherTalk server in this JVM (in-memory H2) with the echo bot");
    try (EmbeddedHost host = EmbeddedHost.create(0, 0, "echo").start()) {
      URI ws = host.webSocketUri();
      URI http = host.httpUri();
      out.println("== server on " + ws + "; starting two console clients: alice and bob");
      DefaultClientFactory websocket = new DefaultClientFactory();
      try (ConsoleDriver alice = ConsoleDriver.start("alice", ConsoleApp.Options.of(ws, http, "alice", true),
              websocket, l -> out.println("alice | " + l));
          ConsoleDriver bob = ConsoleDriver.start("bob", ConsoleApp.Options.of(ws, http, "bob", true),
              websocket, l -> out.println("  bob | " + l))) {
        typePassword(alice, "correct horse battery staple");
        typePassword(bob, "tr0ub4dor&3-but-longer");
        alice.awaitLine("signed in as alice", STEP);
        bob.awaitLine("signed in as bob", STEP);

        step("alice opens a private room with bob and says hello");
        type(alice, "/add bob Bob");
        type(alice, "/dm bob");
        alice.awaitLine("now in @bob", STEP);
        type(alice, "hi bob! this is end-to-end encrypted");
        bob.awaitLine("alice: hi bob!", STEP);
        alice.awaitLine("delivered to bob", STEP);

        step("bob switches to the room (which marks it read), types, and replies to message 1");
        type(bob, "/rooms");
        type(bob, "/join alice");
        bob.awaitLine("now in @alice", STEP);
        alice.awaitLine("read by bob", STEP);
        type(bob, "/typing");
        alice.awaitLine("bob is typing", STEP);
        type(bob, "/reply 1 hello alice, the server only sees ciphertext");
        alice.awaitLine("hello alice, the server only sees ciphertext", STEP);

        step("alice sends a message that self-destructs after 5 seconds, then edits her first one");
        type(alice, "/expire 5s");
        type(alice, "this message disappears in 5 seconds");
        bob.awaitLine("this message disappears", STEP);
        type(alice, "/expire off");
        type(alice, "/edit 1 hi bob! (edited) this is end-to-end encrypted");
        bob.awaitLine("edited by alice", STEP);

        step("who is online, and the safety number to compare out of band");
        type(alice, "/who");
        alice.awaitLine("bob is online", STEP);
        type(alice, "/safety bob");
        alice.awaitLine("safety number with bob", STEP);
        type(bob, "/safety alice");
        bob.awaitLine("safety number with alice", STEP);

        step("bob links a second device: it shows a code, his first device approves it");
        try (ConsoleDriver laptop = ConsoleDriver.start("bob-laptop",
            ConsoleApp.Options.of(ws, http, "bob", false).withDevice(2), websocket,
            l -> out.println(" bob2 | " + l))) {
          typePassword(laptop, "tr0ub4dor&3-but-longer");
          laptop.awaitLine("type /link here", STEP);
          type(laptop, "/link");
          String code = laptop.awaitLine(l -> l.strip().matches("[0-9A-Z]{4}(-[0-9A-Z]{4}){15}"),
              "the linking code", STEP).strip();
          type(bob, "/approve " + code);
          bob.awaitLine("confirmation code", STEP);
          laptop.awaitLine("linked; confirmation code", STEP);
          type(alice, "this reaches both of bob's devices");
          laptop.awaitLine("this reaches both of bob's devices", STEP);
          type(alice, "/verify bob");
          alice.awaitLine("safety number with bob", STEP);
          type(laptop, "/verify alice");
          laptop.awaitLine("safety number with alice", STEP);
          laptop.quit(STEP);
        }

        step("alice creates a group with bob and the echo bot");
        type(alice, "/create team bob echo");
        alice.awaitLine("now in #team", STEP);
        type(alice, "hello team");
        bob.awaitLine("alice: hello team", STEP);
        alice.awaitLine("echo: hello team", STEP);

        step("the self-destructing message is gone on both sides");
        alice.awaitLine("disappeared", STEP);
        bob.awaitLine("disappeared", STEP);

        alice.quit(STEP);
        bob.quit(STEP);
      }
    }
    out.println("== done: both clients and the server stopped");
  }

  private void step(String what) {
    out.println("== " + what);
  }

  private void type(ConsoleDriver console, String line) {
    out.println(console.name() + " > " + line);
    console.type(line);
  }

  private void typePassword(ConsoleDriver console, String password) {
    out.println(console.name() + " > (types a password)");
    console.type(password);
  }
}
