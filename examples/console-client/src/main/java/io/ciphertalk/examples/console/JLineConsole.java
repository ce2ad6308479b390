package io.ciphertalk.examples.console;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;

/**
 * The console on a real terminal (JLine): line editing, history, tab completion of commands,
 * messages printed above the input line, the typing indicator in a status line at the bottom, and a
 * keystroke hook that tells the room the user is typing. Thread-safe for output.
 */
public final class JLineConsole implements LineSource, ConsoleOutput, AutoCloseable {
  private final Terminal terminal;
  private final LineReader reader;
  private final Status statusBar;

  private JLineConsole(Terminal terminal, Runnable onKeystroke) {
    this.terminal = terminal;
    List<String> commands = new ArrayList<>();
    for (CommandParser.Usage u : CommandParser.USAGES) {
      if (u.syntax().startsWith("/")) {
        commands.add(u.syntax().split(" ")[0]);
      }
    }
    BoundedLineReader r = new BoundedLineReader(terminal, CommandParser.MAX_LINE, onKeystroke);
    r.setCompleter(new StringsCompleter(commands));
    this.reader = r;
    Status s = null;
    try {
      s = Status.getStatus(terminal);
    } catch (RuntimeException e) {
      // a terminal without cursor addressing: the typing line is printed instead
    }
    this.statusBar = s;
  }

  /**
   * Opens the system terminal.
   *
   * @param onKeystroke called on every typed character (the session throttles typing indicators)
   */
  public static JLineConsole open(Runnable onKeystroke) throws IOException {
    Terminal t = TerminalBuilder.builder().system(true).name("ciphertalk").build();
    return new JLineConsole(t, onKeystroke);
  }

  /** A console on a given terminal (tests drive one over streams). */
  static JLineConsole on(Terminal terminal, Runnable onKeystroke) {
    return new JLineConsole(terminal, onKeystroke);
  }

  @Override
  public String readLine(String prompt) {
    try {
      return reader.readLine(prompt);
    } catch (UserInterruptException | EndOfFileException e) {
      return null;
    }
  }

  @Override
  public String readSecret(String prompt) {
    try {
      return reader.readLine(prompt, '*');
    } catch (UserInterruptException | EndOfFileException e) {
      return null;
    }
  }

  @Override
  public synchronized void println(String line) {
    reader.printAbove(line);
  }

  @Override
  public synchronized void status(String text) {
    if (statusBar != null) {
      statusBar.update(text.isEmpty() ? List.of() : List.of(new AttributedString(text)));
      statusBar.redraw();
    } else if (!text.isEmpty()) {
      reader.printAbove("~ " + text);
    }
  }

  @Override
  public void close() throws IOException {
    if (statusBar != null) {
      statusBar.close();
    }
    terminal.flush(); // what was drawn last reaches the screen before the terminal is released
    terminal.close();
  }
}
