package io.ciphertalk.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.core.wire.Bytes;
import io.ciphertalk.core.wire.Delivery;
import io.ciphertalk.core.wire.Frame;
import io.ciphertalk.core.wire.NoticeKind;
import io.ciphertalk.core.wire.WireCodec;
import io.ciphertalk.core.wire.WireException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CipherTalk's wire protocol (the shared {@link WireCodec}) for simulated clients.
 *
 * <p>Preparation: one account per simulated user over REST ({@code /api/register},
 * {@code /api/login}, Argon2id on the server, a few in parallel); for traffic runs one group room
 * per load room, created by its first member with {@code room_create}. In idle-scale runs separate
 * users (no rooms) have up to {@link #IDLE_DEVICES_PER_USER} devices (one connection each), which keeps account
 * creation (two Argon2id computations per user) to minutes rather than tens of minutes.
 *
 * <p>Per connection: {@code hello} with the user's token and device; {@code send_group} with a
 * {@code messageId} derived from (run, sender, sequence) and, in pre-encrypted mode, random
 * ciphertext whose first 20 bytes are the probe; {@code deliver}s are acknowledged with cumulative
 * {@code ack}s with the client SDK's policy unless {@code --ack-every} says otherwise (see the SDK's
 * {@code StreamAcks}: one ack per stream {@value #ACK_DELAY_MILLIS} ms after the first unacknowledged
 * delivery, or at once after {@value #ACK_AT_MOST_EVERY}); each {@code sent} counts as accepted.
 */
final class CipherTalkProtocol implements ClientProtocol {

  private static final Logger log = LoggerFactory.getLogger(CipherTalkProtocol.class);

  /** Devices per user in idle-scale runs (the server's default per-user connection cap is 10). */
  static final int IDLE_DEVICES_PER_USER = 10;

  /** A client whose received frames are logged (system property {@code load.trace}), -1 for none. */
  private static final int TRACE_CLIENT = Integer.getInteger("load.trace", -1);

  private static final String PASSWORD = "load-generator-password";
  private static final WireCodec CODEC = WireCodec.create();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final java.util.concurrent.ConcurrentHashMap<String, String> tokenByUser =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean idle;
  private final String userPrefix =
      "lt" + Long.toString(ThreadLocalRandom.current().nextLong() & 0xffffff, 36) + "-";
  private int[] roomOf;
  private volatile String[] roomIds; // by room index, for the current run

  /** The SDK's bound on finished deliveries between two acks of a stream (StreamAcks.MAX_UNACKED). */
  static final int ACK_AT_MOST_EVERY = 64;

  /** The SDK's ack delay (StreamAcks.DELAY). */
  static final long ACK_DELAY_MILLIS = 50;

  private final int ackEvery;

  private final boolean failover;

  CipherTalkProtocol(LoadConfig config) {
    this.ackEvery = config.ackEvery();
    this.failover = config.failover();
  }

  @Override
  public String name() {
    return Targets.CIPHERTALK;
  }

  private int userOf(int client) {
    return idle ? client / IDLE_DEVICES_PER_USER : client;
  }

  private int deviceOf(int client) {
    return idle ? 1 + client % IDLE_DEVICES_PER_USER : 1;
  }

  /**
   * Idle-scale users are separate from traffic users: a traffic user's room backlog would otherwise
   * be pushed to every new device of it, and the connections would not be idle.
   */
  private String userName(int user) {
    return userPrefix + (idle ? "i" : "") + user;
  }

  /** The account name of a client (for {@link SdkProtocol}). */
  String userNameOf(int client) {
    return userName(userOf(client));
  }

  /** The bearer token of a client's account (for {@link SdkProtocol}). */
  String tokenOf(int client) {
    return tokenByUser.get(userNameOf(client));
  }

  /** Creates the accounts of a traffic run but no rooms (for {@link SdkProtocol}). */
  void prepareAccountsOnly(ServerUnderTest server, int[] roomOfClient) throws Exception {
    prepare(server, roomOfClient, false, false);
  }

  @Override
  public void prepare(ServerUnderTest server, int[] roomOfClient, boolean idleRun) throws Exception {
    prepare(server, roomOfClient, idleRun, !idleRun);
  }

  private void prepare(ServerUnderTest server, int[] roomOfClient, boolean idleRun, boolean rooms)
      throws Exception {
    if (server.httpUrl() == null) {
      throw new IllegalArgumentException("CipherTalk needs its HTTP URL for accounts (--http-url)");
    }
    this.idle = idleRun;
    this.roomOf = roomOfClient.clone();
    this.roomIds = null;
    int users = userOf(roomOf.length - 1) + 1;
    long start = System.nanoTime();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> pending = new ArrayList<>();
    try {
      for (int u = 0; u < users; u++) {
        String name = userName(u);
        if (tokenByUser.containsKey(name)) {
          continue; // created by an earlier run against this server
        }
        pending.add(pool.submit(() -> {
          tokenByUser.put(name, account(http, server.httpUrl(), name));
          return null;
        }));
      }
      for (Future<?> f : pending) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    if (!pending.isEmpty()) {
      log.info("ciphertalk: {} new accounts at {} per second (4 at a time; Argon2id at registration and login)",
          pending.size(), String.format(java.util.Locale.ROOT, "%.1f", pending.size() / ((System.nanoTime() - start) / 1e9)));
    }
    log.info("ciphertalk: {} accounts ready ({} new, registered and logged in) in {} ms", users, pending.size(),
        (System.nanoTime() - start) / 1_000_000);
    if (rooms) {
      createRooms(server);
    }
  }

  private static String account(HttpClient http, String base, String user) throws Exception {
    String body = JSON.createObjectNode().put("username", user).put("password", PASSWORD).toString();
    HttpResponse<String> reg = post(http, base + "/api/register", body);
    if (reg.statusCode() / 100 != 2 && reg.statusCode() != 409) {
      throw new IllegalStateException("register " + user + ": HTTP " + reg.statusCode() + " " + reg.body());
    }
    HttpResponse<String> login = post(http, base + "/api/login", body);
    if (login.statusCode() != 200) {
      throw new IllegalStateException("login " + user + ": HTTP " + login.statusCode() + " " + login.body());
    }
    JsonNode token = JSON.readTree(login.body()).get("token");
    if (token == null || !token.isTextual()) {
      throw new IllegalStateException("login " + user + ": no token in reply");
    }
    return token.asText();
  }

  private static HttpResponse<String> post(HttpClient http, String url, String json) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
        .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Each room's first client creates a group room with the others as members. */
  private void createRooms(ServerUnderTest server) throws Exception {
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
    try (WsLoop loop = new WsLoop("load-setup")) {
      List<CompletableFuture<String>> created = new ArrayList<>();
      for (int r = 0; r < rooms; r++) {
        List<Integer> m = members.get(r);
        int owner = m.get(0);
        List<String> others = m.subList(1, m.size()).stream().map(c -> userName(userOf(c))).toList();
        Frame.RoomCreate create = new Frame.RoomCreate("create", RoomKind.GROUP, "load-" + r, null, others,
            Math.max(2, m.size()));
        created.add(request(loop, server.wsUrl(), tokenByUser.get(userName(userOf(owner))), deviceOf(owner), create));
      }
      for (int r = 0; r < rooms; r++) {
        ids[r] = created.get(r).get(60, TimeUnit.SECONDS);
      }
      roomIds = ids;
    }
  }

  /** Opens a connection, says hello, sends one room request and returns the room id. */
  private static CompletableFuture<String> request(WsLoop loop, String url, String token, int device,
      Frame.RoomCreate create) throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    loop.connect(URI.create(url), null, Map.of(), new WsConnection.Handler() {
      @Override
      public void onOpen(WsConnection conn) {
        conn.sendText(CODEC.encode(new Frame.Hello("hello", token, device, "ciphertalk-load")));
      }

      @Override
      public void onMessage(WsConnection conn, int opcode, byte[] payload) {
        Frame f;
        try {
          f = CODEC.decode(payload);
        } catch (WireException e) {
          result.completeExceptionally(e);
          conn.close();
          return;
        }
        if (f instanceof Frame.Welcome) {
          conn.sendText(CODEC.encode(create));
        } else if (f instanceof Frame.RoomReply room) {
          result.complete(room.room().roomId());
          conn.close();
        } else if (f instanceof Frame.ErrorReply err) {
          result.completeExceptionally(new IllegalStateException(err.code() + ": " + err.message()));
          conn.close();
        }
      }

      @Override
      public void onClose(WsConnection conn, String reason) {
        result.completeExceptionally(new IllegalStateException("closed before the room was created: " + reason));
      }
    });
    return result;
  }

  @Override
  public String url(ServerUnderTest server, int client) {
    List<String> urls = server.wsUrls();
    return urls.get(client % urls.size());
  }

  /**
   * What a client keeps across its connections in failover runs, as the client SDK does: the
   * messages not yet acknowledged by the server (resent with the same ids on the next connection;
   * sends while disconnected wait here) and the ids of the messages it has received (a redelivery
   * after a reconnect is dropped, not reported). The outbox and the live connection are guarded by
   * this object's lock; {@code seen} and {@code redeliveries} are touched only by the client's loop
   * thread.
   */
  static final class ClientState {
    final java.util.TreeMap<Long, byte[]> outbox = new java.util.TreeMap<>();
    WsConnection live;
    final java.util.Set<MessageId> seen = new java.util.HashSet<>();
    long redeliveries;
    long resent;
  }

  private final java.util.concurrent.ConcurrentHashMap<Integer, ClientState> states =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Deliveries dropped as redeliveries of a message id the client had (failover runs). */
  long redeliveries() {
    long n = 0;
    for (ClientState st : states.values()) {
      synchronized (st) {
        n += st.redeliveries;
      }
    }
    return n;
  }

  /** Messages written again on a new connection because the old one never acknowledged them. */
  long resent() {
    long n = 0;
    for (ClientState st : states.values()) {
      synchronized (st) {
        n += st.resent;
      }
    }
    return n;
  }

  /** Messages still waiting for the server's acknowledgement. */
  long unacknowledged() {
    long n = 0;
    for (ClientState st : states.values()) {
      synchronized (st) {
        n += st.outbox.size();
      }
    }
    return n;
  }

  @Override
  public Session newSession(int client, int room, int messageSize, Events events) {
    String token = tokenByUser.get(userName(userOf(client)));
    int device = deviceOf(client);
    String[] rooms = roomIds;
    String roomId = rooms == null ? null : rooms[room];
    byte[] filler = new byte[messageSize];
    ThreadLocalRandom.current().nextBytes(filler);
    ClientState state = failover ? states.computeIfAbsent(client, c -> new ClientState()) : null;
    return new Session() {
      private long acks;
      private long delivered;
      /** Deliveries not yet acknowledged, by stream: the highest seq and how many. */
      private final Map<String, long[]> unacked = new HashMap<>(4);
      /** When the pending acks are due (System.nanoTime), or 0 if none is pending. */
      private long ackDue;

      @Override
      public void onOpen(WsConnection conn) {
        conn.sendText(CODEC.encode(new Frame.Hello("hello", token, device, "ciphertalk-load")));
      }

      @Override
      public void onMessage(WsConnection conn, int opcode, byte[] payload) {
        Frame f;
        try {
          f = CODEC.decode(payload);
        } catch (WireException e) {
          events.error("ciphertalk: undecodable frame: " + e.getMessage());
          return;
        }
        if (client == TRACE_CLIENT) {
          log.info("client {} got {}", client, new String(payload, StandardCharsets.UTF_8));
        }
        if (f instanceof Frame.Deliver d) {
          Delivery del = d.delivery();
          Probe probe = del.ciphertext() == null ? null : Probe.readBinary(del.ciphertext().toByteArray());
          boolean redelivery = false;
          if (state != null && !state.seen.add(del.messageId())) {
            synchronized (state) {
              state.redeliveries++;
            }
            redelivery = true; // acknowledged below, not reported: the SDK drops it the same way
          }
          if (redelivery) {
            // nothing to report
          } else if (probe == null) {
            events.error("ciphertalk: delivery without a probe (" + del.kind() + ")");
          } else {
            events.delivered(probe);
          }
          if (ackEvery > 0) {
            if (++delivered % ackEvery == 0) {
              ack(conn, del.stream(), del.seq());
            }
          } else {
            long[] u = unacked.computeIfAbsent(del.stream(), k -> new long[2]);
            u[0] = Math.max(u[0], del.seq());
            if (++u[1] >= ACK_AT_MOST_EVERY) {
              ack(conn, del.stream(), u[0]);
              u[1] = 0;
            } else if (ackDue == 0) {
              ackDue = System.nanoTime() + ACK_DELAY_MILLIS * 1_000_000;
            }
          }
        } else if (f instanceof Frame.Sent s && state != null) {
          // A resend's "duplicate" verdict means the first attempt was stored: accepted either way.
          Long seq = seqOf(s.id());
          boolean first;
          synchronized (state) {
            first = seq != null && state.outbox.remove(seq) != null;
          }
          if (first) {
            events.accepted(seq);
          }
        } else if (f instanceof Frame.Sent s) {
          Long seq = seqOf(s.id());
          if (seq != null && s.duplicate()) {
            // The generator never retries, so a duplicate verdict means an id collided.
            events.refused(seq, "server reported a duplicate message id");
          } else if (seq != null) {
            events.accepted(seq);
          }
        } else if (f instanceof Frame.ErrorReply e) {
          Long seq = seqOf(e.id());
          if (seq != null && state != null) {
            synchronized (state) {
              state.outbox.remove(seq);
            }
          }
          if (seq != null) {
            events.refused(seq, e.code() + ": " + e.message());
          } else {
            events.error("ciphertalk: error reply to " + e.id() + ": " + e.code() + ": " + e.message());
          }
        } else if (f instanceof Frame.Welcome) {
          if (state != null) {
            // Resend what the last connection never acknowledged, and what waited meanwhile, in order.
            synchronized (state) {
              state.live = conn;
              for (byte[] frame : state.outbox.values()) {
                conn.sendText(frame);
                state.resent++;
              }
            }
          }
          events.ready();
        } else if (f instanceof Frame.Notice n) {
          if (n.kind() != NoticeKind.PREKEYS_LOW) {
            events.error("ciphertalk: notice " + n.kind() + ": " + n.message());
          }
        }
        // ok (to acks), presence and room events need no action
      }

      @Override
      public void onTick(WsConnection conn, long nanoTime) {
        if (ackDue == 0 || nanoTime - ackDue < 0) {
          return;
        }
        ackDue = 0;
        for (Map.Entry<String, long[]> e : unacked.entrySet()) {
          long[] u = e.getValue();
          if (u[1] > 0) {
            ack(conn, e.getKey(), u[0]);
            u[1] = 0;
          }
        }
      }

      @Override
      public void onClose(WsConnection conn) {
        if (state != null) {
          synchronized (state) {
            if (state.live == conn) {
              state.live = null;
            }
          }
        }
      }

      private void ack(WsConnection conn, String stream, long seq) {
        conn.sendText(CODEC.encode(new Frame.Ack("a" + (++acks), stream, seq)));
      }

      @Override
      public boolean send(WsConnection conn, long seq, long sentNanos) {
        if (roomId == null) {
          throw new IllegalStateException("no room: idle-scale clients do not send");
        }
        byte[] ct = filler.clone();
        new Probe(client, seq, sentNanos).writeBinary(ct);
        MessageId id = timeOrderedId();
        byte[] frame = CODEC.encode(new Frame.SendGroup("s" + seq, id, roomId, null, Bytes.of(ct)));
        if (state != null) {
          // Kept until acknowledged; written now if a connection is up, else on the next Welcome.
          synchronized (state) {
            state.outbox.put(seq, frame);
            if (state.live != null && state.live.isOpen()) {
              state.live.sendText(frame);
            }
          }
          return true;
        }
        return conn.sendText(frame);
      }
    };
  }

  /**
   * A fresh UUIDv7 message id (48-bit Unix milliseconds, 74 random bits), as the client SDK makes
   * them ({@code MessageId.generate}); the time order matters to the server's indexes, whose
   * inserts then land at the right edge instead of all over the tree.
   */
  static MessageId timeOrderedId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long millis = System.currentTimeMillis() & 0xFFFF_FFFF_FFFFL;
    long hi = (millis << 16) | 0x7000L | (r.nextInt() & 0x0FFFL);
    long lo = 0x8000_0000_0000_0000L | (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL);
    return new MessageId(new UUID(hi, lo));
  }

  private static Long seqOf(String frameId) {
    if (frameId == null || frameId.length() < 2 || frameId.charAt(0) != 's') {
      return null;
    }
    try {
      return Long.parseLong(frameId, 1, frameId.length(), 10);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
