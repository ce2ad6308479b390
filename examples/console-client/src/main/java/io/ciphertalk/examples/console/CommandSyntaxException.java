package io.ciphertalk.examples.console;

/** A line the user typed is not a valid command; the message says what is expected. */
public final class CommandSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  public CommandSyntaxException(String message) {
    super(message);
  }
}
