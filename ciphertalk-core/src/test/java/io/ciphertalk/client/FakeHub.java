package io.ciphertalk.client;

import io.ciphertalk.client.internal.ServerLink;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.crypto.DeviceAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process stand-in for the server, behind the engine's {@link ServerLink} seam: accounts,
 * key directory (one-time prekeys handed out once, a low-prekeys notice), rooms with roles,
 * store-and-forward queues per device with acknowledgement and redelivery, sender dedupe,
 * presence, and a record of every ciphertext it routed (for the plaintext scan). A "leaky" switch
 * makes it keep delivering a room's traffic to removed members, to show that the cryptography,
 * not the server, locks them out.
 */
final class FakeHub {
  private final Clock clock;
  private final Map<String, String> passwords = new HashMap<>();
  private final Map<String, String> tokens = new HashMap<>();
  private final Map<DeviceAddress, byte[]> bundles = new HashMap<>();
  private final Map<DeviceAddress, byte[]> certificates = new HashMap<>();
  private final Map<String, List<byte[]>> revocations = new HashMap<>();
  private final Map<DeviceAddress, TreeMap<Integer, byte[]>> oneTime = new HashMap<>();
  private final Map<DeviceAddress, Conn> online = new HashMap<>();
  private final Map<DeviceAddress, LinkedHashMap<String, Runnable>> queues = new HashMap<>();
  private final Map<String, ServerLink.RoomInfo> rooms = new LinkedHashMap<>();
  /** "room\nuser" of memberships added by someone else and not accepted yet. */
  private final Set<String> pendingInvites = new java.util.HashSet<>();
  private final Set<String> seenSends = new HashSet<>();
  private final Map<String, Instant> lastSeen = new HashMap<>();
  private final Map<String, Set<String>> removedFrom = new HashMap<>();
  private final List<byte[]> routed = new ArrayList<>();
  private final AtomicInteger roomSeq = new AtomicInteger();
  volatile boolean leaky;
  volatile boolean duplicateDeliveries;
  volatile boolean refuseConnections;
  /** A hostile server: flips one byte of every pairwise ciphertext it routes while set. */
  volatile boolean corruptPairwise;
  /** Pairwise envelopes (sender keys among them) are queued but not pushed live while set. */
  volatile boolean deferPairwise;
  private boolean holding;
  final java.util.concurrent.atomic.AtomicInteger connectAttempts =
      new java.util.concurrent.atomic.AtomicInteger();
  int lowPrekeyThreshold = 3;

  FakeHub(Clock clock) {
    this.clock = clock;
  }

  private record Conn(ServerLink.Inbound inbound, Link link) {}

  ServerLink link() {
    return new Link();
  }

  /**
   * Stops delivering to connected devices (sends are still accepted and queued), so that tests can
   * make two devices send to each other "at the same time"; {@link #release()} delivers the queues.
   */
  synchronized void hold() {
    holding = true;
  }

  /** Resumes delivery: every queued message goes to its connected device, in queue order. */
  synchronized void release() {
    holding = false;
    for (var e : online.entrySet()) {
      for (Runnable r : List.copyOf(queues.getOrDefault(e.getKey(), new LinkedHashMap<>())
          .values())) {
        r.run();
      }
    }
  }

  /** How many messages wait in {@code d}'s queue (delivered but unacknowledged ones included). */
  synchronized int queued(DeviceAddress d) {
    return queues.getOrDefault(d, new LinkedHashMap<>()).size();
  }

  synchronized List<byte[]> routedCiphertexts() {
    return List.copyOf(routed);
  }

  synchronized int oneTimePrekeysLeft(DeviceAddress d) {
    return oneTime.getOrDefault(d, new TreeMap<>()).size();
  }

  synchronized byte[] bundleOf(DeviceAddress d) {
    return bundles.get(d);
  }

  /** Revokes every token of {@code user} (as an admin or a password change does). */
  synchronized void revokeTokens(String user) {
    tokens.values().removeIf(user::equals);
  }

  /** Drops a device's connection as a network failure would (the client should reconnect). */
  void dropConnection(DeviceAddress d) {
    Conn c;
    synchronized (this) {
      c = online.remove(d);
      if (c != null) {
        c.link.connected = false;
        presenceChanged(d.userId());
      }
    }
    if (c != null) {
      c.inbound.onDisconnected("network failure (simulated)");
    }
  }

