package io.ciphertalk.server.internal.cli;

import java.io.PrintStream;

/** Lets tests in other packages run the standalone command in-process (its run method is package-private). */
public final class MainAccess {
  private MainAccess() {}

  public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    return Main.run(args, out, err);
  }
}
