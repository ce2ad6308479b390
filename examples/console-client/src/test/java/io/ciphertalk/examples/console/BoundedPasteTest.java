package io.ciphertalk.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 6: a 100 KB paste into the line editor is refused at once and never drawn. The
 * console's JLine reader runs on a terminal emulated over streams (JLine's external terminal, with
 * its own line discipline), fed exactly the bytes a terminal sends for a paste.
 */
class BoundedPasteTest {
  private static final String PASTE_BEGIN = "\u001b[200~";
  private static final String PASTE_END = "\u001b[201~";

  /**
   * A terminal whose keyboard has already sent {@code typed} (and stays open, as a real one does:
   * an end of input would end the line reader).
   */
  private static Terminal terminal(String typed, ByteArrayOutputStream screen) throws Exception {
    java.io.PipedInputStream keyboard = new java.io.PipedInputStream(256 * 1024);
    java.io.PipedOutputStream keys = new java.io.PipedOutputStream(keyboard);
    // Built directly: TerminalBuilder.streams(...) may open a real pty instead (PosixPtyTerminal),
    // whose output a pump thread copies to the screen later, so the screen could still be missing
    // what was drawn when the test reads it (CI saw only the first prompt, 4 runs in 100 here).
    // The external terminal writes to the screen on the drawing thread.
    Terminal t = new ExternalTerminal("test", "xterm-256color", keyboard, screen,
        StandardCharsets.UTF_8);
    t.setSize(new org.jline.terminal.Size(80, 24));
    t.enterRawMode(); // as the line reader does: the terminal itself echoes nothing
    keys.write(typed.getBytes(StandardCharsets.UTF_8));
    keys.flush();
    return t;
  }

  @Test
  void bracketedPasteOf100Kb_isRefusedWithoutDrawingIt_andTheNextLineWorks() throws Exception {
    String huge = "y".repeat(100_000);
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    AtomicInteger keystrokes = new AtomicInteger();
    try (JLineConsole console = JLineConsole.on(terminal(PASTE_BEGIN + huge + PASTE_END + "\r"
        + "/help\r", screen), keystrokes::incrementAndGet)) {
      assertThat(console.readLine("> ")).isEmpty();
      assertThat(console.readLine("> ")).isEqualTo("/help");
    }
    String shown = screen.toString(StandardCharsets.UTF_8);
    assertThat(shown).contains("! line too long (100000 > 4000 characters): refused");
    assertThat(screen.size()).as("the paste was never drawn").isLessThan(5_000);
    assertThat(keystrokes.get()).as("one typing signal per typed key, none for the paste")
        .isEqualTo("/help".length());
  }

  @Test
  void unbracketedFloodOfCharacters_stopsAtTheLimit_andTheRestIsDropped() throws Exception {
    String huge = "z".repeat(CommandParser.MAX_LINE + 2_000);
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    try (JLineConsole console = JLineConsole.on(terminal(huge + "\r" + "/quit\r", screen),
        () -> { })) {
      assertThat(console.readLine("> ")).isEmpty();
      assertThat(console.readLine("> ")).isEqualTo("/quit");
    }
    String shown = screen.toString(StandardCharsets.UTF_8);
    assertThat(shown).contains("! line too long (over 4000 characters): refused");
    // a terminal without bracketed paste sends a paste key by key: the line stops at the limit
  }

  @Test
  void pasteWithinTheLimit_isInsertedWhole() throws Exception {
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    try (JLineConsole console = JLineConsole.on(terminal(PASTE_BEGIN + "hello there" + PASTE_END
        + "\r", screen), () -> { })) {
      assertThat(console.readLine("> ")).isEqualTo("hello there");
    }
  }
}