  private RequestFailedException fail(String code) {
    return new RequestFailedException(code, code);
  }

  private Set<DeviceAddress> devicesOf(String user) {
    Set<DeviceAddress> out = new HashSet<>();
    for (DeviceAddress d : bundles.keySet()) {
      if (d.userId().equals(user)) {
        out.add(d);
      }
    }
    return out;
  }

  private void enqueue(DeviceAddress to, String key, java.util.function.Consumer<Runnable> deliver) {
    LinkedHashMap<String, Runnable> q = queues.computeIfAbsent(to, k -> new LinkedHashMap<>());
    Runnable ack = () -> {
      synchronized (FakeHub.this) {
        q.remove(key);
      }
    };
    Runnable delivery = () -> deliver.accept(ack);
    q.put(key, delivery);
    Conn c = online.get(to);
    if (c != null && !holding && !(deferPairwise && key.startsWith("p/"))) {
      delivery.run();
      if (duplicateDeliveries) {
        delivery.run(); // as after a lost acknowledgement
      }
    }
  }

  private void presenceChanged(String user) {
    boolean on = online.keySet().stream().anyMatch(d -> d.userId().equals(user));
    if (!on) {
      lastSeen.put(user, clock.instant());
    }
    Presence p = new Presence(user, on, Optional.ofNullable(lastSeen.get(user)));
    Set<String> watchers = new HashSet<>();
    for (ServerLink.RoomInfo r : rooms.values()) {
      if (r.members().containsKey(user)) {
        watchers.addAll(r.members().keySet());
      }
    }
    watchers.remove(user);
    for (var e : online.entrySet()) {
      if (watchers.contains(e.getKey().userId())) {
        e.getValue().inbound.onPresence(p);
      }
    }
  }

  private void membership(ServerLink.RoomInfo before, ServerLink.RoomInfo after, String user,
      ChatEvent.MembershipChange change, Optional<Role> role) {
    Set<String> notify = new HashSet<>(before == null ? Set.of() : before.members().keySet());
    notify.addAll(after.members().keySet());
    for (var e : online.entrySet()) {
      if (notify.contains(e.getKey().userId())) {
        boolean stillIn = after.members().containsKey(e.getKey().userId());
        e.getValue().inbound.onMembership(after.id(), user, change, role,
            stillIn ? Optional.of(after) : Optional.empty());
      }
    }
  }

  private Role roleOf(ServerLink.RoomInfo r, String user) throws RequestFailedException {
    Role role = r.members().get(user);
    if (role == null) {
      throw fail("not_member");
    }
    return role;
  }

  final class Link implements ServerLink {
    private DeviceAddress self;
    volatile boolean connected;

    @Override
    public String register(String userId, String password) throws CipherTalkException {
      synchronized (FakeHub.this) {
        if (passwords.containsKey(userId)) {
          throw new AuthenticationException("user name taken");
        }
        passwords.put(userId, password);
        String t = "token-" + userId + "-" + tokens.size();
        tokens.put(t, userId);
        return t;
      }
    }

    @Override
    public String login(String userId, String password) throws CipherTalkException {
      synchronized (FakeHub.this) {
        if (!password.equals(passwords.get(userId))) {
          throw new AuthenticationException("wrong credentials");
        }
        String t = "token-" + userId + "-" + tokens.size();
        tokens.put(t, userId);
        return t;
      }
    }

    @Override
    public void connect(DeviceAddress self, String token, Inbound inbound)
        throws CipherTalkException {
      connectAttempts.incrementAndGet();
      if (refuseConnections) {
        throw fail("not_connected");
      }
      synchronized (FakeHub.this) {
        if (!self.userId().equals(tokens.get(token))) {
          throw new AuthenticationException("bad token");
        }
        this.self = self;
        connected = true;
        online.put(self, new Conn(inbound, this));
        for (Runnable r : List.copyOf(queues.getOrDefault(self, new LinkedHashMap<>()).values())) {
          r.run();
        }
        presenceChanged(self.userId());
      }
    }

