package io.ciphertalk.server.internal.routing;

import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.metrics.Metrics;
import io.ciphertalk.server.internal.store.Accounts;
import io.ciphertalk.server.internal.store.Database;
import io.ciphertalk.server.internal.store.Devices;
import io.ciphertalk.server.internal.store.GroupCommitter;
import io.ciphertalk.server.internal.store.Messages;
import io.ciphertalk.server.internal.store.Rooms;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable store-and-forward routing. Sends are written through the {@link GroupCommitter} and
 * acknowledged only after commit; committed messages are pushed live to online devices, and each
 * connection drains what it has not yet been sent (1:1 queue rows and room timelines past its
 * cursor) on connect and whenever it falls behind. Recipient acks delete 1:1 rows and move room
 * cursors, so a dropped connection gets everything unacknowledged again on reconnect.
 *
 * <p>Thread-safe. Never blocks the caller: database reads run on the bounded read pool, writes on
 * the writer thread.
 */
public final class Router {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);
  private static final int PAGE = 256;

  /** Routing limits. */
  public record Limits(
      int maxConnectionsPerUser, int maxInflightPerConnection, long typingTtlMillis, int prekeyLowThreshold,
      long dedupeRetentionMillis, long roomRetentionMillis, long outboundHighWaterBytes, long stallTimeoutMillis) {}

  /** One addressed copy of a 1:1 envelope. */
  public record DirectTarget(String userId, int deviceId, byte[] payload) {}

  /** The acknowledgement of an accepted send. {@code seq} is set for room messages. */
  public record SendResult(String messageId, String roomId, Long seq, boolean duplicate, long sentAt) {}

  /** A user's presence as seen by someone allowed to see it. */
  public record Presence(String userId, boolean online, long lastSeenMillis) {}

  private final Database db;
  private final GroupCommitter writer;
  private final ExecutorService readPool;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Metrics metrics;
  private final Limits limits;
  private final Map<String, List<DeviceSession>> online = new ConcurrentHashMap<>();
  private final ExecutorService fanoutPool;
  /** (user + '\0' + room) -> typing state (device, expiry millis). */
  private final Map<String, TypingState> typing = new ConcurrentHashMap<>();

  private record TypingState(int device, long expiresAt) {}

  /** The cluster bus, or null on a single node (then every cluster branch below is skipped). */
  private volatile ClusterRelay cluster;

  public Router(
      Database db, GroupCommitter writer, ExecutorService readPool, ScheduledExecutorService scheduler, Clock clock,
      Metrics metrics, Limits limits) {
    this.db = db;
    this.writer = writer;
    this.readPool = readPool;
    this.scheduler = scheduler;
    this.clock = clock;
    this.metrics = metrics;
    this.limits = limits;
    writer.onBatchFailure(() -> {
      roomCache.clear();
      dirtySeq.clear();
    });
    writer.onPendingWrites(this::flushRoomSeqs);
    this.fanoutPool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
        new java.util.concurrent.ArrayBlockingQueue<>(100_000), r -> {
          Thread t = new Thread(r, "ciphertalk-fanout");
          t.setDaemon(true);
          return t;
        });
  }

  /** Stops the fan-out thread. */
  public void shutdown() {
    fanoutPool.shutdown();
  }

  /**
   * Room kind and member set, read and written only on the writer thread (inside write tasks), so it
   * is always consistent with the committed membership on this node. Membership changes invalidate
   * their room ({@link #invalidateRoom}); a rolled-back change only costs a reload.
   */
  private static final class RoomCacheEntry {
    final boolean group;
    final Set<String> members;
    /** The room's last allocated sequence; the writer is its only mutator (advanced after a send's inserts succeed). */
    long lastSeq;

    RoomCacheEntry(boolean group, Set<String> members, long lastSeq) {
      this.group = group;
      this.members = members;
      this.lastSeq = lastSeq;
    }

    boolean group() {
      return group;
    }

    Set<String> members() {
      return members;
    }
  }

  private final Map<String, RoomCacheEntry> roomCache = new java.util.LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, RoomCacheEntry> eldest) {
      return size() > 10_000;
    }
  };

  /**
   * Rooms whose cached {@code lastSeq} is ahead of {@code rooms.last_seq} (writer-confined): group
   * sends (deferrable tasks) only advance the cache, and {@link #flushRoomSeqs} writes the column
   * before any other write task and before each commit, so every other reader sees it current.
   */
  private final Map<String, RoomCacheEntry> dirtySeq = new HashMap<>();

  private void flushRoomSeqs(org.jdbi.v3.core.Handle h) {
    if (dirtySeq.isEmpty()) {
      return;
    }
    for (Map.Entry<String, RoomCacheEntry> e : dirtySeq.entrySet()) {
      Rooms.setLastSeq(h, e.getKey(), e.getValue().lastSeq);
    }
    dirtySeq.clear();
  }

  /** The cached room (writer thread only); a room with an unflushed counter is never reloaded. */
  private RoomCacheEntry room(org.jdbi.v3.core.Handle h, String roomId) {
    if (cluster != null) {
      // Another node may have changed the membership: read it in this transaction, never from a cache
      // that only this node's changes invalidate.
      return loadRoom(h, roomId);
    }
    return roomCache.computeIfAbsent(roomId, id -> {
      RoomCacheEntry dirty = dirtySeq.get(id);
      return dirty != null ? dirty : loadRoom(h, id);
    });
  }

  private static RoomCacheEntry loadRoom(org.jdbi.v3.core.Handle h, String roomId) {
    return Rooms.find(h, roomId).map(r -> new RoomCacheEntry(r.kind().equals("group"),
        Set.copyOf(Rooms.members(h, roomId).stream().map(Rooms.Member::userId).toList()), r.lastSeq())).orElse(null);
  }

  /** Forgets the cached membership of a room; call from inside the write task that changes it. */
  public void invalidateRoom(String roomId) {
    roomCache.remove(roomId);
  }

  /**
   * Runs live pushes on the single fan-out thread, in commit order, off the writer thread. If the
   * fan-out queue is full the affected users' devices re-sync from the database instead.
   */
  private void fanout(Runnable push, List<String> users) {
    try {
      fanoutPool.execute(push);
    } catch (RejectedExecutionException e) {
      for (String u : new HashSet<>(users)) {
        resync(u);
      }
    }
  }

  // ------------------------------------------------------------------ sessions

  /**
   * Registers an authenticated connection of {@code user}'s device. Refuses with
   * {@code too_many_connections} beyond the per-user limit. Starts delivery of everything pending.
   */
  public DeviceSession attach(String user, int device, Outbound out) {
    DeviceSession s = new DeviceSession(user, device, out, clock.millis());
    boolean[] first = new boolean[1];
    List<DeviceSession> replaced = new ArrayList<>();
    ClusterRelay cl = cluster;
    // On a cluster the limit counts the user's connections on every node (Redis); null while Redis
    // is away, when only this node's own count applies.
    String member = cl == null ? null : cl.admitConnection(user, device, limits.maxConnectionsPerUser());
    s.clusterMember = member;
    try {
      online.compute(user, (k, list) -> {
        List<DeviceSession> l = list == null ? new CopyOnWriteArrayList<>() : list;
        // One live connection per device: a new one replaces the old (both would get the same stream).
        for (DeviceSession old : l) {
          if (old.deviceId == device) {
            replaced.add(old);
          }
        }
        l.removeAll(replaced);
        if (l.size() >= limits.maxConnectionsPerUser()) {
          throw new ServiceException(
              "too_many_connections", 429, "at most " + limits.maxConnectionsPerUser() + " connections per user");
        }
        first[0] = l.isEmpty() && replaced.isEmpty();
        l.add(s);
        ClusterRelay c = cluster;
        if (c != null && l.size() == 1) {
          c.subscribe(user);
        }
        return l;
      });
    } catch (ServiceException e) {
      if (member != null) {
        cl.releaseConnection(user, member);
      }
      throw e;
    }
    ClusterRelay c = cluster;
    if (c != null) {
      c.attached(user, device, s.connectedAt);
    }
    for (DeviceSession old : replaced) {
      synchronized (old) {
        old.closed = true;
      }
      old.out.sessionReplaced();
      old.out.close(4010, "session replaced by a newer connection of this device");
    }
    if (first[0]) {
      if (c == null) {
        announcePresence(user, true, clock.millis());
      } else {
        long at = clock.millis();
        runRead(() -> {
          if (c.firstConnectionInCluster(user)) {
            announcePresence(user, true, at);
          }
        });
      }
    }
    return s;
  }

  /**
   * Starts delivery to an attached session: records the device, sends the prekeys-low notice if
   * due, and drains everything pending. Call after the client was told it is authenticated, so the
   * welcome precedes every push.
   */
  public void activate(DeviceSession s) {
    String user = s.userId;
    int device = s.deviceId;
    Outbound out = s.out;
    synchronized (s) {
      s.active = true;
    }
    long now = clock.millis();
    writer.submit(h -> {
      Devices.ensure(h, user, device, now);
      return Devices.oneTimePrekeysLeft(h, user, device);
    }).whenComplete((count, err) -> {
      if (err == null && count < limits.prekeyLowThreshold()) {
        out.prekeysLow(count);
      }
      requestDrain(s);
    });
  }


  public void detach(DeviceSession s) {
    synchronized (s) {
      if (s.closed) {
        return;
      }
      s.closed = true;
    }
    boolean[] last = new boolean[1];
    online.computeIfPresent(s.userId, (k, list) -> {
      list.remove(s);
      last[0] = list.isEmpty();
      ClusterRelay c = cluster;
      if (c != null && list.isEmpty()) {
        c.unsubscribe(k);
      }
      return list.isEmpty() ? null : list;
    });
    long now = clock.millis();
    String member = s.clusterMember;
    ClusterRelay cl = cluster;
    if (cl != null && member != null) {
      runRead(() -> cl.releaseConnection(s.userId, member));
    }
    writer.submit(h -> {
      Devices.ensure(h, s.userId, s.deviceId, now);
      return null;
    });
    scheduleCursorFlush();
    for (String room : s.typingRooms) {
      stopTyping(s.userId, s.deviceId, room);
    }
    if (last[0]) {
      ClusterRelay c = cluster;
      if (c == null) {
        announcePresence(s.userId, false, now);
      } else {
        runRead(() -> {
          if (c.lastConnectionInCluster(s.userId)) {
            announcePresence(s.userId, false, now);
          }
        });
      }
    }
  }

  private void runRead(Runnable r) {
    try {
      readPool.execute(r);
    } catch (RejectedExecutionException e) {
      LOG.debug("cluster presence update dropped: read pool full");
    }
  }

  public int onlineConnections() {
    return online.values().stream().mapToInt(List::size).sum();
  }

  public boolean isOnline(String user) {
    if (online.containsKey(user)) {
      return true;
    }
    ClusterRelay c = cluster;
    return c != null && c.onlineElsewhere(user);
  }

  private List<DeviceSession> sessions(String user) {
    List<DeviceSession> l = online.get(user);
    return l == null ? List.of() : l;
  }

  // ------------------------------------------------------------------ sends

  /**
   * Stores a 1:1 envelope once per addressed device and acknowledges after commit. Refused with
   * {@code blocked} if a recipient blocked the sender, {@code not_found} for unknown users, and
   * {@code not_member} if a room context is given that sender or recipient is not in.
   */
  public CompletableFuture<SendResult> sendDirect(
      String senderUser, int senderDevice, String messageId, String roomId, String kind, List<DirectTarget> targets,
      Long expiresAt) {
    if (targets.isEmpty()) {
      return CompletableFuture.failedFuture(ServiceException.badRequest("no recipients"));
    }
    long now = clock.millis();
    if (expiresAt != null && expiresAt <= now) {
      return CompletableFuture.failedFuture(new ServiceException("expired", 400, "message already expired"));
    }
    List<Messages.DirectRow> stored = new ArrayList<>();
    List<String> recipients = new ArrayList<>();
    return writer.<SendResult>submit(
        h -> {
          // Dedupe by the primary key of message_ids (no SELECT first), as sendRoom does: a retried id
          // fails this insert and is answered with the prior result below; a refusal further down
          // rolls the task (and this row) back to its savepoint.
          try {
            Messages.recordAccepted(h, senderUser, messageId, roomId, null, now);
          } catch (RuntimeException e) {
            if (Messages.isUniqueViolation(e)) {
              throw new DuplicateSend();
            }
            throw e;
          }
          Set<String> users = new LinkedHashSet<>();
          targets.forEach(t -> users.add(t.userId()));
          Set<String> addressed = new HashSet<>();
          for (DirectTarget t : targets) {
            if (!addressed.add(t.userId() + "." + t.deviceId())) {
              throw ServiceException.badRequest("device addressed twice: " + t.userId() + "." + t.deviceId());
            }
          }
          checkDevices(h, senderUser, senderDevice, users, addressed);
          // Membership from the writer's room cache (invalidated by every membership change).
          RoomCacheEntry room = roomId == null ? null : room(h, roomId);
          if (roomId != null && (room == null || !room.members().contains(senderUser))) {
            throw ServiceException.forbidden("not_member", "you are not a member of the room");
          }
          for (String u : users) {
            if (!u.equals(senderUser)) {
              switch (Rooms.reachability(h, u, senderUser)) {
                case NO_SUCH_USER -> throw ServiceException.notFound("no such user: " + u);
                case BLOCKED -> throw ServiceException.forbidden("blocked", "recipient does not accept messages from you");
                case OK -> { }
              }
            }
            if (room != null && !room.members().contains(u)) {
              throw ServiceException.forbidden("not_member", u + " is not a member of the room");
            }
          }
          for (DirectTarget t : targets) {
            long id = Messages.insertDirect(
                h, t.userId(), t.deviceId(), messageId, senderUser, senderDevice, roomId, kind, t.payload(), now,
                expiresAt);
            stored.add(new Messages.DirectRow(id, messageId, senderUser, senderDevice, roomId, kind, t.payload(), now,
                expiresAt));
            recipients.add(t.userId() + "\0" + t.deviceId());
          }
          return new SendResult(messageId, roomId, null, false, now);
        },
        result -> {
          if (result.duplicate()) {
            return;
          }
          metrics.messageRouted();
          fanout(() -> {
            for (int i = 0; i < stored.size(); i++) {
              String[] ud = recipients.get(i).split("\0");
              int dev = Integer.parseInt(ud[1]);
              for (DeviceSession s : sessions(ud[0])) {
                if (s.deviceId == dev) {
                  pushDirect(s, stored.get(i));
                }
              }
            }
          }, recipients.stream().map(r -> r.split("\0")[0]).toList());
          ClusterRelay c = cluster;
          if (c != null) {
            Map<String, List<Integer>> devices = new java.util.LinkedHashMap<>();
            for (String r : recipients) {
              String[] ud = r.split("\0");
              devices.computeIfAbsent(ud[0], k -> new ArrayList<>()).add(Integer.parseInt(ud[1]));
            }
            devices.forEach(c::directStored);
          }
        }).exceptionallyCompose(e -> priorResult(e, senderUser, messageId));
  }

  /** A send refused as a duplicate id ({@link DuplicateSend}) is answered with the prior result. */
  private CompletableFuture<SendResult> priorResult(Throwable e, String senderUser, String messageId) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    if (!(cause instanceof DuplicateSend)) {
      return CompletableFuture.failedFuture(cause);
    }
    // Committed before this task's batch, or earlier in the same batch: the writer sees it either way.
    return writer.submit(h -> Messages.accepted(h, senderUser, messageId)
        .map(p -> new SendResult(messageId, p.roomId(), p.seq(), true, p.acceptedAt()))
        .orElseThrow(() -> new ServiceException("server_error", 500, "duplicate message id not found")));
  }

  /**
   * Appends a group message to the room timeline once and acknowledges after commit with its
   * sequence number. Refused with {@code not_member} unless the sender is a member.
   */
  public CompletableFuture<SendResult> sendRoom(
      String senderUser, int senderDevice, String messageId, String roomId, byte[] payload, Long expiresAt) {
    long now = clock.millis();
    if (expiresAt != null && expiresAt <= now) {
      return CompletableFuture.failedFuture(new ServiceException("expired", 400, "message already expired"));
    }
    Messages.RoomRow[] row = new Messages.RoomRow[1];
    List<String> members = new ArrayList<>();
    // The room id as the task's lock key: on a cluster a batch locks all its rooms' rows up front
    // in one order (see GroupCommitter#lockInOrder), so two nodes never deadlock on them.
    return writer.<SendResult>submitDeferrable(
        h -> {
          // On a cluster the room row's lock orders the senders of all nodes: the sequence is taken
          // under it and it is held until the commit, so seq order is commit order and no reader
          // ever sees seq n+1 committed before seq n.
          long clusterSeq = cluster != null ? Rooms.nextSeq(h, roomId).orElse(-1L) : -1L;
          RoomCacheEntry room = room(h, roomId);
          if (room == null || !room.members().contains(senderUser) || !room.group()) {
            // A retry of a send accepted before the sender left (or of a 1:1 id) is still a duplicate.
            Optional<Messages.Accepted> prior = Messages.accepted(h, senderUser, messageId);
            if (prior.isPresent()) {
              return new SendResult(messageId, prior.get().roomId(), prior.get().seq(), true, prior.get().acceptedAt());
            }
            if (room == null || !room.members().contains(senderUser)) {
              throw ServiceException.forbidden("not_member", "you are not a member of this room");
            }
            throw ServiceException.badRequest("send_group needs a group room; use send for private rooms");
          }
          // Dedupe by the primary key of message_ids (no SELECT first): a retried id fails this insert,
          // the committer rolls the task back to its savepoint, and the prior result is looked up below.
          long seq = cluster != null ? clusterSeq : room.lastSeq + 1;
          try {
            Messages.recordAccepted(h, senderUser, messageId, roomId, seq, now);
          } catch (RuntimeException e) {
            if (Messages.isUniqueViolation(e)) {
              throw new DuplicateSend();
            }
            throw e;
          }
          try {
            Messages.insertRoomMessage(h, roomId, seq, messageId, senderUser, senderDevice, payload, now, expiresAt);
          } catch (RuntimeException e) {
            if (cluster == null && !dirtySeq.containsKey(roomId)) {
              roomCache.remove(roomId); // the task rolls back; reload the counter from the database next time
            }
            throw e;
          }
          // rooms.last_seq is written by flushRoomSeqs, before the next non-send task and the commit.
          room.lastSeq = seq;
          if (cluster == null) {
            dirtySeq.put(roomId, room);
          }
          row[0] = new Messages.RoomRow(roomId, seq, messageId, senderUser, senderDevice, payload, now, expiresAt);
          members.addAll(room.members());
          return new SendResult(messageId, roomId, seq, false, now);
        },
        result -> {
          if (result.duplicate()) {
            return;
          }
          metrics.messageRouted();
          fanout(() -> {
            for (String m : members) {
              for (DeviceSession s : sessions(m)) {
                pushRoom(s, row[0]);
              }
            }
          }, members);
          ClusterRelay c = cluster;
          if (c != null) {
            c.roomStored(members, roomId, row[0].seq());
          }
        }, cluster != null ? roomId : null).exceptionallyCompose(e -> {
          Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e;
          if (!(cause instanceof DuplicateSend)) {
            return CompletableFuture.failedFuture(cause);
          }
          // Committed before this task's batch, or earlier in the same batch: the writer sees it either way.
          return writer.submit(h -> Messages.accepted(h, senderUser, messageId)
              .map(p -> new SendResult(messageId, p.roomId(), p.seq(), true, p.acceptedAt()))
              .orElseThrow(() -> new ServiceException("server_error", 500, "duplicate message id not found")));
        });
  }

  /** A send whose message id was already accepted (unique key hit); answered with the prior result. */
  private static final class DuplicateSend extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DuplicateSend() {
      super("duplicate message id", null, false, false);
    }
  }

  /**
   * A 1:1 send must address every device (with published keys, and a certificate once the user has
   * certified devices) of each recipient user and the sender's own other devices, and no device
   * that does not exist: otherwise {@code stale_devices}
   * with the missing and extra addresses, so the client can fetch bundles and retry.
   */
  private static void checkDevices(
      org.jdbi.v3.core.Handle h, String senderUser, int senderDevice, Set<String> users, Set<String> addressed) {
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    Set<String> all = new LinkedHashSet<>(users);
    all.add(senderUser);
    Set<String> existing = new HashSet<>();
    Map<String, List<Devices.Presence>> byUser = new java.util.HashMap<>();
    for (Devices.Presence d : Devices.presence(h, all)) {
      byUser.computeIfAbsent(d.userId(), k -> new ArrayList<>()).add(d);
    }
    for (String u : all) {
      List<Devices.Presence> devices = byUser.getOrDefault(u, List.of());
      // Once a user has certified devices, clients encrypt to no other: an uncertified one (an old
      // client, or a device added with a stolen token) is neither required nor refused.
      boolean certified = devices.stream().anyMatch(Devices.Presence::certified);
      for (Devices.Presence d : devices) {
        if (!d.hasKeys()) {
          continue;
        }
        String a = u + "." + d.deviceId();
        existing.add(a);
        boolean self = u.equals(senderUser) && d.deviceId() == senderDevice;
        if (!self && !addressed.contains(a) && (!certified || d.certified())) {
          missing.add(a);
        }
      }
    }
    for (String a : addressed) {
      if (!existing.contains(a)) {
        extra.add(a);
      }
    }
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw ServiceException.staleDevices(missing, extra);
    }
  }

  // ------------------------------------------------------------------ acks

  /** The recipient device confirms its device stream up to {@code seq}; those queued copies are deleted. */
  public CompletableFuture<Integer> ackDirect(DeviceSession s, long seq) {
    if (cluster != null) {
      return ackDirectDelivered(s, seq);
    }
    return writer.submit(
        h -> Messages.ackDirect(h, s.userId, s.deviceId, seq),
        n -> {
          boolean resume;
          synchronized (s) {
            s.inflightIds.headSet(seq, true).clear();
            resume = !s.synced && s.inflightIds.size() < limits.maxInflightPerConnection() / 2;
          }
          if (resume) {
            // While a pass runs this only marks it dirty, so it runs again with the freed window
            // (a pass that read with a full window must not end "synced").
            requestDrain(s);
          }
        });
  }

  /**
   * The cluster's ack: deletes exactly the envelopes this connection delivered up to {@code seq}.
   * Nodes commit to one device's queue concurrently, so ids become visible out of order (id 7 may
   * commit after id 8 was delivered and acknowledged); a cumulative "id <= seq" delete would drop
   * the late one unseen. Anything not delivered here stays queued for the next pass.
   */
  private CompletableFuture<Integer> ackDirectDelivered(DeviceSession s, long seq) {
    List<Long> delivered;
    synchronized (s) {
      delivered = new ArrayList<>(s.inflightIds.headSet(seq, true));
    }
    return writer.submit(
        h -> Messages.deleteDirect(h, s.userId, s.deviceId, delivered),
        n -> {
          boolean resume;
          synchronized (s) {
            s.inflightIds.removeAll(delivered);
            resume = !s.synced && s.inflightIds.size() < limits.maxInflightPerConnection() / 2;
          }
          if (resume) {
            requestDrain(s);
          }
        });
  }

  /**
   * The recipient device confirms a room timeline up to and including {@code seq}. Coalesced: the
   * highest acknowledged seq per (room, device) is kept in memory and the writer persists only that
   * once per batch ({@link #flushAcks}), checking membership against the writer's room cache. Losing
   * an unpersisted cursor (crash) only means those messages are delivered again on reconnect, and
   * clients deduplicate by message id; a message is never skipped, because a cursor only ever moves
   * to a seq the device itself acknowledged.
   */
  public CompletableFuture<Void> ackRoom(DeviceSession s, String roomId, long seq) {
    CursorKey key = new CursorKey(roomId, s.userId, s.deviceId);
    if (ackedCursors.size() >= MAX_PENDING_CURSORS && !ackedCursors.containsKey(key)) {
      scheduleCursorFlush();
      return CompletableFuture.failedFuture(new ServiceException("server_busy", 503, "too many pending acks; retry"));
    }
    ackedCursors.merge(key, seq, Math::max);
    scheduleCursorFlush();
    return CompletableFuture.completedFuture(null);
  }

  private static final int MAX_PENDING_CURSORS = 200_000;

  /** A device's cursor into a room timeline. */
  private record CursorKey(String roomId, String userId, int deviceId) {}

  /** Acknowledged cursors not yet persisted (monotonic max); an entry is removed once its value committed. */
  private final Map<CursorKey, Long> ackedCursors = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean cursorFlushQueued =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Queues one writer task persisting every pending cursor, unless one is queued already. */
  private void scheduleCursorFlush() {
    if (ackedCursors.isEmpty() || !cursorFlushQueued.compareAndSet(false, true)) {
      return;
    }
    flushCursorsTask().whenComplete((snap, err) -> {
      if (err != null) {
        cursorFlushQueued.set(false);
        try {
          scheduler.schedule(this::scheduleCursorFlush, 100, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          LOG.debug("ack flush not rescheduled: shutting down");
        }
      }
    });
  }

  private CompletableFuture<Map<CursorKey, Long>> flushCursorsTask() {
    return writer.<Map<CursorKey, Long>>submitDeferrable(h -> {
      // Acks arriving from here on queue another flush (for the next batch).
      cursorFlushQueued.set(false);
      Map<CursorKey, Long> snap = new HashMap<>(ackedCursors);
      List<Messages.CursorAdvance> advances = new ArrayList<>(snap.size());
      // One membership read per room per flush (on a cluster room() reads the database each time).
      Map<String, Optional<RoomCacheEntry>> rooms = new HashMap<>();
      for (Map.Entry<CursorKey, Long> e : snap.entrySet()) {
        CursorKey k = e.getKey();
        RoomCacheEntry room = rooms.computeIfAbsent(k.roomId(), id -> Optional.ofNullable(room(h, id))).orElse(null);
        if (room != null && room.members().contains(k.userId())) {
          advances.add(new Messages.CursorAdvance(k.roomId(), k.userId(), k.deviceId(), e.getValue()));
        }
      }
      Messages.advanceCursors(h, advances);
      return snap;
    }, snap -> snap.forEach((k, v) -> ackedCursors.remove(k, v)));
  }

  /**
   * Persists every pending acknowledged cursor now (on close); completes after the commit.
   */
  public CompletableFuture<Void> flushAcks() {
    return flushCursorsTask().thenApply(snap -> null);
  }

  /** Where delivery of {@code room} to {@code s} starts: after the persisted or the pending acked cursor. */
  private long startAfter(DeviceSession s, Messages.DeviceRoom room) {
    Long pending = ackedCursors.get(new CursorKey(room.roomId(), s.userId, s.deviceId));
    return pending == null ? room.startAfter() : Math.max(room.startAfter(), pending);
  }

  // ------------------------------------------------------------------ delivery

  private void pushDirect(DeviceSession s, Messages.DirectRow row) {
    boolean drain;
    synchronized (s) {
      if (s.closed) {
        return;
      }
      if (s.synced && !s.draining && s.inflightIds.size() < limits.maxInflightPerConnection()
          && !backpressured(s)) {
        // A drain may have sent this row already (it read it right after the commit).
        if ((row.expiresAt() == null || row.expiresAt() > clock.millis()) && s.inflightIds.add(row.id())) {
          // Counted first: a client that has the frame must find it in the statistics.
          metrics.messageDelivered(row.sentAt());
          s.out.deliverDirect(row);
        }
        drain = false;
      } else {
        drain = true;
      }
    }
    if (drain) {
      requestDrain(s);
    }
  }

  private void pushRoom(DeviceSession s, Messages.RoomRow row) {
    boolean drain;
    synchronized (s) {
      if (s.closed) {
        return;
      }
      Long sent = s.roomSent.get(row.roomId());
      if (s.synced && !s.draining && sent != null && row.seq() == sent + 1 && !backpressured(s)) {
        s.roomSent.put(row.roomId(), row.seq());
        deliverRoomLocked(s, row);
        drain = false;
      } else if (sent != null && row.seq() <= sent) {
        drain = false;
      } else {
        drain = true;
      }
    }
    if (drain) {
      requestDrain(s);
    }
  }

  private void deliverRoomLocked(DeviceSession s, Messages.RoomRow row) {
    boolean own = row.senderUser().equals(s.userId) && row.senderDevice() == s.deviceId;
    boolean expired = row.expiresAt() != null && row.expiresAt() <= clock.millis();
    if (!own && !expired && !s.blocked.contains(row.senderUser())) {
      metrics.messageDelivered(row.sentAt());
      s.out.deliverRoom(row);
    }
  }

  /** Schedules a catch-up pass for {@code s}; passes for one session never overlap. */
  public void requestDrain(DeviceSession s) {
    synchronized (s) {
      if (s.closed || !s.active) {
        return;
      }
      s.synced = false;
      if (s.draining) {
        s.dirty = true;
        return;
      }
      s.draining = true;
      s.dirty = false;
    }
    try {
      readPool.execute(() -> drainLoop(s));
    } catch (RejectedExecutionException e) {
      synchronized (s) {
        s.draining = false;
      }
      scheduler.schedule(() -> requestDrain(s), 100, TimeUnit.MILLISECONDS);
    }
  }

  private static final int DONE = 0;
  private static final int MORE = 1;
  private static final int STALLED = 2;
  /** The in-flight window limited the pass: more may be queued; the next ack resumes delivery. */
  private static final int WINDOW_FULL = 3;

  /** True when the connection has so much queued that deliveries should wait (backpressure). */
  private boolean backpressured(DeviceSession s) {
    return s.out.bufferedBytes() >= limits.outboundHighWaterBytes();
  }

  /** Continues a stalled drain shortly (the session stays "draining" meanwhile). */
  private void resumeDrainLater(DeviceSession s) {
    scheduler.schedule(() -> {
      try {
        readPool.execute(() -> drainLoop(s));
      } catch (RejectedExecutionException e) {
        resumeDrainLater(s);
      }
    }, 20, TimeUnit.MILLISECONDS);
  }

  private void drainLoop(DeviceSession s) {
    while (true) {
      int status;
      try {
        status = drainOnce(s);
      } catch (RuntimeException e) {
        LOG.warn("delivery to {} failed, retrying: {}", s, e.toString());
        synchronized (s) {
          s.draining = false;
        }
        scheduler.schedule(() -> requestDrain(s), 500, TimeUnit.MILLISECONDS);
        return;
      }
      synchronized (s) {
        if (s.closed) {
          s.draining = false;
          return;
        }
        if (status == STALLED) {
          // The client reads slower than we deliver: wait (still "draining", so live pushes queue up
          // as dirty), and cut it off if it stays stalled too long.
          long now = System.nanoTime();
          if (s.stalledSinceNanos == 0) {
            s.stalledSinceNanos = now;
          } else if (now - s.stalledSinceNanos > limits.stallTimeoutMillis() * 1_000_000L) {
            s.draining = false;
            LOG.info("closing slow consumer {}: outbound buffer stayed full", s);
            s.out.close(4008, "slow consumer: outbound buffer stayed full");
            return;
          }
          resumeDrainLater(s);
          return;
        }
        s.stalledSinceNanos = 0;
        boolean windowOpen = s.inflightIds.size() < limits.maxInflightPerConnection() / 2;
        if (status == MORE || (s.dirty && (status != WINDOW_FULL || windowOpen))) {
          s.dirty = false;
          continue;
        }
        s.dirty = false;
        s.draining = false;
        // Synced only if this pass saw the whole queue: a pass cut short by the window leaves rows
        // unread, and live pushes must keep going through the database until an ack reopens it.
        s.synced = status == DONE;
        return;
      }
    }
  }

  /** One catch-up pass: DONE, MORE (a page was full) or STALLED (the connection's buffer is full). */
  private int drainOnce(DeviceSession s) {
    if (backpressured(s)) {
      return STALLED;
    }
    drainPasses.incrementAndGet();
    long now = clock.millis();
    Set<Long> exclude;
    synchronized (s) {
      exclude = new HashSet<>(s.inflightIds);
    }
    int room = limits.maxInflightPerConnection() - exclude.size();
    List<Messages.DirectRow> direct =
        room <= 0 ? List.of() : db.withHandle(h -> Messages.pendingDirect(h, s.userId, s.deviceId, now, exclude,
            Math.min(PAGE, room)));
    List<Messages.DeviceRoom> rooms = db.withHandle(h -> Messages.deviceRooms(h, s.userId, s.deviceId));
    s.blocked = new HashSet<>(db.withHandle(h -> Rooms.blockedBy(h, s.userId)));
    int status = direct.size() == PAGE ? MORE : room <= 0 || direct.size() == room ? WINDOW_FULL : DONE;
    synchronized (s) {
      if (s.closed) {
        return DONE;
      }
      for (Messages.DirectRow r : direct) {
        if (backpressured(s)) {
          return STALLED;
        }
        if (s.inflightIds.add(r.id())) {
          if (!s.blocked.contains(r.senderUser()) || r.senderUser().equals(s.userId)) {
            metrics.messageDelivered(r.sentAt());
            s.out.deliverDirect(r);
          }
        }
      }
      Set<String> current = new HashSet<>();
      rooms.forEach(r -> current.add(r.roomId()));
      s.roomSent.keySet().retainAll(current);
    }
    for (Messages.DeviceRoom r : rooms) {
      long from;
      synchronized (s) {
        from = s.roomSent.getOrDefault(r.roomId(), startAfter(s, r));
      }
      List<Messages.RoomRow> rows = db.withHandle(h -> Messages.roomAfter(h, r.roomId(), from, now, PAGE));
      synchronized (s) {
        if (s.closed) {
          return DONE;
        }
        long sent = s.roomSent.getOrDefault(r.roomId(), startAfter(s, r));
        boolean stalled = false;
        for (Messages.RoomRow row : rows) {
          if (row.seq() <= sent) {
            continue;
          }
          if (backpressured(s)) {
            stalled = true;
            break;
          }
          deliverRoomLocked(s, row);
          sent = row.seq();
        }
        // Remember the room even when nothing was sent, so live pushes can take the fast path.
        s.roomSent.put(r.roomId(), sent);
        if (stalled) {
          return STALLED;
        }
      }
      if (rows.size() == PAGE) {
        status = MORE;
      }
    }
    return status;
  }

  // ------------------------------------------------------------------ presence and typing

  private void announcePresence(String user, boolean isOnline, long now) {
    try {
      readPool.execute(() -> {
        Set<String> audience;
        try {
          audience = audience(user);
        } catch (RuntimeException e) {
          // Database unreachable: presence is ephemeral, the next change or query tells the truth.
          LOG.debug("presence update for {} dropped: {}", user, e.toString());
          return;
        }
        for (String a : audience) {
          for (DeviceSession s : sessions(a)) {
            s.out.presence(user, isOnline, now);
          }
        }
        ClusterRelay c = cluster;
        if (c != null) {
          c.presence(audience, user, isOnline, now);
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("presence update for {} dropped: read pool full", user);
    }
  }

  /**
   * Who may see {@code user}'s presence: room co-members and mutual contacts (someone who merely
   * adds {@code user} as a contact sees nothing until {@code user} adds them back).
   */
  private Set<String> audience(String user) {
    return db.withHandle(h -> {
      Set<String> a = new HashSet<>(Rooms.coMembers(h, user));
      a.addAll(Rooms.mutualContacts(h, user));
      a.removeAll(Rooms.blockedBy(h, user));
      a.removeIf(other -> Rooms.isBlocked(h, other, user));
      return a;
    });
  }

  /** Presence of {@code users} that {@code requester} may see (others are omitted). Blocking I/O. */
  public List<Presence> presence(String requester, List<String> users) {
    List<Presence> out = new ArrayList<>();
    for (String u : users) {
      if (!u.equals(requester) && !audience(u).contains(requester)) {
        continue;
      }
      long lastSeen = db.withHandle(h -> Devices.lastSeen(h, u)).orElse(0L);
      out.add(new Presence(u, isOnline(u), lastSeen));
    }
    return out;
  }

  /** Fans a typing state out to the room's other members' online devices. Blocking I/O. */
  public void typing(DeviceSession s, String roomId, boolean isTyping) {
    List<Rooms.Member> members = db.withHandle(h -> Rooms.members(h, roomId));
    if (members.stream().noneMatch(m -> m.userId().equals(s.userId))) {
      throw ServiceException.forbidden("not_member", "you are not a member of this room");
    }
    String key = s.userId + "\0" + roomId;
    long expires = clock.millis() + limits.typingTtlMillis();
    if (isTyping) {
      typing.put(key, new TypingState(s.deviceId, expires));
      s.typingRooms.add(roomId);
    } else {
      typing.remove(key);
      s.typingRooms.remove(roomId);
    }
    fanTyping(s.userId, s.deviceId, roomId, isTyping, members);
  }

  private void stopTyping(String user, int device, String roomId) {
    if (typing.remove(user + "\0" + roomId) != null) {
      try {
        readPool.execute(() -> fanTyping(user, device, roomId, false, db.withHandle(h -> Rooms.members(h, roomId))));
      } catch (RejectedExecutionException e) {
        LOG.debug("typing stop dropped");
      }
    }
  }

  private void fanTyping(String user, int device, String roomId, boolean on, List<Rooms.Member> members) {
    ClusterRelay c = cluster;
    for (Rooms.Member m : members) {
      if (m.userId().equals(user)) {
        continue;
      }
      localTyping(m.userId(), roomId, user, device, on);
      if (c != null) {
        c.typing(m.userId(), roomId, user, device, on);
      }
    }
  }

  void localTyping(String to, String roomId, String user, int device, boolean on) {
    for (DeviceSession t : sessions(to)) {
      if (!t.blocked.contains(user)) {
        t.out.typing(roomId, user, device, on);
      }
    }
  }

  /** Ends typing states whose time ran out (on the injected clock) and tells the room. */
  public void expireTyping() {
    long now = clock.millis();
    for (Map.Entry<String, TypingState> e : typing.entrySet()) {
      if (e.getValue().expiresAt() <= now && typing.remove(e.getKey(), e.getValue())) {
        String[] parts = e.getKey().split("\0", 2);
        int device = e.getValue().device();
        sessions(parts[0]).forEach(s -> s.typingRooms.remove(parts[1]));
        try {
          readPool.execute(() -> fanTyping(parts[0], device, parts[1], false,
              db.withHandle(h -> Rooms.members(h, parts[1]))));
        } catch (RejectedExecutionException ex) {
          LOG.debug("typing expiry dropped");
        }
      }
    }
  }

  // ------------------------------------------------------------------ notices

  /** Tells every online device of {@code audience} that a room changed, and re-syncs their delivery. */
  public void roomEvent(
      ChatService.RoomView room, String change, String actor, List<String> subjects, List<String> audience) {
    ClusterRelay c = cluster;
    for (String u : new LinkedHashSet<>(audience)) {
      localRoomEvent(u, room, change, actor, subjects);
      if (c != null) {
        c.roomEvent(u, room, change, actor, subjects);
      }
    }
  }

  void localRoomEvent(String u, ChatService.RoomView room, String change, String actor, List<String> subjects) {
    for (DeviceSession s : sessions(u)) {
      s.out.roomEvent(room, change, actor, subjects);
      requestDrain(s);
    }
  }

  /**
   * Routes a delivered/read receipt from {@code s} to the senders of the messages (if they share
   * the room and have not blocked the reporter) and to the reporter's other devices. Live only: a
   * receipt for an offline device is not stored. Blocking I/O.
   */
  public void receipt(DeviceSession s, String roomId, String status, List<String> messageIds) {
    long now = clock.millis();
    Set<String> targets = new HashSet<>();
    db.useHandle(h -> {
      if (Rooms.member(h, roomId, s.userId).isEmpty()) {
        throw ServiceException.forbidden("not_member", "you are not a member of this room");
      }
      for (String id : messageIds) {
        for (String sender : Messages.sendersOf(h, id)) {
          if (!sender.equals(s.userId) && Rooms.member(h, roomId, sender).isPresent()
              && !Rooms.isBlocked(h, sender, s.userId)) {
            targets.add(sender);
          }
        }
      }
    });
    targets.add(s.userId);
    ClusterRelay c = cluster;
    for (String t : targets) {
      for (DeviceSession d : sessions(t)) {
        if (d != s) {
          d.out.receipt(roomId, s.userId, s.deviceId, status, messageIds, now);
        }
      }
      if (c != null) {
        c.receipt(t, roomId, s.userId, s.deviceId, status, messageIds, now);
      }
    }
  }

  void localReceipt(String to, String roomId, String fromUser, int fromDevice, String status, List<String> ids,
      long at) {
    for (DeviceSession d : sessions(to)) {
      if (!(d.userId.equals(fromUser) && d.deviceId == fromDevice)) {
        d.out.receipt(roomId, fromUser, fromDevice, status, ids, at);
      }
    }
  }

  public void prekeysLow(String user, int device, int remaining) {
    localPrekeysLow(user, device, remaining);
    ClusterRelay c = cluster;
    if (c != null) {
      c.prekeysLow(user, device, remaining);
    }
  }

  void localPrekeysLow(String user, int device, int remaining) {
    for (DeviceSession s : sessions(user)) {
      if (s.deviceId == device) {
        s.out.prekeysLow(remaining);
      }
    }
  }

  /**
   * Relays a linking envelope from {@code user}'s device {@code fromDevice} to its device
   * {@code toDevice} if that one is connected; returns whether it was.
   */
  public boolean linkEnvelope(String user, int fromDevice, int toDevice, byte[] envelope) {
    boolean sent = false;
    for (DeviceSession s : sessions(user)) {
      if (s.deviceId == toDevice) {
        s.out.linkEnvelope(user, fromDevice, envelope);
        sent = true;
      }
    }
    ClusterRelay c = cluster;
    if (!sent && c != null && c.onlineElsewhere(user)) {
      // The device may be connected to another node: relay it there (live only, as here).
      c.linkEnvelope(user, fromDevice, toDevice, envelope);
      sent = true;
    }
    return sent;
  }

  void localLinkEnvelope(String user, int fromDevice, int toDevice, byte[] envelope) {
    for (DeviceSession s : sessions(user)) {
      if (s.deviceId == toDevice) {
        s.out.linkEnvelope(user, fromDevice, envelope);
      }
    }
  }

  /**
   * After {@code user}'s device {@code deviceId} was revoked: closes its connections, and tells the
   * user's other devices and everyone who may see the user (room co-members, contacts) to fetch the
   * user's bundles again, which carry the revocation.
   */
  public void deviceRevoked(String user, int deviceId, DeviceSession requester) {
    for (DeviceSession s : sessions(user)) {
      // A device that revoked itself (logout) is closed by its own request's handler, after the
      // answer, so that it learns the revocation went through.
      if (s.deviceId == deviceId && s != requester) {
        s.out.close(io.ciphertalk.server.internal.ws.CloseCodes.DEVICE_REVOKED, "this device was revoked");
      }
    }
    ClusterRelay c = cluster;
    if (c != null) {
      c.deviceRevoked(user, deviceId);
    }
    devicesChanged(user, deviceId);
  }

  void localDeviceRevoked(String user, int deviceId) {
    for (DeviceSession s : sessions(user)) {
      if (s.deviceId == deviceId) {
        s.out.close(io.ciphertalk.server.internal.ws.CloseCodes.DEVICE_REVOKED, "this device was revoked");
      }
    }
  }

  /**
   * Tells {@code user}'s other devices and everyone who may see the user (room co-members,
   * contacts) that the user's devices changed ({@code deviceId} appeared or was revoked).
   */
  public void devicesChanged(String user, int deviceId) {
    // Wider than the presence audience: a pending co-member still encrypts to the user's devices,
    // so it must hear of a revocation at once (a revoked device gets nothing new).
    Set<String> notify = new LinkedHashSet<>(audience(user));
    notify.addAll(db.withHandle(h -> Rooms.anyCoMembers(h, user)));
    notify.add(user);
    ClusterRelay c = cluster;
    for (String u : notify) {
      localDevicesChanged(u, user, deviceId);
      if (c != null) {
        c.devicesChanged(u, user, deviceId);
      }
    }
  }

  void localDevicesChanged(String to, String user, int deviceId) {
    for (DeviceSession s : sessions(to)) {
      if (!(to.equals(user) && s.deviceId == deviceId)) {
        s.out.devicesChanged(user);
      }
    }
  }

  /** Re-syncs every online device of {@code user} (after a block list change). */
  public void resync(String user) {
    sessions(user).forEach(this::requestDrain);
    ClusterRelay c = cluster;
    if (c != null) {
      c.resync(user);
    }
  }

  // ------------------------------------------------------------------ cluster (see ClusterRelay)

  /** Joins a cluster: from now on events also go through {@code relay}. Call before the first connection. */
  public void enableCluster(ClusterRelay relay) {
    this.cluster = relay;
    // Every node's group sends lock room rows; a batch takes them all first, sorted by room id.
    writer.lockInOrder(Rooms::lockInOrder);
  }

  /** Drains every connection of {@code user} on this node (a notice said something is waiting). */
  void localResync(String user) {
    sessions(user).forEach(this::requestDrain);
  }

  /** Drains the named devices of {@code user} on this node after new 1:1 envelopes were committed elsewhere. */
  void localDirectStored(String user, List<Integer> devices) {
    for (DeviceSession s : sessions(user)) {
      if (devices.contains(s.deviceId)) {
        requestDrain(s);
      }
    }
  }

  /**
   * Timeline reads under way for room notices, by room and position: the members of a room on this
   * node are notified one by one (one Redis channel per user), mostly from the same position, and
   * share one read instead of one each. A read includes at least entry {@code covers}: it started
   * after that entry's notice arrived, so after its commit.
   */
  private record NoticeRead(CompletableFuture<List<Messages.RoomRow>> rows, long covers) {}

  private final Map<String, NoticeRead> noticeReads = new ConcurrentHashMap<>();

  /**
   * Room {@code roomId} got entry {@code seq} on another node: each local connection of {@code user}
   * that has not reached it pushes the timeline after its own position, in order, from a read it
   * shares with the other local connections at that position (a gap falls back to a full drain).
   */
  void localRoomStored(String user, String roomId, long seq) {
    for (DeviceSession s : sessions(user)) {
      Long sent;
      synchronized (s) {
        sent = s.roomSent.get(roomId);
        if (sent != null && sent >= seq) {
          continue;
        }
      }
      if (sent == null) {
        requestDrain(s);
        continue;
      }
      timelineAfter(roomId, sent, seq).whenComplete((rows, failed) -> {
        if (failed != null) {
          requestDrain(s);
          return;
        }
        for (Messages.RoomRow r : rows) {
          pushRoom(s, r);
        }
        if (rows.size() == PAGE) {
          requestDrain(s);
        }
      });
    }
  }

  /**
   * A page of {@code roomId}'s timeline after {@code after} that includes entry {@code seq} (when not
   * expired): joins a read under way that started after that entry was announced, or starts one.
   */
  private CompletableFuture<List<Messages.RoomRow>> timelineAfter(String roomId, long after, long seq) {
    String key = roomId + "\0" + after;
    NoticeRead mine = new NoticeRead(new CompletableFuture<>(), seq);
    NoticeRead shared = noticeReads.merge(key, mine, (old, fresh) -> old.covers() >= seq ? old : fresh);
    if (shared != mine) {
      return shared.rows();
    }
    noticeReadsStarted.incrementAndGet();
    try {
      readPool.execute(() -> {
        try {
          mine.rows().complete(db.withHandle(h -> Messages.roomAfter(h, roomId, after, clock.millis(), PAGE)));
        } catch (RuntimeException e) {
          mine.rows().completeExceptionally(e);
        } finally {
          forgetNoticeReadLater(key, mine);
        }
      });
    } catch (RejectedExecutionException e) {
      noticeReads.remove(key, mine);
      mine.rows().completeExceptionally(e);
    }
    return mine.rows();
  }

  /**
   * A finished read stays shareable for a second: the notices of one send reach a node's members one
   * after the other, and a read often finishes before the last of them arrives.
   */
  private void forgetNoticeReadLater(String key, NoticeRead read) {
    try {
      scheduler.schedule(() -> noticeReads.remove(key, read), 1, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      noticeReads.remove(key, read); // stopping
    }
  }

  private final java.util.concurrent.atomic.AtomicLong noticeReadsStarted = new java.util.concurrent.atomic.AtomicLong();

  /** Timeline reads started for room notices from other nodes (test hook). */
  public long noticeReads() {
    return noticeReadsStarted.get();
  }

  /** Another node took over a connection of {@code user}'s {@code device}: close the local one. */
  void localReplaced(String user, int device, long connectedAt) {
    for (DeviceSession old : sessions(user)) {
      if (old.deviceId == device && old.connectedAt <= connectedAt) {
        online.computeIfPresent(user, (k, list) -> {
          list.remove(old);
          if (list.isEmpty()) {
            ClusterRelay c = cluster;
            if (c != null) {
              c.unsubscribe(k);
            }
            return null;
          }
          return list;
        });
        synchronized (old) {
          old.closed = true;
        }
        old.out.sessionReplaced();
        old.out.close(4010, "session replaced by a newer connection of this device");
      }
    }
  }

  /** Local presence delivery to {@code to}'s connections. */
  void localPresence(String to, String user, boolean isOnline, long at) {
    for (DeviceSession s : sessions(to)) {
      s.out.presence(user, isOnline, at);
    }
  }

  /** The full catch-up (after a Redis gap, and the cluster's backstop): drains every local connection. */
  public void catchUpAll() {
    for (List<DeviceSession> l : online.values()) {
      l.forEach(this::requestDrain);
    }
  }

  /** Users per query of the catch-up poll (an IN list; PostgreSQL takes at most 32,767 parameters). */
  private static final int POLL_USERS_PER_QUERY = 500;

  /**
   * The cluster's catch-up poll, once per node and interval: reads what the users connected here
   * have queued (envelopes per device, the last sequence of each of their group rooms), one query
   * of each kind per {@value #POLL_USERS_PER_QUERY} users, and drains only the connections with
   * something a lost notice may have left behind: envelopes beyond the ones in flight or a queue id
   * not seen by the last poll, a room whose last sequence is past what was pushed on the connection
   * and past what the last poll saw. An idle connection costs no drain. Blocking I/O: runs on a read
   * thread. Returns the number of connections drained.
   */
  public int catchUpPoll() {
    List<String> users = new ArrayList<>(online.keySet());
    int drained = 0;
    long now = clock.millis();
    for (int from = 0; from < users.size(); from += POLL_USERS_PER_QUERY) {
      List<String> chunk = users.subList(from, Math.min(users.size(), from + POLL_USERS_PER_QUERY));
      Map<String, Messages.QueuedDirect> queued = new HashMap<>();
      Map<String, List<Messages.RoomHead>> heads = new HashMap<>();
      db.useHandle(h -> {
        Messages.queuedDirect(h, chunk, now).forEach(q -> queued.put(q.user() + "\0" + q.device(), q));
        Messages.roomHeads(h, chunk).forEach(r -> heads.computeIfAbsent(r.user(), k -> new ArrayList<>()).add(r));
      });
      for (String user : chunk) {
        List<Messages.RoomHead> rooms = heads.getOrDefault(user, List.of());
        for (DeviceSession s : sessions(user)) {
          if (behind(s, queued.get(user + "\0" + s.deviceId), rooms)) {
            requestDrain(s);
            drained++;
          }
        }
      }
    }
    pollPasses.incrementAndGet();
    return drained;
  }

  /** True when the poll found something for {@code s} that neither a push nor an earlier poll covered. */
  private static boolean behind(DeviceSession s, Messages.QueuedDirect queued, List<Messages.RoomHead> rooms) {
    boolean behind = false;
    synchronized (s) {
      if (queued != null) {
        // More envelopes than in flight: one was never pushed. A new highest id: a notice may be lost.
        if (queued.count() > s.inflightIds.size() || queued.maxId() > s.directPolled) {
          behind = true;
        }
        s.directPolled = Math.max(s.directPolled, queued.maxId());
      }
      for (Messages.RoomHead r : rooms) {
        long pushed = s.roomSent.getOrDefault(r.roomId(), Long.MIN_VALUE);
        long polled = s.roomPolled.getOrDefault(r.roomId(), Long.MIN_VALUE);
        if (r.lastSeq() > pushed && r.lastSeq() > polled) {
          behind = true; // (rows purged by expiry or retention drain once, not at every poll)
        }
        s.roomPolled.put(r.roomId(), r.lastSeq());
      }
    }
    return behind;
  }

  private final java.util.concurrent.atomic.AtomicLong pollPasses = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong drainPasses = new java.util.concurrent.atomic.AtomicLong();

  /** Catch-up polls finished (test hook). */
  public long pollPasses() {
    return pollPasses.get();
  }

  /** Drain passes run: each reads a connection's queue and rooms (test hook). */
  public long drainPasses() {
    return drainPasses.get();
  }

  /** Users with a connection on this node, each with its connections' cluster count entries. */
  Map<String, List<String>> localConnectionEntries() {
    Map<String, List<String>> m = new HashMap<>();
    online.forEach((user, list) -> {
      List<String> members = new ArrayList<>();
      for (DeviceSession s : list) {
        if (s.clusterMember != null && !s.closed) {
          members.add(s.clusterMember);
        }
      }
      m.put(user, members);
    });
    return m;
  }

  boolean isLocallyOnline(String user) {
    return online.containsKey(user);
  }

  /** The last node holding {@code user}'s connections died: tell the user's audience it is offline. */
  void remoteUserGone(String user) {
    announcePresence(user, false, clock.millis());
  }

  /** Purges expired ciphertext and old dedupe records (scheduled; driven by the injected clock). */
  public CompletableFuture<Messages.Purged> sweep() {
    long now = clock.millis();
    return writer.submit(h -> {
      Messages.Purged p = Messages.purgeExpired(h, now, now - limits.dedupeRetentionMillis());
      if (limits.roomRetentionMillis() > 0) {
        Messages.purgeRoomHistory(h, now - limits.roomRetentionMillis());
        Messages.purgeDirectQueue(h, now - limits.roomRetentionMillis());
      }
      Accounts.purgeTokens(h, now);
      return p;
    });
  }

  /** Room member lists for notices. Blocking I/O. */
  public Map<String, List<String>> memberIds(List<String> roomIds) {
    Map<String, List<String>> m = new HashMap<>();
    for (String r : roomIds) {
      m.put(r, db.withHandle(h -> Rooms.members(h, r)).stream().map(Rooms.Member::userId).toList());
    }
    return m;
  }
}
