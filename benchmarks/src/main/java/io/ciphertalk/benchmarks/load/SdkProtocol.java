package io.ciphertalk.benchmarks.load;

import io.ciphertalk.client.ChatEvent;
import io.ciphertalk.client.ChatListener;
import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.Room;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Real client-side encryption ({@code --real-encryption}): every simulated client is a full
 * {@link CipherTalkClient} (its own identity and prekeys, X3DH sessions, Sender Keys for the group,
 * AES-GCM and signatures per message), so the figures include client encryption and decryption in
 * the generator's JVM as well as the server. Accounts come from {@link CipherTalkProtocol}; the text
 * of each message is the probe in text form, padded to the message size.
 *
 * <p>Thread-safe. Costs two threads per client (the SDK's WebSocket transport), so keep runs to a few
 * hundred clients.
 */
final class SdkProtocol implements ClientProtocol, ClientProtocol.SelfConnecting {

  private final CipherTalkProtocol accounts;
  private final int messageSize;
  private final ConcurrentHashMap<Integer, CipherTalkClient> clients = new ConcurrentHashMap<>();
  private int[] roomOf;
  private ServerUnderTest server;
  private volatile String[] roomIds;

  SdkProtocol(LoadConfig config) {
    this.accounts = new CipherTalkProtocol(config.toBuilder().preEncrypted(true).build());
    this.messageSize = config.messageSize();
  }

  @Override
  public String name() {
    return Targets.CIPHERTALK;
  }

  @Override
  public void prepare(ServerUnderTest server, int[] roomOfClient, boolean idle) throws Exception {
    if (idle) {
      throw new UnsupportedOperationException("--real-encryption is for traffic runs");
    }
    this.server = server;
    this.roomOf = roomOfClient.clone();
    accounts.prepareAccountsOnly(server, roomOfClient);
  }

  @Override
  public String url(ServerUnderTest server, int client) {
    return server.wsUrl();
  }

  @Override
  public Session newSession(int client, int room, int messageSize, Events events) {
    throw new UnsupportedOperationException("the client SDK owns its connections");
  }

  @Override
  public SelfConnecting selfConnecting() {
    return this;
  }

  @Override
  public Sender connect(ServerUnderTest server, int client, Events events) throws Exception {
    CipherTalkClient c = CipherTalkClient.builder()
        .serverUri(URI.create(server.wsUrl()), URI.create(server.httpUrl() + "/"))
        .listener(new ChatListener() {
          @Override
          public void onMessage(ChatEvent.MessageReceived e) {
            if (e.fromOwnDevice()) {
              return;
            }
            Probe probe = Probe.fromText(e.message().text().getBytes(StandardCharsets.US_ASCII));
            if (probe == null) {
              events.error("sdk: message without a probe");
            } else {
              events.delivered(probe);
            }
          }
        })
        .build();
    clients.put(client, c);
    c.useToken(accounts.userNameOf(client), accounts.tokenOf(client));
    c.connect();
    return (seq, sentNanos) -> {
      String[] ids = roomIds;
      Optional<Room> room = ids == null ? Optional.empty() : c.room(ids[roomOf[client]]);
      if (room.isEmpty()) {
        events.error("sdk: room not known to client " + client);
        return false;
      }
      room.get().send(new String(new Probe(client, seq, sentNanos).toText(messageSize), StandardCharsets.US_ASCII));
      events.accepted(seq);
      return true;
    };
  }

  @Override
  public void allConnected() throws Exception {
    int rooms = 0;
    for (int r : roomOf) {
      rooms = Math.max(rooms, r + 1);
    }
    String[] ids = new String[rooms];
    List<List<Integer>> members = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      members.add(new ArrayList<>());
    }
    for (int c = 0; c < roomOf.length; c++) {
      members.get(roomOf[c]).add(c);
    }
    for (int r = 0; r < rooms; r++) {
      List<Integer> m = members.get(r);
      Set<String> others = new LinkedHashSet<>();
      for (int c : m.subList(1, m.size())) {
        others.add(accounts.userNameOf(c));
      }
      ids[r] = clients.get(m.get(0)).createGroup("load-" + r, others).id();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int c = 0; c < roomOf.length; c++) {
      while (clients.get(c).room(ids[roomOf[c]]).isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("client " + c + " never learned of its room");
        }
        LockSupport.parkNanos(10_000_000L);
      }
    }
    roomIds = ids;
  }

  @Override
  public void closeAll() {
    clients.values().forEach(CipherTalkClient::close);
    clients.clear();
  }
}
