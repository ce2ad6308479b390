package io.ciphertalk.benchmarks.load;

import java.util.Map;

/**
 * How a simulated client speaks to one kind of server: what it does before connecting (accounts),
 * how it joins its room, how a load message is framed and how a delivery is recognised. One
 * implementation per target ({@link RelayProtocol}, the CipherTalk one).
 *
 * <p>Implementations are used from many threads; sessions are confined to one connection.
 */
interface ClientProtocol {

  /** Short name used in reports ({@code relay}, {@code ciphertalk}). */
  String name();

  /**
   * Prepares the server for a run (accounts, rooms, tokens). Called once per run, before any
   * connection; a protocol may be reused for several runs against the same server and keep what
   * it created (accounts) between them.
   *
   * @param server the server under test
   * @param roomOfClient room index of each client
   * @param idle true for an idle-scale run (clients connect and authenticate but never send)
   */
  void prepare(ServerUnderTest server, int[] roomOfClient, boolean idle) throws Exception;

  /** The WebSocket URL client {@code client} connects to. */
  String url(ServerUnderTest server, int client);

  /**
   * The URL of reconnection {@code attempt} (1, 2, ...) of a client whose connection dropped: the
   * next node of {@link ServerUnderTest#wsUrls()} after its own, round the list.
   */
  default String failoverUrl(ServerUnderTest server, int client, int attempt) {
    java.util.List<String> urls = server.wsUrls();
    return urls.get((client + attempt) % urls.size());
  }

  /** Extra handshake headers for client {@code client}. */
  default Map<String, String> headers(int client) {
    return Map.of();
  }

  /**
   * Non-null for a protocol that owns its connections (the client SDK): the run then connects
   * through it instead of through the generator's own WebSocket client.
   */
  default SelfConnecting selfConnecting() {
    return null;
  }

  /** Connections owned by the protocol (see {@link #selfConnecting()}). */
  interface SelfConnecting {
    /** Connects and authenticates client {@code client}; returns how it sends. */
    Sender connect(ServerUnderTest server, int client, Events events) throws Exception;

    /** Called once every client is connected: set up rooms; return when all can send and receive. */
    void allConnected() throws Exception;

    /** Closes every connection this protocol opened. */
    void closeAll();
  }

  /** Sends load messages for one self-connected client. */
  interface Sender {
    /** Sends message {@code seq} stamped {@code sentNanos}; false if it could not. */
    boolean send(long seq, long sentNanos);
  }

  /** A new protocol session for one connection of client {@code client}. */
  Session newSession(int client, int room, int messageSize, Events events);

  /** One connection's protocol state; runs on the connection's loop thread except {@link #send}. */
  interface Session {
    /** The socket is open: send whatever joins the room (hello, join). */
    void onOpen(WsConnection conn);

    /** A whole message from the server. */
    void onMessage(WsConnection conn, int opcode, byte[] payload);

    /** The connection closed (failover runs: whatever this session kept for it is dead). */
    default void onClose(WsConnection conn) {}

    /** Called every few milliseconds while the connection is open (timers such as delayed acks). */
    default void onTick(WsConnection conn, long nanoTime) {}

    /**
     * Sends load message {@code seq} stamped with {@code sentNanos}. May be called from any thread,
     * but never concurrently for one session.
     *
     * @return false if it could not be written (the connection is gone)
     */
    boolean send(WsConnection conn, long seq, long sentNanos);
  }

  /** What a session reports to the generator. */
  interface Events {
    /** The client has joined its room and may send and receive (again, after a reconnect). */
    void ready();

    /** A load message arrived. */
    void delivered(Probe probe);

    /** The server accepted (durably, for CipherTalk) message {@code seq} of this client. */
    void accepted(long seq);

    /** The server refused message {@code seq} of this client. */
    void refused(long seq, String reason);

    /** Anything else that went wrong (a protocol error, an unexpected frame). */
    void error(String what);
  }
}
