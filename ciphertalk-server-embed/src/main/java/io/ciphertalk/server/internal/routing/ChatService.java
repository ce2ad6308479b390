package io.ciphertalk.server.internal.routing;

import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.account.DeviceCertificate;
import io.ciphertalk.crypto.account.InvalidCertificateException;
import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.store.Accounts;
import io.ciphertalk.server.internal.store.Database;
import io.ciphertalk.server.internal.store.Devices;
import io.ciphertalk.server.internal.store.GroupCommitter;
import io.ciphertalk.server.internal.store.Messages;
import io.ciphertalk.server.internal.store.Rooms;
import java.time.Clock;
import java.util.ArrayList;
import io.ciphertalk.core.model.PrivateRoomId;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms, membership and roles, contacts and blocks, the prekey directory and history reads, with
 * their access rules. Mutations go through the writer (serialised with sends, so a removed member
 * cannot slip a message in after removal); reads use the database directly. Every method blocks on
 * I/O: call from a request pool, never from a network thread. Thread-safe.
 */
public final class ChatService {
  private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);
  public static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> ROLES = Set.of("owner", "admin", "member");

  private final Database db;
  private final GroupCommitter writer;
  private final Router router;
  private final Clock clock;
  private final RandomSource random;
  private final int maxRoomMembers;
  private final int prekeyLowThreshold;

  public ChatService(
      Database db, GroupCommitter writer, Router router, Clock clock, RandomSource random, int maxRoomMembers,
      int prekeyLowThreshold) {
    this.db = db;
    this.writer = writer;
    this.router = router;
    this.clock = clock;
    this.random = random;
    this.maxRoomMembers = maxRoomMembers;
    this.prekeyLowThreshold = prekeyLowThreshold;
  }

  /** A room as its members see it. */
  public record RoomView(Rooms.Room room, List<Rooms.Member> members) {}

  private <R> R write(GroupCommitter.Work<R> work) {
    try {
      return writer.submit(work).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- rooms

  /**
   * Creates a room owned by {@code owner}. A {@code private} room has exactly two members, owner and
   * one other; its id, when not given, is derived from the two names so it is found again.
   */
  public RoomView createRoom(
      String owner, String roomId, String kind, String name, String description, List<String> members, Integer maxMembers) {
    String k = kind == null ? "group" : kind;
    if (!k.equals("group") && !k.equals("private")) {
      throw ServiceException.badRequest("kind must be 'group' or 'private'");
    }
    Set<String> invitees = new LinkedHashSet<>(members == null ? List.of() : members);
    invitees.remove(owner);
    int max = maxMembers == null ? maxRoomMembers : maxMembers;
    if (max < 2 || max > maxRoomMembers) {
      throw ServiceException.badRequest("max members must be 2.." + maxRoomMembers);
    }
    if (k.equals("private")) {
      if (invitees.size() != 1) {
        throw ServiceException.badRequest("a private room has exactly one other member");
      }
      max = 2;
    }
    if (invitees.size() + 1 > max) {
      throw new ServiceException("room_full", 409, "too many members for this room");
    }
    String id = roomId;
    if (k.equals("private")) {
      // Only the canonical id: nobody can squat the id of another pair's private room.
      String canonical = privateRoomId(owner, invitees.iterator().next());
      if (id != null && !id.isBlank() && !id.equals(canonical)) {
        throw ServiceException.badRequest("the private room of these users has id " + canonical);
      }
      id = canonical;
    } else if (id == null || id.isBlank()) {
      id = "g-" + HexFormat.of().formatHex(random.bytes(12));
    } else if (id.startsWith(PrivateRoomId.PREFIX)) {
      throw ServiceException.badRequest("room ids starting with '" + PrivateRoomId.PREFIX
          + "' are reserved for private rooms");
    }
    if (!ROOM_ID.matcher(id).matches() || id.chars().noneMatch(Character::isLetterOrDigit)) {
      throw new ServiceException("invalid_field", 400,
          "room id must match " + ROOM_ID.pattern() + " with at least one letter or digit");
    }
    String rid = id;
    int cap = max;
    String title = name == null ? rid : limit(name, 128, "name");
    String desc = description == null ? "" : limit(description, 512, "description");
    RoomView view = write(h -> {
      for (String u : invitees) {
        if (!Accounts.exists(h, u)) {
          throw ServiceException.notFound("no such user: " + u);
        }
        if (Rooms.isBlocked(h, u, owner)) {
          throw ServiceException.forbidden("blocked", u + " does not accept invitations from you");
        }
      }
      router.invalidateRoom(rid);
      if (k.equals("private")) {
        // Creating the private room of a pair again returns the existing one, and only that.
        Optional<Rooms.Room> existing = Rooms.find(h, rid);
        if (existing.isPresent()) {
          List<Rooms.Member> present = Rooms.members(h, rid);
          Set<String> users = new java.util.HashSet<>();
          present.forEach(m -> users.add(m.userId()));
          if (existing.get().kind().equals("private")
              && users.equals(Set.of(owner, invitees.iterator().next()))) {
            // Opening the 1:1 chat oneself accepts the other's invitation.
            Rooms.accept(h, rid, owner);
            return new RoomView(existing.get(), Rooms.members(h, rid));
          }
          throw new ServiceException("room_exists", 409, "room " + rid + " exists with other members");
        }
      }
      if (!Rooms.create(h, rid, k, title, desc, cap, owner, clock.millis())) {
        throw new ServiceException("room_exists", 409, "room already exists");
      }
      for (String u : invitees) {
        Rooms.addMember(h, rid, u, "member", clock.millis(), false); // pending until they accept
      }
      return new RoomView(Rooms.find(h, rid).orElseThrow(), Rooms.members(h, rid));
    });
    router.roomEvent(view, "CREATED", owner, List.copyOf(invitees), ids(view));
    return view;
  }

  /** The canonical id of the private room of two users ({@link PrivateRoomId}). */
  static String privateRoomId(String a, String b) {
    return PrivateRoomId.of(a, b);
  }

  /** The room if {@code user} is a member; {@code not_member} otherwise (also for unknown rooms). */
  public RoomView getRoom(String user, String roomId) {
    return db.withHandle(h -> {
      Optional<Rooms.Room> r = Rooms.find(h, roomId);
      if (r.isEmpty() || Rooms.member(h, roomId, user).isEmpty()) {
        throw ServiceException.forbidden("not_member", "you are not a member of this room");
      }
      return new RoomView(r.get(), Rooms.members(h, roomId));
    });
  }

  public List<RoomView> listRooms(String user) {
    return db.withHandle(h -> {
      List<RoomView> out = new ArrayList<>();
      for (Rooms.Room r : Rooms.listForUser(h, user)) {
        out.add(new RoomView(r, Rooms.members(h, r.roomId())));
      }
      return out;
    });
  }

  private static Rooms.Member requireRole(org.jdbi.v3.core.Handle h, String roomId, String user, Set<String> roles) {
    Rooms.Member m = Rooms.member(h, roomId, user)
        .orElseThrow(() -> ServiceException.forbidden("not_member", "you are not a member of this room"));
    if (!roles.contains(m.role())) {
      throw ServiceException.forbidden("forbidden", "your role may not do this");
    }
    return m;
  }

  /** Rooms {@code user} was added to by someone else and has not accepted yet. */
  public List<RoomView> pendingInvites(String user) {
    return db.withHandle(h -> {
      List<RoomView> out = new ArrayList<>();
      for (Rooms.Room r : Rooms.pendingForUser(h, user)) {
        out.add(new RoomView(r, Rooms.members(h, r.roomId())));
      }
      return out;
    });
  }

  /**
   * Accepts a pending invitation: from now on the room makes {@code user} and its other accepted
   * members see each other's presence, and counts as a relationship for one-time prekeys.
   * {@code not_found} if there is no pending invitation to that room.
   */
  public RoomView acceptInvite(String user, String roomId) {
    return write(h -> {
      if (!Rooms.accept(h, roomId, user)) {
        throw ServiceException.notFound("no pending invitation to this room");
      }
      return new RoomView(Rooms.find(h, roomId).orElseThrow(), Rooms.members(h, roomId));
    });
  }

  /** Declines a pending invitation: leaves the room. {@code not_found} if none is pending. */
  public void declineInvite(String user, String roomId) {
    boolean pending = db.withHandle(h -> Rooms.pendingForUser(h, user).stream()
        .anyMatch(r -> r.roomId().equals(roomId)));
    if (!pending) {
      throw ServiceException.notFound("no pending invitation to this room");
    }
    leave(user, roomId);
  }

  public RoomView invite(String actor, String roomId, String invitee) {
    return invite(actor, roomId, List.of(invitee));
  }

  /** Adds users to a group room (admin or owner); all or none are added. */
  public RoomView invite(String actor, String roomId, List<String> invitees) {
    RoomView view = write(h -> {
      router.invalidateRoom(roomId);
      Rooms.Room room = Rooms.find(h, roomId)
          .orElseThrow(() -> ServiceException.forbidden("not_member", "you are not a member of this room"));
      requireRole(h, roomId, actor, Set.of("owner", "admin"));
      if (room.kind().equals("private")) {
        throw ServiceException.forbidden("forbidden", "private rooms have fixed members");
      }
      for (String invitee : new LinkedHashSet<>(invitees)) {
        if (!Accounts.exists(h, invitee)) {
          throw ServiceException.notFound("no such user: " + invitee);
        }
        if (Rooms.isBlocked(h, invitee, actor)) {
          throw ServiceException.forbidden("blocked", invitee + " does not accept invitations from you");
        }
        if (Rooms.member(h, roomId, invitee).isPresent()) {
          throw new ServiceException("already_member", 409, invitee + " is already a member");
        }
        if (Rooms.memberCount(h, roomId) >= room.maxMembers()) {
          throw new ServiceException("room_full", 409, "the room is full");
        }
        Rooms.addMember(h, roomId, invitee, "member", clock.millis(), false); // pending until they accept
      }
      return new RoomView(Rooms.find(h, roomId).orElseThrow(), Rooms.members(h, roomId));
    });
    router.roomEvent(view, "MEMBERS_ADDED", actor, List.copyOf(new LinkedHashSet<>(invitees)), ids(view));
    return view;
  }

  public RoomView remove(String actor, String roomId, String target) {
    List<String> before = new ArrayList<>();
    RoomView view = write(h -> {
      router.invalidateRoom(roomId);
      Rooms.Member me = requireRole(h, roomId, actor, Set.of("owner", "admin"));
      Rooms.Member them = Rooms.member(h, roomId, target)
          .orElseThrow(() -> ServiceException.notFound(target + " is not a member"));
      if (them.role().equals("owner") || (them.role().equals("admin") && !me.role().equals("owner"))) {
        throw ServiceException.forbidden("forbidden", "you may not remove this member");
      }
      Rooms.members(h, roomId).forEach(m -> before.add(m.userId()));
      Rooms.removeMember(h, roomId, target);
      return new RoomView(Rooms.find(h, roomId).orElseThrow(), Rooms.members(h, roomId));
    });
    router.roomEvent(view, "MEMBER_REMOVED", actor, List.of(target), before);
    return view;
  }

  /** Leaves a room; an owner who leaves hands ownership to an admin or the oldest member; an empty room is deleted. */
  public void leave(String user, String roomId) {
    List<String> before = new ArrayList<>();
    RoomView view = write(h -> {
      router.invalidateRoom(roomId);
      RoomView prior = Rooms.find(h, roomId).map(r -> new RoomView(r, Rooms.members(h, roomId))).orElse(null);
      Rooms.Member me = Rooms.member(h, roomId, user)
          .orElseThrow(() -> ServiceException.forbidden("not_member", "you are not a member of this room"));
      Rooms.members(h, roomId).forEach(m -> before.add(m.userId()));
      Rooms.removeMember(h, roomId, user);
      List<Rooms.Member> rest = Rooms.members(h, roomId);
      if (rest.isEmpty()) {
        Rooms.delete(h, roomId);
        return new RoomView(prior.room(), List.of());
      } else if (me.role().equals("owner")) {
        Rooms.Member heir = rest.stream().filter(m -> m.role().equals("admin")).findFirst()
            .orElse(rest.stream().min(java.util.Comparator.comparingLong(Rooms.Member::joinedAt)).orElseThrow());
        Rooms.setRole(h, roomId, heir.userId(), "owner");
      }
      return new RoomView(Rooms.find(h, roomId).orElseThrow(), Rooms.members(h, roomId));
    });
    router.roomEvent(view, "MEMBER_LEFT", user, List.of(user), before);
  }

  public RoomView setRole(String actor, String roomId, String target, String role) {
    if (!ROLES.contains(role) || role.equals("owner")) {
      throw ServiceException.badRequest("role must be 'admin' or 'member'");
    }
    RoomView view = write(h -> {
      requireRole(h, roomId, actor, Set.of("owner"));
      Rooms.Member them = Rooms.member(h, roomId, target)
          .orElseThrow(() -> ServiceException.notFound(target + " is not a member"));
      if (them.role().equals("owner")) {
        throw ServiceException.forbidden("forbidden", "the owner's role cannot change");
      }
      Rooms.setRole(h, roomId, target, role);
      return new RoomView(Rooms.find(h, roomId).orElseThrow(), Rooms.members(h, roomId));
    });
    router.roomEvent(view, "ROLE_CHANGED", actor, List.of(target), ids(view));
    return view;
  }

  public RoomView rename(String actor, String roomId, String name, String description) {
    String n = name == null ? null : limit(name, 128, "name");
    String d = description == null ? null : limit(description, 512, "description");
    RoomView view = write(h -> {
      requireRole(h, roomId, actor, Set.of("owner", "admin"));
      Rooms.rename(h, roomId, n, d);
      return new RoomView(Rooms.find(h, roomId).orElseThrow(), Rooms.members(h, roomId));
    });
    router.roomEvent(view, "RENAMED", actor, List.of(), ids(view));
    return view;
  }

  private static List<String> ids(RoomView v) {
    return v.members().stream().map(Rooms.Member::userId).toList();
  }

  /**
   * Display text shared by the WebSocket and REST paths (room names, descriptions, nicknames): at
   * most {@code max} characters, no control characters (NUL, line breaks) and no bidirectional
   * formatting characters (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C), which make a name
   * render as something else.
   */
  private static String limit(String s, int max, String what) {
    if (s.length() > max) {
      throw new ServiceException("field_too_large", 400, what + " longer than " + max + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
          || c == '\u200E' || c == '\u200F' || c == '\u061C') {
        throw new ServiceException("invalid_field", 400,
            what + " must not contain control or bidirectional formatting characters");
      }
    }
    return s;
  }

  // ---------------------------------------------------------------- history

  /**
   * Timeline entries of a room after {@code afterSeq} the member may read (never before they joined,
   * never expired), oldest first. Blocked senders are left out.
   */
  public List<Messages.RoomRow> history(String user, String roomId, long afterSeq, int limit) {
    return db.withHandle(h -> {
      Rooms.Member m = Rooms.member(h, roomId, user)
          .orElseThrow(() -> ServiceException.forbidden("not_member", "you are not a member of this room"));
      Set<String> blocked = Set.copyOf(Rooms.blockedBy(h, user));
      return Messages.roomAfter(h, roomId, Math.max(afterSeq, m.joinedSeq()), clock.millis(), limit).stream()
          .filter(r -> !blocked.contains(r.senderUser())).toList();
    });
  }

  /** The most recent {@code limit} entries the member may read. */
  public List<Messages.RoomRow> recent(String user, String roomId, int limit) {
    return db.withHandle(h -> {
      Rooms.Member m = Rooms.member(h, roomId, user)
          .orElseThrow(() -> ServiceException.forbidden("not_member", "you are not a member of this room"));
      Set<String> blocked = Set.copyOf(Rooms.blockedBy(h, user));
      return Messages.roomRecent(h, roomId, m.joinedSeq(), clock.millis(), limit).stream()
          .filter(r -> !blocked.contains(r.senderUser())).toList();
    });
  }

  public int prekeyLowThreshold() {
    return prekeyLowThreshold;
  }

  /** The device stream after {@code afterSeq} (history of undelivered 1:1 envelopes). */
  public List<Messages.DirectRow> directAfter(String user, int device, long afterSeq, int limit) {
    return db.withHandle(h -> Messages.directAfter(h, user, device, afterSeq, clock.millis(), limit));
  }

  /** Undelivered 1:1 envelopes for the device in a room (REST view). */
  public List<Messages.DirectRow> pendingDirect(String user, int device, String roomId, int limit) {
    return db.withHandle(h -> Messages.pendingDirect(h, user, device, clock.millis(), Set.of(), limit)).stream()
        .filter(r -> roomId == null || roomId.equals(r.roomId())).toList();
  }

  // ---------------------------------------------------------------- contacts

  public void addContact(String owner, String contact, String nickname) {
    if (owner.equals(contact)) {
      throw ServiceException.badRequest("cannot add yourself");
    }
    String nick = nickname == null ? null : limit(nickname, 64, "nickname");
    write(h -> {
      if (!Accounts.exists(h, contact)) {
        throw ServiceException.notFound("no such user: " + contact);
      }
      Rooms.upsertContact(h, owner, contact, nick, null, clock.millis());
      return null;
    });
  }

  public List<Rooms.Contact> contacts(String owner) {
    return db.withHandle(h -> Rooms.contacts(h, owner));
  }

  public boolean removeContact(String owner, String contact) {
    return write(h -> Rooms.removeContact(h, owner, contact));
  }

  public void block(String owner, String contact, boolean blocked) {
    if (owner.equals(contact)) {
      throw ServiceException.badRequest("cannot block yourself");
    }
    write(h -> {
      if (!Accounts.exists(h, contact)) {
        throw ServiceException.notFound("no such user: " + contact);
      }
      Rooms.upsertContact(h, owner, contact, null, blocked, clock.millis());
      return null;
    });
    router.resync(owner);
  }

  // ---------------------------------------------------------------- prekeys

  /** Publishes a device's public keys and one-time prekeys; returns the number of one-time prekeys stored. */
  public int publishKeys(
      String user, int device, byte[] identityKey, byte[] signedPrekey, byte[] kemPrekey, byte[] rsaPrekey,
      List<Devices.OneTimePrekey> oneTime) {
    return publishKeys(user, device, identityKey, signedPrekey, kemPrekey, rsaPrekey, null, oneTime);
  }

  /**
   * Publishes a device's keys and, optionally, its certificate. The server cannot make or check a
   * certificate's authority (it has no account key; clients check against the key they pinned),
   * but it refuses one that is malformed, names another device or identity key, or is signed by
   * another account key than the account's other certified devices: an honest server thus keeps
   * its directory consistent, and a token thief cannot slip in a device certified by a key of its own.
   */
  public int publishKeys(
      String user, int device, byte[] identityKey, byte[] signedPrekey, byte[] kemPrekey, byte[] rsaPrekey,
      byte[] certificate, List<Devices.OneTimePrekey> oneTime) {
    return publishKeys(user, device, identityKey, signedPrekey, kemPrekey, rsaPrekey, certificate, oneTime,
        List.of());
  }

  /**
   * As above, with signed one-time KEM prekeys ({@code kemPrekey} is the last-resort one). Returns the
   * one-time prekeys left as {@link Devices#oneTimePrekeysLeft} counts them.
   */
  public int publishKeys(
      String user, int device, byte[] identityKey, byte[] signedPrekey, byte[] kemPrekey, byte[] rsaPrekey,
      byte[] certificate, List<Devices.OneTimePrekey> oneTime, List<Devices.OneTimeKemPrekey> oneTimeKem) {
    boolean[] appeared = new boolean[1];
    int left = write(h -> {
      Optional<Devices.Device> current = Devices.find(h, user, device);
      if (identityKey != null && current.isPresent() && current.get().identityKey() != null
          && !java.security.MessageDigest.isEqual(current.get().identityKey(), identityKey)) {
        throw new ServiceException("conflict", 409,
            "this device already has a different identity key; register a new device id");
      }
      if (certificate != null) {
        byte[] ik = identityKey != null ? identityKey
            : current.map(Devices.Device::identityKey).orElse(null);
        checkCertificate(h, user, device, ik, certificate);
      }
      appeared[0] = (identityKey != null && (current.isEmpty() || current.get().identityKey() == null))
          || (certificate != null && (current.isEmpty() || current.get().certificate() == null));
      Devices.publishKeys(h, user, device, identityKey, signedPrekey, kemPrekey, rsaPrekey, certificate,
          clock.millis());
      Devices.addOneTimePrekeys(h, user, device, oneTime);
      Devices.addOneTimeKemPrekeys(h, user, device, oneTimeKem);
      return Devices.oneTimePrekeysLeft(h, user, device);
    });
    if (appeared[0]) {
      // A device joined the directory: the account's other devices and its contacts look at it
      // now (and refuse it at once if no account key certified it).
      router.devicesChanged(user, device);
    }
    return left;
  }

  private static void checkCertificate(org.jdbi.v3.core.Handle h, String user, int device, byte[] identityKey,
      byte[] certificate) {
    DeviceCertificate cert;
    try {
      cert = DeviceCertificate.deserialize(certificate);
    } catch (InvalidCertificateException e) {
      throw ServiceException.badRequest("certificate: " + e.getMessage());
    }
    if (!cert.address().userId().equals(user) || cert.address().deviceId() != device) {
      throw ServiceException.badRequest("certificate is for " + cert.address() + ", not " + user + "." + device);
    }
    if (identityKey == null || !java.util.Arrays.equals(cert.identityKey().serialize(), identityKey)) {
      throw ServiceException.badRequest("certificate does not certify this device's identity key");
    }
    for (Devices.Device other : Devices.list(h, user)) {
      if (other.deviceId() == device || other.certificate() == null) {
        continue;
      }
      try {
        if (!DeviceCertificate.deserialize(other.certificate()).accountKey().equals(cert.accountKey())) {
          throw new ServiceException("conflict", 409,
              "certificate is signed by another account key than the account's other devices; link"
                  + " this device from one of them");
        }
      } catch (InvalidCertificateException e) {
        LOG.warn("stored certificate of {}.{} no longer parses", user, other.deviceId());
      }
    }
  }

  /**
   * Applies a device revocation published by {@code user}: it must be a valid revocation of one of
   * {@code user}'s devices that revokes exactly that device's current certificate (so it is signed
   * by the same account key). The device is deleted and refused from then on.
   */
  public int revokeDevice(String user, byte[] revocation, DeviceSession requester) {
    io.ciphertalk.crypto.account.DeviceRevocation r;
    try {
      r = io.ciphertalk.crypto.account.DeviceRevocation.deserialize(revocation);
    } catch (InvalidCertificateException e) {
      throw ServiceException.badRequest("revocation: " + e.getMessage());
    }
    if (!r.address().userId().equals(user)) {
      throw ServiceException.forbidden("forbidden", "a device can only revoke devices of its own account");
    }
    write(h -> {
      Devices.Device d = Devices.find(h, user, r.address().deviceId())
          .orElseThrow(() -> ServiceException.notFound("no device " + r.address()));
      DeviceCertificate cert;
      try {
        cert = d.certificate() == null ? null : DeviceCertificate.deserialize(d.certificate());
      } catch (InvalidCertificateException e) {
        cert = null;
      }
      if (cert == null || !r.revokes(cert)) {
        throw ServiceException.badRequest("revocation does not revoke the current certificate of " + r.address());
      }
      Devices.revoke(h, user, r.address().deviceId(), revocation, clock.millis());
      return null;
    });
    router.deviceRevoked(user, r.address().deviceId(), requester);
    return r.address().deviceId();
  }

  /** Whether {@code user}'s device {@code deviceId} was revoked (such a device is refused at hello). */
  public boolean isRevoked(String user, int deviceId) {
    return db.withHandle(h -> Devices.isRevoked(h, user, deviceId));
  }

  /** The signed revocations of {@code target}'s devices, served with its bundles. */
  public List<byte[]> revocations(String target) {
    return db.withHandle(h -> Devices.revocations(h, target, 64));
  }

  /**
   * A device's bundle: its public keys plus at most one one-time prekey and one one-time KEM prekey,
   * each handed out exactly once (without the latter, clients use the device's last-resort KEM prekey).
   */
  public record Bundle(Devices.Device device, Devices.OneTimePrekey oneTimePrekey,
      Devices.OneTimeKemPrekey oneTimeKemPrekey) {
    public Bundle(Devices.Device device, Devices.OneTimePrekey oneTimePrekey) {
      this(device, oneTimePrekey, null);
    }
  }

  /**
   * Bundles for every device of {@code target} (or only {@code deviceId} when given). Each fetch
   * consumes one one-time prekey per device; the owner is told when few remain. Blocked requesters
   * get {@code blocked}.
   */
  public List<Bundle> fetchBundles(String requester, String target, Integer deviceId) {
    return fetchBundles(requester, target, deviceId, null, true);
  }

  /**
   * As {@link #fetchBundles(String, String, Integer)}, with {@code guard}'s limits: the requester's
   * fetch rate, and one-time prekeys for requesters outside the target's contacts only within the
   * target's budget (null: no limits). With {@code oneTime} false no one-time prekey is taken: the
   * bundles come without one (listing devices, reading certificates).
   */
  public List<Bundle> fetchBundles(String requester, String target, Integer deviceId, BundleFetchGuard guard,
      boolean oneTime) {
    if (guard != null && !requester.equals(target)) {
      guard.admit(requester);
    }
    List<int[]> low = new ArrayList<>();
    List<Bundle> bundles = write(h -> {
      if (!Accounts.exists(h, target)) {
        throw ServiceException.notFound("no such user: " + target);
      }
      if (!requester.equals(target) && Rooms.isBlocked(h, target, requester)) {
        throw ServiceException.forbidden("blocked", "this user does not accept messages from you");
      }
      boolean known = guard == null || requester.equals(target) || Rooms.hasContact(h, target, requester)
          || Rooms.shareAcceptedRoom(h, target, requester);
      List<Bundle> out = new ArrayList<>();
      for (Devices.Device d : Devices.list(h, target)) {
        if ((deviceId != null && d.deviceId() != deviceId) || d.identityKey() == null || d.signedPrekey() == null) {
          continue;
        }
        boolean mayTake = oneTime && (known || guard.strangerMayTakeOneTime(target));
        Devices.OneTimePrekey otp = mayTake ? Devices.takeOneTimePrekey(h, target, d.deviceId()).orElse(null) : null;
        Devices.OneTimeKemPrekey kem = mayTake && d.kemPrekey() != null
            ? Devices.takeOneTimeKemPrekey(h, target, d.deviceId()).orElse(null) : null;
        int left = Devices.oneTimePrekeysLeft(h, target, d.deviceId());
        if (oneTime && left < prekeyLowThreshold) {
          low.add(new int[] {d.deviceId(), left});
        }
        out.add(new Bundle(d, otp, kem));
      }
      return out;
    });
    for (int[] l : low) {
      router.prekeysLow(target, l[0], l[1]);
    }
    return bundles;
  }
}
