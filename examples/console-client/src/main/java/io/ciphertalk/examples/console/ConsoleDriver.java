package io.ciphertalk.examples.console;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs one {@link ConsoleApp} on its own thread with its standard input and output replaced by
 * pipes: {@link #type} writes a line to its input, {@link #awaitLine} waits (with a deadline) for a
 * line of its output. The console goes through exactly the code path it takes with piped stdin and
 * stdout ({@link PlainConsole}); only the SDK client behind it is real. Used by the two-console test
 * and by the demo.
 *
 * <p>Thread-safe.
 */
public final class ConsoleDriver implements AutoCloseable {
  private final String name;
  private final OutputStream toConsole;
  private final Thread thread;
  private final List<String> lines = new ArrayList<>();
  private final Consumer<String> echo;
  private final ConsoleApp app;
  private volatile Integer exitCode;
  private volatile Throwable failure;

  private ConsoleDriver(String name, ConsoleApp.Options options, ClientFactory factory,
      Consumer<String> echo) throws IOException {
    this.name = Objects.requireNonNull(name, "name");
    this.echo = Objects.requireNonNull(echo, "echo");
    Pipe pipe = Pipe.open();
    this.toConsole = Channels.newOutputStream(pipe.sink());
    InputStream stdin = Channels.newInputStream(pipe.source());
    PlainConsole console = new PlainConsole(stdin, new LineSplitter());
    ConsoleApp app = new ConsoleApp(options, console, console, factory, Clock.systemUTC());
    this.app = app;
    this.thread = new Thread(() -> {
      try {
        exitCode = app.run();
      } catch (Throwable t) {
        failure = t;
        received("!! console crashed: " + t);
      }
    }, "console-" + name);
    thread.setDaemon(true);
  }

  /**
   * Starts a console.
   *
   * @param echo receives every output line as it is printed (e.g. to show a demo), or {@code s -> {}}
   */
  public static ConsoleDriver start(String name, ConsoleApp.Options options, ClientFactory factory,
      Consumer<String> echo) throws IOException {
    ConsoleDriver d = new ConsoleDriver(name, options, factory, echo);
    d.thread.start();
    return d;
  }

  /** The name given at start. */
  public String name() {
    return name;
  }

  /**
   * A keystroke in the line editor, as JLine reports it on a terminal (the "typing" signal). With
   * piped input there are no keystrokes, so tests call this to reach that path.
   */
  public void keystroke() {
    app.session().keystroke();
  }

  /** The prompt a line editor would show now (piped input shows none). */
  public String prompt() {
    return app.session().prompt();
  }

  /** Types one line into the console, as a user would, followed by Enter. */
  public void type(String line) {
    try {
      toConsole.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      toConsole.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("console " + name + " no longer reads its input", e);
    }
  }

  /**
   * Waits until an output line contains {@code text}, searching every line printed so far.
   *
   * @return the first such line
   * @throws TimeoutException with the whole transcript if none appears within {@code timeout}
   */
  public String awaitLine(String text, Duration timeout) throws TimeoutException {
    return awaitLine(l -> l.contains(text), "a line containing \"" + text + "\"", timeout);
  }

  /** Waits until any line printed so far or later matches {@code match}; see {@link #awaitLine}. */
  public String awaitLine(Predicate<String> match, String what, Duration timeout)
      throws TimeoutException {
    return awaitLineFrom(0, match, what, timeout);
  }

  /** Like {@link #awaitLine(Predicate, String, Duration)} but ignores the first {@code from} lines. */
  public synchronized String awaitLineFrom(int from, Predicate<String> match, String what,
      Duration timeout) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int i = from;
    while (true) {
      for (; i < lines.size(); i++) {
        if (match.test(lines.get(i))) {
          return lines.get(i);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(name + ": no " + what + " within " + timeout
            + "; transcript:\n  " + String.join("\n  ", lines));
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TimeoutException(name + ": interrupted while waiting for " + what);
      }
    }
  }

  /** How many lines were printed so far (a starting index for {@link #awaitLineFrom}). */
  public synchronized int lineCount() {
    return lines.size();
  }

  /** A copy of every line printed so far. */
  public synchronized List<String> transcript() {
    return List.copyOf(lines);
  }

  /** A copy of the lines printed from line {@code from} (0-based) on. */
  public synchronized List<String> transcriptFrom(int from) {
    return List.copyOf(lines.subList(from, lines.size()));
  }

  /**
   * Types {@code /quit} and waits for the console to end.
   *
   * @return its exit code
   * @throws TimeoutException if it does not end in time
   */
  public int quit(Duration timeout) throws TimeoutException, InterruptedException {
    if (thread.isAlive()) {
      try {
        type("/quit");
      } catch (UncheckedIOException ignored) {
        // already stopped reading
      }
    }
    thread.join(timeout.toMillis());
    if (thread.isAlive()) {
      throw new TimeoutException(name + " did not quit within " + timeout);
    }
    if (failure != null) {
      throw new IllegalStateException(name + " crashed", failure);
    }
    return exitCode;
  }

  /** Closes the console's input (end of file), which ends it. */
  @Override
  public void close() {
    try {
      toConsole.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private void received(String line) {
    synchronized (this) {
      lines.add(line);
      notifyAll();
    }
    echo.accept(line);
  }

  /** Collects the console's output bytes into lines. */
  private final class LineSplitter extends OutputStream {
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        String line = current.toString(StandardCharsets.UTF_8);
        current.reset();
        received(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
      } else {
        current.write(b);
      }
    }
  }
}
