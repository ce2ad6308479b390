package io.ciphertalk.examples.console;

/**
 * Where the console writes: whole lines, and one status line (the live "alice is typing…").
 * Implementations are thread-safe: SDK events and the input thread both print.
 */
public interface ConsoleOutput {
  /** Prints one line (above the input line when a line editor is active). */
  void println(String line);

  /**
   * Shows {@code text} as the live status line, or clears it when {@code text} is empty. A terminal
   * keeps it in place; plain output prints it once as {@code ~ text} when it changes to non-empty.
   */
  void status(String text);
}
