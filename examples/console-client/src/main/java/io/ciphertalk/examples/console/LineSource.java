package io.ciphertalk.examples.console;

/** Where the console reads what the user types. Used from one thread. */
public interface LineSource {
  /** Reads one line after showing {@code prompt} (if the source shows prompts); null at end of input. */
  String readLine(String prompt);

  /** Reads a secret such as a password without echoing it, where possible; null at end of input. */
  String readSecret(String prompt);
}
