package io.ciphertalk.benchmarks.load;

/**
 * A server the load generator drives: the reference relay or CipherTalk, in this JVM, in a child
 * JVM, or an already running process given by URL.
 *
 * <p>Implementations are thread-safe.
 */
interface ServerUnderTest extends AutoCloseable {

  /** Which server this is ({@code relay} or {@code ciphertalk}). */
  String kind();

  /** How it runs: {@code inproc}, {@code fork} or {@code url}. */
  String placement();

  /** Base WebSocket URL ({@code ws://127.0.0.1:port/...}). */
  String wsUrl();

  /**
   * Every node's WebSocket URL: one for a single server; a cluster's nodes in order (clients are
   * spread over them by index and fail over to the next).
   */
  default java.util.List<String> wsUrls() {
    return java.util.List.of(wsUrl());
  }

  /**
   * Kills the server process at once, without any shutdown step (SIGKILL of a forked JVM).
   *
   * @throws UnsupportedOperationException where the server is not a process of ours
   */
  default void kill() {
    throw new UnsupportedOperationException("only a forked server can be killed");
  }

  /** Base HTTP URL for REST ({@code http://127.0.0.1:port}), or null if the server has none. */
  String httpUrl();

  /**
   * A resource sample of the server process.
   *
   * @param gcFirst run a full GC first, so the heap figure is live data rather than garbage
   */
  ServerSample sample(boolean gcFirst);

  /**
   * Something only a server in a known process can do (e.g. bulk-provision accounts without going
   * through the per-request password hashing). Returns null if unsupported.
   */
  default String control(String command) {
    return null;
  }

  @Override
  void close() throws Exception;
}
