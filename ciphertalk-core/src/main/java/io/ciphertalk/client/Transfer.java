package io.ciphertalk.client;

/**
 * A cancel handle for one upload or download: pass it in {@link FileOptions.Builder#transfer} or to
 * {@link CipherTalkClient#download}, and call {@link #cancel()} from any thread. The transfer then
 * stops at the next piece and its method throws {@link java.util.concurrent.CancellationException};
 * a cancelled download leaves no file, a cancelled upload sends no message (the server deletes the
 * unfinished blob after its orphan timeout). Thread-safe.
 */
public final class Transfer {
  private volatile boolean cancelled;

  /** Asks the transfer to stop. Idempotent. */
  public void cancel() {
    cancelled = true;
  }

  /** Whether {@link #cancel()} was called. */
  public boolean isCancelled() {
    return cancelled;
  }

  void check() {
    if (cancelled) {
      throw new java.util.concurrent.CancellationException("transfer cancelled");
    }
  }
}