    @Override
    public void disconnect() {
      synchronized (FakeHub.this) {
        if (self != null && online.get(self) != null && online.get(self).link == this) {
          online.remove(self);
          presenceChanged(self.userId());
        }
        connected = false;
      }
    }

    @Override
    public boolean isConnected() {
      return connected;
    }

    private void check() throws RequestFailedException {
      if (!connected) {
        throw fail("not_connected");
      }
    }

    @Override
    public void publishKeys(KeyUpload upload) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        bundles.put(self, upload.identityAndSignedPrekeys().clone());
        if (upload.certificate() != null) {
          certificates.put(self, upload.certificate().clone());
        }
        TreeMap<Integer, byte[]> m = oneTime.computeIfAbsent(self, k -> new TreeMap<>());
        upload.oneTimePrekeys().forEach(k -> m.put(k.id(), k.publicKey()));
      }
    }

    @Override
    public List<Integer> devices(String userId) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        return devicesOf(userId).stream().map(DeviceAddress::deviceId).sorted().toList();
      }
    }

    @Override
    public DeviceBundle fetchBundle(DeviceAddress device) throws CipherTalkException {
      ServerLink.Inbound notify = null;
      int left;
      DeviceBundle b;
      synchronized (FakeHub.this) {
        check();
        byte[] base = bundles.get(device);
        if (base == null) {
          throw fail("unknown_device");
        }
        TreeMap<Integer, byte[]> m = oneTime.computeIfAbsent(device, k -> new TreeMap<>());
        var first = m.pollFirstEntry();
        byte[] cert = certificates.get(device);
        b = new DeviceBundle(device, base.clone(), first == null ? null
            : new KeyUpload.OneTimePrekey(first.getKey(), first.getValue()),
            cert == null ? null : cert.clone());
        left = m.size();
        if (left < lowPrekeyThreshold && online.containsKey(device)) {
          notify = online.get(device).inbound;
        }
      }
      if (notify != null) {
        notify.onPrekeysLow(left);
      }
      return b;
    }

    @Override
    public java.util.Optional<byte[]> certificate(DeviceAddress device, boolean fresh)
        throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        return java.util.Optional.ofNullable(certificates.get(device)).map(byte[]::clone);
      }
    }

    @Override
    public void publishRevocation(byte[] revocation) throws CipherTalkException {
      List<ServerLink.Inbound> notify = new ArrayList<>();
      String user;
      synchronized (FakeHub.this) {
        check();
        DeviceAddress target;
        try {
          target = io.ciphertalk.crypto.account.DeviceRevocation.deserialize(revocation).address();
        } catch (io.ciphertalk.crypto.CryptoException e) {
          throw fail("invalid_field");
        }
        user = target.userId();
        revocations.computeIfAbsent(user, k -> new ArrayList<>()).add(revocation.clone());
        bundles.remove(target);
        certificates.remove(target);
        for (Map.Entry<DeviceAddress, Conn> e : online.entrySet()) {
          if (!e.getKey().equals(target)) {
            notify.add(e.getValue().inbound);
          }
        }
      }
      for (ServerLink.Inbound in : notify) {
        in.onDevicesChanged(user);
      }
    }

    @Override
    public List<byte[]> revocations(String userId) {
      synchronized (FakeHub.this) {
        return revocations.getOrDefault(userId, List.of()).stream().map(byte[]::clone).toList();
      }
    }

    @Override
    public void sendLinkEnvelope(int device, byte[] envelope) throws CipherTalkException {
      Conn target;
      DeviceAddress from;
      synchronized (FakeHub.this) {
        check();
        from = self;
        target = online.get(new DeviceAddress(self.userId(), device));
      }
      if (target == null) {
        throw fail("not_found");
      }
      target.inbound.onLinkEnvelope(from, envelope.clone());
    }

    @Override
    public void sendPairwise(io.ciphertalk.core.model.MessageId id, String roomId,
        List<Envelope> envelopes, Instant expiresAt) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        if (!seenSends.add(self + "/" + id)) {
          return; // retry of an accepted send
        }
        for (Envelope e : envelopes) {
          routed.add(e.ciphertext());
          DeviceAddress from = self;
          byte[] ct = e.ciphertext().clone();
          if (corruptPairwise) {
            ct[ct.length - 1] ^= 1;
          }
          enqueue(e.to(), "p/" + from + "/" + id, ack -> {
            Conn c = online.get(e.to());
            if (c != null) {
              c.inbound.onEnvelope(from, id, ct, expiresAt, ack);
            }
          });
        }
      }
    }

    @Override
    public void sendGroup(io.ciphertalk.core.model.MessageId id, String roomId, byte[] ciphertext,
        Instant expiresAt) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        ServerLink.RoomInfo r = rooms.get(roomId);
        if (r == null || !r.members().containsKey(self.userId())) {
          throw fail("not_member");
        }
        if (!seenSends.add(self + "/" + id)) {
          return;
        }
        routed.add(ciphertext);
        Set<String> to = new HashSet<>(r.members().keySet());
        if (leaky) {
          to.addAll(removedFrom.getOrDefault(roomId, Set.of()));
        }
        DeviceAddress from = self;
        for (String u : to) {
          for (DeviceAddress d : devicesOf(u)) {
            if (d.equals(from)) {
              continue;
            }
            byte[] ct = ciphertext.clone();
            enqueue(d, "g/" + from + "/" + id, ack -> {
              Conn c = online.get(d);
              if (c != null) {
                c.inbound.onGroupMessage(roomId, from, id, ct, expiresAt, ack);
              }
            });
          }
        }
      }
    }

    @Override
    public RoomInfo createRoom(RoomKind kind, String name, Set<String> members)
        throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        Map<String, Role> m = new LinkedHashMap<>();
        m.put(self.userId(), Role.OWNER);
        for (String u : members) {
          if (!passwords.containsKey(u)) {
            throw fail("unknown_user");
          }
          m.putIfAbsent(u, Role.MEMBER);
        }
        // Private rooms, as on the real server: one canonical id per pair, created once.
        String id = kind == RoomKind.PRIVATE && m.size() == 2
            ? io.ciphertalk.core.model.PrivateRoomId.of(self.userId(), members.iterator().next())
            : "room-" + roomSeq.incrementAndGet();
        if (kind == RoomKind.PRIVATE && rooms.containsKey(id)) {
          pendingInvites.remove(id + "\n" + self.userId()); // opening it oneself accepts it
          return rooms.get(id);
        }
        RoomInfo r = new RoomInfo(id, kind,
            kind == RoomKind.PRIVATE ? String.join("+", m.keySet()) : name, m);
        rooms.put(r.id(), r);
        for (String u : m.keySet()) {
          if (!u.equals(self.userId())) {
            pendingInvites.add(r.id() + "\n" + u);
            membership(null, r, u, ChatEvent.MembershipChange.JOINED, Optional.of(Role.MEMBER));
          }
        }
        return r;
      }
    }

    @Override
    public List<RoomInfo> rooms() throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        return rooms.values().stream().filter(r -> r.members().containsKey(self.userId()))
            .toList();
      }
    }

    private RoomInfo change(String roomId, java.util.function.Consumer<Map<String, Role>> f)
        throws RequestFailedException {
      RoomInfo r = rooms.get(roomId);
      if (r == null) {
        throw fail("not_member");
      }
      Map<String, Role> m = new LinkedHashMap<>(r.members());
      f.accept(m);
      RoomInfo after = r.withMembers(m);
      rooms.put(roomId, after);
      return after;
    }

    @Override
    public void invite(String roomId, String userId) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        RoomInfo before = rooms.get(roomId);
        if (before == null || !roleOf(before, self.userId()).canManageMembers()) {
          throw fail("forbidden");
        }
        RoomInfo after = change(roomId, m -> m.putIfAbsent(userId, Role.MEMBER));
        pendingInvites.add(roomId + "\n" + userId);
        membership(before, after, userId, ChatEvent.MembershipChange.JOINED,
            Optional.of(Role.MEMBER));
      }
    }

    @Override
    public void remove(String roomId, String userId) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        RoomInfo before = rooms.get(roomId);
        if (before == null || !roleOf(before, self.userId()).canManageMembers()) {
          throw fail("forbidden");
        }
        roleOf(before, userId);
        RoomInfo after = change(roomId, m -> m.remove(userId));
        removedFrom.computeIfAbsent(roomId, k -> new HashSet<>()).add(userId);
        membership(before, after, userId, ChatEvent.MembershipChange.REMOVED, Optional.empty());
      }
    }

    @Override
    public List<RoomInfo> pendingInvites() throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        return rooms.values().stream().filter(r -> pendingInvites.contains(r.id() + "\n" + self.userId()))
            .toList();
      }
    }

    @Override
    public void acceptInvite(String roomId) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        if (!pendingInvites.remove(roomId + "\n" + self.userId())) {
          throw fail("not_found");
        }
      }
    }

    @Override
    public void declineInvite(String roomId) throws CipherTalkException {
      synchronized (FakeHub.this) {
        if (!pendingInvites.remove(roomId + "\n" + self.userId())) {
          throw fail("not_found");
        }
      }
      leave(roomId);
    }

    @Override
    public void leave(String roomId) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        RoomInfo before = rooms.get(roomId);
        roleOf(before, self.userId());
        RoomInfo after = change(roomId, m -> m.remove(self.userId()));
        membership(before, after, self.userId(), ChatEvent.MembershipChange.LEFT,
            Optional.empty());
      }
    }

    @Override
    public RoomInfo renameRoom(String roomId, String name, String topic)
        throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        RoomInfo before = rooms.get(roomId);
        if (before == null || !roleOf(before, self.userId()).canManageMembers()) {
          throw fail("forbidden");
        }
        RoomInfo after = new RoomInfo(roomId, before.kind(), name, before.members(), topic);
        rooms.put(roomId, after);
        for (var e : online.entrySet()) {
          if (after.members().containsKey(e.getKey().userId())) {
            e.getValue().inbound.onRoomRenamed(after, self.userId());
          }
        }
        return after;
      }
    }

    @Override
    public int changePassword(String token, String currentPassword, String newPassword,
        String oneTimeCode) throws CipherTalkException {
      synchronized (FakeHub.this) {
        String user = tokens.get(token);
        if (user == null || !currentPassword.equals(passwords.get(user))) {
          throw new AuthenticationException("invalid_credentials: wrong password");
        }
        passwords.put(user, newPassword);
        int before = tokens.size();
        tokens.entrySet().removeIf(t -> t.getValue().equals(user) && !t.getKey().equals(token));
        return before - tokens.size();
      }
    }

    @Override
    public void setRole(String roomId, String userId, Role role) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        RoomInfo before = rooms.get(roomId);
        if (before == null || !roleOf(before, self.userId()).canManageMembers()) {
          throw fail("forbidden");
        }
        roleOf(before, userId);
        RoomInfo after = change(roomId, m -> m.put(userId, role));
        membership(before, after, userId, ChatEvent.MembershipChange.ROLE_CHANGED,
            Optional.of(role));
      }
    }

    private final Map<String, Contact> contacts = new LinkedHashMap<>();

    @Override
    public void addContact(String userId, String nickname) throws CipherTalkException {
      check();
      contacts.put(userId, new Contact(userId, nickname, false));
    }

    @Override
    public List<Contact> contacts() throws CipherTalkException {
      check();
      return List.copyOf(contacts.values());
    }

    @Override
    public void removeContact(String userId) throws CipherTalkException {
      check();
      contacts.remove(userId);
    }

    @Override
    public void block(String userId, boolean blocked) throws CipherTalkException {
      check();
      Contact c = contacts.getOrDefault(userId, new Contact(userId, "", false));
      contacts.put(userId, new Contact(userId, c.nickname(), blocked));
    }

    @Override
    public Map<String, Presence> presence(Collection<String> userIds) throws CipherTalkException {
      synchronized (FakeHub.this) {
        check();
        Map<String, Presence> out = new HashMap<>();
        for (String u : userIds) {
          boolean on = online.keySet().stream().anyMatch(d -> d.userId().equals(u));
          out.put(u, new Presence(u, on, Optional.ofNullable(lastSeen.get(u))));
        }
        return out;
      }
    }

    @Override
    public void close() {
      disconnect();
    }
  }
}
