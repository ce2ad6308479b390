package io.ciphertalk.benchmarks.load;

import java.nio.charset.StandardCharsets;

/**
 * The reference relay's protocol ({@link ReferenceRelay}): {@code join <room>}, then load messages
 * as text frames of exactly the configured message size (hex probe header plus padding).
 */
final class RelayProtocol implements ClientProtocol {

  @Override
  public String name() {
    return "relay";
  }

  @Override
  public void prepare(ServerUnderTest server, int[] roomOfClient, boolean idle) {
    // No accounts: the relay has no authentication.
  }

  @Override
  public String url(ServerUnderTest server, int client) {
    return server.wsUrl();
  }

  @Override
  public Session newSession(int client, int room, int messageSize, Events events) {
    return new Session() {
      private final String roomName = "room-" + room;

      @Override
      public void onOpen(WsConnection conn) {
        conn.sendText("join " + roomName);
      }

      @Override
      public void onMessage(WsConnection conn, int opcode, byte[] payload) {
        if (payload.length > 0 && payload[0] == 'j'
            && new String(payload, StandardCharsets.US_ASCII).equals("joined " + roomName)) {
          events.ready();
          return;
        }
        Probe probe = Probe.fromText(payload);
        if (probe == null) {
          events.error("relay: unexpected frame of " + payload.length + " bytes");
          return;
        }
        events.delivered(probe);
      }

      @Override
      public boolean send(WsConnection conn, long seq, long sentNanos) {
        boolean ok = conn.sendText(new Probe(client, seq, sentNanos).toText(messageSize));
        if (ok) {
          events.accepted(seq);
        }
        return ok;
      }
    };
  }
}
