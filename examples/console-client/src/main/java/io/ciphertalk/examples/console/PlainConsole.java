package io.ciphertalk.examples.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The console without a terminal: lines from an input stream, lines to an output stream, UTF-8.
 * Used when stdin is piped (scripts, tests, IDE consoles). Only login prompts are printed, so the
 * output of a scripted session is just the conversation. Thread-safe for output.
 */
public final class PlainConsole implements LineSource, ConsoleOutput {
  private final BufferedReader in;
  private final PrintStream out;
  private String lastStatus = "";

  public PlainConsole(InputStream in, OutputStream out) {
    this.in = new BufferedReader(new InputStreamReader(Objects.requireNonNull(in, "in"),
        StandardCharsets.UTF_8));
    this.out = new PrintStream(Objects.requireNonNull(out, "out"), true, StandardCharsets.UTF_8);
  }

  @Override
  public String readLine(String prompt) {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String readSecret(String prompt) {
    synchronized (this) {
      out.print(prompt);
      out.println();
    }
    return readLine(prompt);
  }

  @Override
  public synchronized void println(String line) {
    out.println(line);
  }

  @Override
  public synchronized void status(String text) {
    if (!text.isEmpty() && !text.equals(lastStatus)) {
      out.println("~ " + text);
    }
    lastStatus = text;
  }
}
