package io.ciphertalk.server.internal.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.cluster.RedisBus;
import io.ciphertalk.server.internal.store.Rooms;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one node tells the others, and what it does with what they tell it. Every notice goes to
 * the channel of the user it concerns and names its origin node (a node ignores its own: it already
 * delivered locally). Message notices carry only where to look ({@code d}: a device has new 1:1
 * envelopes; {@code r}: room, seq): the receiving node reads the committed rows itself, so a lost
 * notice only delays delivery until the catch-up poll. Ephemeral events (presence, typing,
 * receipts, room and device changes, linking envelopes) travel whole and are lost if Redis loses
 * them, as they would be for an offline device.
 *
 * <p>Shared presence: the set {@code ct:nodes:USER} holds the nodes with a connection of USER, and
 * {@code ct:node:NODE} (a key with a TTL that the node refreshes) says a node is alive, so a
 * killed node's users stop counting as online once its key expires.
 *
 * <p>Thread-safe.
 */
public final class ClusterRelay implements RedisBus.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Default node liveness key TTL; the heartbeat runs every third of it. */
  public static final java.time.Duration DEFAULT_NODE_TTL = java.time.Duration.ofSeconds(15);
  /** Redis time in milliseconds, as Lua sees it (one clock for every node). */
  private static final String NOW =
      "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) ";
  /** KEYS: nodes of user, users of node; ARGV: node, user. */
  private static final String ADD_AND_COUNT = "redis.call('SADD', KEYS[1], ARGV[1]); "
      + "redis.call('SADD', KEYS[2], ARGV[2]); return redis.call('SCARD', KEYS[1])";
  private static final String REMOVE_AND_COUNT = "redis.call('SREM', KEYS[1], ARGV[1]); "
      + "redis.call('SREM', KEYS[2], ARGV[2]); return redis.call('SCARD', KEYS[1])";
  /**
   * Admits one connection against the cluster-wide per-user limit. KEYS: the user's connection
   * set (member DEVICE|NODE|N, score = expiry in Redis time); ARGV: member, "DEVICE|", limit, TTL
   * ms. Entries of a dead node (its liveness key expired) or past their expiry go first, then the
   * device's older entries (its older connection is being replaced). Returns the new count, or
   * minus the count when full. (The node key is read by name, not passed in KEYS: a single Redis,
   * not Redis Cluster.)
   */
  private static final String ADMIT = NOW
      + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
      + "local p = ARGV[2] "
      + "for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do "
      + "  if string.sub(m, 1, #p) == p then redis.call('ZREM', KEYS[1], m) "
      + "  else "
      + "    local node = string.match(m, '^[^|]*|(.*)|[^|]*$') "
      + "    if node and redis.call('EXISTS', 'ct:node:' .. node) == 0 then redis.call('ZREM', KEYS[1], m) end "
      + "  end "
      + "end "
      + "local n = redis.call('ZCARD', KEYS[1]) "
      + "if n >= tonumber(ARGV[3]) then return -n end "
      + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1]) "
      + "redis.call('PEXPIRE', KEYS[1], ARGV[4]) "
      + "return n + 1";
  /**
   * One user's heartbeat on this node. KEYS: nodes of user, connections of user, users of node;
   * ARGV: node, user, TTL ms, the connection members.
   */
  private static final String BEAT = NOW
      + "redis.call('SADD', KEYS[1], ARGV[1]) "
      + "redis.call('SADD', KEYS[3], ARGV[2]) "
      + "for i = 4, #ARGV do redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[i]) end "
      + "if #ARGV >= 4 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end "
      + "return 1";
  /**
   * Forgets a dead node's part of one user. KEYS: nodes of user, connections of user; ARGV: node.
   * Returns the nodes still listed for the user.
   */
  private static final String REAP = "redis.call('SREM', KEYS[1], ARGV[1]) "
      + "local mark = '|' .. ARGV[1] .. '|' "
      + "for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do "
      + "  if string.find(m, mark, 1, true) then redis.call('ZREM', KEYS[2], m) end "
      + "end "
      + "return redis.call('SMEMBERS', KEYS[1])";
  private static final String NODES = "ct:cluster:nodes";

  private final RedisBus bus;
  private final String nodeId;
  private final long nodeTtlMillis;
  /** How often the per-user entries are refreshed (they live three times as long). */
  private final long userRefreshMillis;
  private volatile long lastUserRefresh = Long.MIN_VALUE;
  private final java.util.concurrent.atomic.AtomicLong userRefreshes = new java.util.concurrent.atomic.AtomicLong();
  /** Releases that did not reach Redis, retried by the heartbeat. */
  private final java.util.concurrent.ConcurrentLinkedQueue<String[]> pendingReleases =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicLong connectionCounter = new java.util.concurrent.atomic.AtomicLong();
  private volatile Router router;

  /** @param nodeTtl how long this node counts as alive after its last heartbeat (at least 1 s) */
  public ClusterRelay(RedisBus bus, java.time.Duration nodeTtl) {
    this.bus = bus;
    this.nodeId = bus.nodeId();
    this.nodeTtlMillis = nodeTtl.toMillis();
    if (nodeTtlMillis < 1_000) {
      throw new IllegalArgumentException("node TTL must be at least 1 s: " + nodeTtl);
    }
    this.userRefreshMillis = nodeTtlMillis * USER_REFRESH_PER_NODE_TTL;
  }

  /**
   * The per-user entries (presence, connection counts) are refreshed every this many node TTLs
   * (10 min at the default 15 s): a live node's entries do not need its beat, as readers check
   * the node's own liveness key; the refresh only puts back what a Redis restart lost (at once,
   * when the node finds its own key gone) and keeps an entry from outliving its node for good.
   */
  static final int USER_REFRESH_PER_NODE_TTL = 40;

  /** How long a per-user entry lives without a refresh. */
  private long entryTtlMillis() {
    return userRefreshMillis * 3;
  }

  /** Per-user refreshes so far (tests: the heartbeat's cost must not grow with the users). */
  public long userRefreshes() {
    return userRefreshes.get();
  }

  /** How often {@link #heartbeat} should run: a third of the node TTL. */
  public long heartbeatMillis() {
    return Math.max(300, nodeTtlMillis / 3);
  }

  /** Binds the router (once, before the bus starts). */
  public void bind(Router r) {
    this.router = r;
    r.enableCluster(this);
  }

  public RedisBus bus() {
    return bus;
  }

  // ------------------------------------------------------------------ outgoing

  private ObjectNode notice(String type) {
    ObjectNode n = JSON.createObjectNode();
    n.put("t", type);
    n.put("n", nodeId);
    return n;
  }

  private void send(String user, ObjectNode n) {
    bus.publish(user, n.toString());
  }

  void subscribe(String user) {
    bus.subscribe(user);
  }

  void unsubscribe(String user) {
    bus.unsubscribe(user);
  }

  void attached(String user, int device, long connectedAt) {
    ObjectNode n = notice("att");
    n.put("dev", device);
    n.put("at", connectedAt);
    send(user, n);
  }

  void directStored(String user, List<Integer> devices) {
    ObjectNode n = notice("d");
    ArrayNode a = n.putArray("devs");
    devices.forEach(a::add);
    send(user, n);
  }

  void roomStored(Collection<String> members, String roomId, long seq) {
    for (String m : members) {
      ObjectNode n = notice("r");
      n.put("room", roomId);
      n.put("seq", seq);
      send(m, n);
    }
  }

  void presence(Collection<String> audience, String user, boolean online, long at) {
    for (String a : audience) {
      ObjectNode n = notice("p");
      n.put("u", user);
      n.put("on", online);
      n.put("at", at);
      send(a, n);
    }
  }

  void typing(String to, String roomId, String user, int device, boolean on) {
    ObjectNode n = notice("ty");
    n.put("room", roomId);
    n.put("u", user);
    n.put("dev", device);
    n.put("on", on);
    send(to, n);
  }

  void receipt(String to, String roomId, String fromUser, int fromDevice, String status, List<String> ids, long at) {
    ObjectNode n = notice("rc");
    n.put("room", roomId);
    n.put("u", fromUser);
    n.put("dev", fromDevice);
    n.put("status", status);
    n.put("at", at);
    ArrayNode a = n.putArray("ids");
    ids.forEach(a::add);
    send(to, n);
  }

  void roomEvent(String to, ChatService.RoomView view, String change, String actor, List<String> subjects) {
    ObjectNode n = notice("ev");
    ObjectNode room = n.putObject("room");
    Rooms.Room r = view.room();
    room.put("id", r.roomId()).put("kind", r.kind()).put("name", r.name()).put("desc", r.description())
        .put("max", r.maxMembers()).put("by", r.createdBy()).put("at", r.createdAt()).put("seq", r.lastSeq());
    ArrayNode members = n.putArray("members");
    for (Rooms.Member m : view.members()) {
      members.addObject().put("u", m.userId()).put("role", m.role()).put("seq", m.joinedSeq())
          .put("at", m.joinedAt());
    }
    n.put("change", change);
    n.put("actor", actor);
    ArrayNode s = n.putArray("subjects");
    subjects.forEach(s::add);
    send(to, n);
  }

  void prekeysLow(String user, int device, int remaining) {
    ObjectNode n = notice("pk");
    n.put("dev", device);
    n.put("left", remaining);
    send(user, n);
  }

  void linkEnvelope(String user, int fromDevice, int toDevice, byte[] envelope) {
    ObjectNode n = notice("ln");
    n.put("from", fromDevice);
    n.put("to", toDevice);
    n.put("env", Base64.getEncoder().encodeToString(envelope));
    send(user, n);
  }

  void deviceRevoked(String user, int deviceId) {
    ObjectNode n = notice("rv");
    n.put("dev", deviceId);
    send(user, n);
  }

  void devicesChanged(String to, String user, int deviceId) {
    ObjectNode n = notice("dc");
    n.put("u", user);
    n.put("dev", deviceId);
    send(to, n);
  }

  void resync(String user) {
    send(user, notice("rs"));
  }

  // ------------------------------------------------------------------ shared presence and connections

  private static String nodesOf(String user) {
    return "ct:nodes:" + user;
  }

  private static String connectionsOf(String user) {
    return "ct:conns:" + user;
  }

  private static String usersOf(String node) {
    return "ct:nodeusers:" + node;
  }

  /**
   * Counts a new connection of {@code user}'s {@code device} against the cluster-wide limit of
   * {@code max} (a connection of the same device elsewhere is being replaced and stops counting).
   * Returns the entry to pass to {@link #releaseConnection}, or null if Redis is away (then only the
   * node's own count applies). Blocking.
   *
   * @throws ServiceException {@code too_many_connections} when the user already holds {@code max}
   */
  String admitConnection(String user, int device, int max) {
    String member = device + "|" + nodeId + "|" + connectionCounter.incrementAndGet();
    Object r = bus.command("EVAL", ADMIT, "1", connectionsOf(user), member, device + "|", Integer.toString(max),
        Long.toString(entryTtlMillis()));
    if (!(r instanceof Long n)) {
      return null;
    }
    if (n < 0) {
      throw new ServiceException("too_many_connections", 429, "at most " + max + " connections per user");
    }
    return member;
  }

  /**
   * Stops counting a connection admitted by {@link #admitConnection}; if Redis is away, the next
   * heartbeat that reaches it does (an entry lives much longer than a beat). Blocking.
   */
  void releaseConnection(String user, String member) {
    if (!(bus.command("ZREM", connectionsOf(user), member) instanceof Long)) {
      pendingReleases.add(new String[] {"ZREM", connectionsOf(user), member});
    }
  }

  /** Records this node's connection of {@code user}; true if no other live node has one. Blocking. */
  boolean firstConnectionInCluster(String user) {
    Object r = bus.command("EVAL", ADD_AND_COUNT, "2", nodesOf(user), usersOf(nodeId), nodeId, user);
    if (!(r instanceof Long count)) {
      return true; // Redis away: announce, as a single node would
    }
    return count == 1 || liveNodes(user, true).isEmpty();
  }

  /** Forgets this node's connection of {@code user}; true if no other live node has one. Blocking. */
  boolean lastConnectionInCluster(String user) {
    Object r = bus.command("EVAL", REMOVE_AND_COUNT, "2", nodesOf(user), usersOf(nodeId), nodeId, user);
    if (!(r instanceof Long count)) {
      return true;
    }
    return count == 0 || liveNodes(user, true).isEmpty();
  }

  /** True if a live node other than this one holds a connection of {@code user}. Blocking. */
  boolean onlineElsewhere(String user) {
    return !liveNodes(user, true).isEmpty();
  }

  private List<String> liveNodes(String user, boolean excludeSelf) {
    List<String> live = new ArrayList<>();
    if (bus.command("SMEMBERS", nodesOf(user)) instanceof List<?> nodes) {
      for (Object o : nodes) {
        if (!(o instanceof String node) || (excludeSelf && node.equals(nodeId))) {
          continue;
        }
        if (bus.command("EXISTS", "ct:node:" + node) instanceof Long l) {
          if (l > 0) {
            live.add(node);
          } else {
            // A node that died (its liveness key expired): forget its entry. A live node whose key
            // vanished with a Redis restart adds itself back on its next heartbeat.
            bus.command("SREM", nodesOf(user), node);
          }
        }
      }
    }
    return live;
  }

  /**
   * Joins (on start): a node restarted under the same name after a crash first forgets what its
   * previous run left in Redis, announcing its former users offline where nobody else holds them.
   */
  public void join() {
    reap(nodeId);
    heartbeat();
  }

  /**
   * Scheduled every {@link #heartbeatMillis}: refreshes this node's liveness key (three commands
   * in one round trip, however many users the node holds), then looks for dead nodes. Every
   * {@link #USER_REFRESH_PER_NODE_TTL} node TTLs, or at once when the node's key was gone (Redis
   * restarted and lost it, or this node stalled past its TTL and was reaped), it also puts back
   * its users' presence entries and connection counts (one pipelined round trip).
   */
  public void heartbeat() {
    List<String[]> batch = new ArrayList<>();
    batch.add(new String[] {"SET", "ct:node:" + nodeId, "1", "PX", Long.toString(nodeTtlMillis), "GET"});
    batch.add(new String[] {"SADD", NODES, nodeId});
    batch.add(new String[] {"PEXPIRE", usersOf(nodeId), Long.toString(Math.max(nodeTtlMillis * 20, entryTtlMillis()))});
    List<String[]> released = new ArrayList<>();
    while (released.size() < 10_000) {
      String[] c = pendingReleases.poll();
      if (c == null) {
        break;
      }
      released.add(c);
    }
    batch.addAll(released);
    List<Object> replies = bus.pipeline(batch);
    if (replies == null) {
      pendingReleases.addAll(released);
      return;
    }
    long now = System.nanoTime();
    boolean keyWasThere = replies.get(0) instanceof String;
    if (!keyWasThere || now - lastUserRefresh >= TimeUnit.MILLISECONDS.toNanos(userRefreshMillis)
        || lastUserRefresh == Long.MIN_VALUE) {
      if (refreshUsers()) {
        lastUserRefresh = now;
      }
    }
    reapDeadNodes();
  }

  /** Puts back this node's users in Redis (presence and connection entries); false if Redis is away. */
  private boolean refreshUsers() {
    Router r = router;
    if (r == null) {
      return true;
    }
    List<String[]> batch = new ArrayList<>();
    for (java.util.Map.Entry<String, List<String>> e : r.localConnectionEntries().entrySet()) {
      String u = e.getKey();
      List<String> args = new ArrayList<>(List.of("EVAL", BEAT, "3", nodesOf(u), connectionsOf(u), usersOf(nodeId),
          nodeId, u, Long.toString(entryTtlMillis())));
      args.addAll(e.getValue());
      batch.add(args.toArray(String[]::new));
    }
    userRefreshes.incrementAndGet();
    return batch.isEmpty() || bus.pipeline(batch) != null;
  }

  /**
   * A node listed in the registry whose liveness key expired died without leaving: the first
   * survivor to remove it from the registry (SREM answers 1 to one caller only) forgets its
   * connections and announces its users offline where no live node holds them any more.
   */
  private void reapDeadNodes() {
    if (!(bus.command("SMEMBERS", NODES) instanceof List<?> nodes)) {
      return;
    }
    for (Object o : nodes) {
      if (!(o instanceof String node) || node.equals(nodeId)) {
        continue;
      }
      if (bus.command("EXISTS", "ct:node:" + node) instanceof Long alive && alive == 0
          && bus.command("SREM", NODES, node) instanceof Long claimed && claimed == 1) {
        LOG.info("cluster node {} stopped refreshing its liveness key: its users go offline", node);
        reap(node);
      }
    }
  }

  private void reap(String node) {
    Router r = router;
    if (!(bus.command("SMEMBERS", usersOf(node)) instanceof List<?> users)) {
      return;
    }
    for (Object o : users) {
      if (!(o instanceof String user)) {
        continue;
      }
      if (bus.command("EVAL", REAP, "2", nodesOf(user), connectionsOf(user), node) instanceof List<?>
          && r != null && !r.isLocallyOnline(user) && liveNodes(user, true).isEmpty()) {
        r.remoteUserGone(user);
      }
    }
    bus.command("DEL", usersOf(node));
  }

  /** On a graceful stop: this node no longer holds anyone. */
  public void leave() {
    Router r = router;
    if (r != null) {
      for (java.util.Map.Entry<String, List<String>> e : r.localConnectionEntries().entrySet()) {
        bus.command("SREM", nodesOf(e.getKey()), nodeId);
        for (String m : e.getValue()) {
          bus.command("ZREM", connectionsOf(e.getKey()), m);
        }
      }
    }
    bus.command("DEL", "ct:node:" + nodeId, usersOf(nodeId));
    bus.command("SREM", NODES, nodeId);
  }

  // ------------------------------------------------------------------ incoming

  @Override
  public void resubscribed() {
    Router r = router;
    if (r != null) {
      // Notices may have been lost while the subscription was down.
      r.catchUpAll();
    }
  }

  @Override
  public void notice(String user, String payload) {
    Router r = router;
    JsonNode n;
    try {
      n = JSON.readTree(payload);
    } catch (java.io.IOException e) {
      LOG.warn("ignoring a malformed cluster notice on {}'s channel", user);
      return;
    }
    if (r == null || n == null || nodeId.equals(n.path("n").asText())) {
      return;
    }
    switch (n.path("t").asText()) {
      case "d" -> {
        List<Integer> devs = new ArrayList<>();
        n.path("devs").forEach(d -> devs.add(d.asInt()));
        r.localDirectStored(user, devs);
      }
      case "r" -> r.localRoomStored(user, n.path("room").asText(), n.path("seq").asLong());
      case "att" -> r.localReplaced(user, n.path("dev").asInt(), n.path("at").asLong());
      case "p" -> r.localPresence(user, n.path("u").asText(), n.path("on").asBoolean(), n.path("at").asLong());
      case "ty" -> r.localTyping(user, n.path("room").asText(), n.path("u").asText(), n.path("dev").asInt(),
          n.path("on").asBoolean());
      case "rc" -> {
        List<String> ids = new ArrayList<>();
        n.path("ids").forEach(i -> ids.add(i.asText()));
        r.localReceipt(user, n.path("room").asText(), n.path("u").asText(), n.path("dev").asInt(),
            n.path("status").asText(), ids, n.path("at").asLong());
      }
      case "ev" -> {
        JsonNode room = n.path("room");
        Rooms.Room rv = new Rooms.Room(room.path("id").asText(), room.path("kind").asText(),
            room.path("name").isNull() ? null : room.path("name").asText(),
            room.path("desc").isNull() ? null : room.path("desc").asText(), room.path("max").asInt(),
            room.path("by").asText(), room.path("at").asLong(), room.path("seq").asLong());
        List<Rooms.Member> members = new ArrayList<>();
        n.path("members").forEach(m -> members.add(new Rooms.Member(m.path("u").asText(), m.path("role").asText(),
            m.path("seq").asLong(), m.path("at").asLong())));
        List<String> subjects = new ArrayList<>();
        n.path("subjects").forEach(s -> subjects.add(s.asText()));
        r.localRoomEvent(user, new ChatService.RoomView(rv, members), n.path("change").asText(),
            n.path("actor").asText(), subjects);
      }
      case "pk" -> r.localPrekeysLow(user, n.path("dev").asInt(), n.path("left").asInt());
      case "ln" -> r.localLinkEnvelope(user, n.path("from").asInt(), n.path("to").asInt(),
          Base64.getDecoder().decode(n.path("env").asText()));
      case "rv" -> r.localDeviceRevoked(user, n.path("dev").asInt());
      case "dc" -> r.localDevicesChanged(user, n.path("u").asText(), n.path("dev").asInt());
      case "rs" -> r.localResync(user);
      default -> LOG.debug("ignoring cluster notice of unknown type on {}'s channel", user);
    }
  }
}
