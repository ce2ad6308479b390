package io.ciphertalk.client;

import java.util.function.BooleanSupplier;

/** Bounded polling for tests in other packages. */
public final class RecorderSupport {
  private RecorderSupport() {}

  public static void await(BooleanSupplier condition, String what) {
    Recorder.awaitTrue(condition, what);
  }
}
