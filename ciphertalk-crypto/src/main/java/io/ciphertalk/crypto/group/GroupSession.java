package io.ciphertalk.crypto.group;

import io.ciphertalk.crypto.AesGcm;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.InvalidSignatureException;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.internal.ChainKdf;
import io.ciphertalk.crypto.group.internal.Limits;
import io.ciphertalk.crypto.group.internal.OwnSenderKey;
import io.ciphertalk.crypto.group.internal.ReceivingChain;
import io.ciphertalk.crypto.group.internal.RoomState;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * One device's group end-to-end encryption state across all its rooms: Sender Keys with epochs
 * (docs/protocol.md, "Groups (Sender Keys)").
 *
 * <p>Per (room, sender device, epoch) there is one sender key: an HMAC-SHA256 symmetric chain that
 * yields a fresh AES-256-GCM key and nonce per message (RFC 2104, RFC 5869, NIST SP 800-38D) and an
 * Ed25519 signing key (RFC 8032). Each message (format v2) also carries a fresh random 96-bit nonce
 * that salts its key derivation, so even a rolled-back state never repeats a (key, nonce) pair.
 * {@link #encrypt} encrypts a message once for the whole room and
 * signs it, so the sender's cost does not depend on the room's size; {@link #decrypt} checks the
 * signature before it decrypts. Sender keys travel as {@link SenderKeyDistributionMessage}s inside
 * the pairwise 1:1 sessions.
 *
 * <p><b>Membership and epochs.</b> The caller tells the session what the room's membership is, from
 * the room's authoritative membership log: {@link #startEpoch} when this device joins, {@link
 * #nextEpoch} when a member is removed or leaves (the next epoch, with the remaining members; send
 * the returned distribution message to each other member device), {@link #startEpoch} with a
 * member's announced epoch to follow it; a member can move the room at most {@link #MAX_EPOCH_STEP}
 * ahead at once and never past {@link #MAX_EPOCH}, so no member can choose an epoch that makes a
 * later rotation impossible; {@link #addMembers} when devices are added (no new epoch: the newcomers get the
 * current chain states and so cannot read earlier messages). A new epoch uses freshly generated
 * keys that are sent only to its members, so a removed device cannot read it whatever it saved.
 *
 * <p><b>Grace.</b> After a rotation the previous epoch's receiving chains stay usable for messages
 * still in flight, for at most {@link Builder#gracePeriod} (default {@link #DEFAULT_GRACE_PERIOD}) by
 * the injected clock and at most {@link Builder#graceMessages} (default {@link
 * #DEFAULT_GRACE_MESSAGES}) further messages per sender; only one previous epoch is kept. Then they
 * are wiped and such messages fail with {@link EpochExpiredException}.
 *
 * <p><b>Failures</b> are typed {@link CryptoException}s and never change state (the only change not
 * caused by a successful call is the clock-driven wipe of a previous epoch whose grace ran out): the
 * next chain step is computed aside and committed only after signature and AEAD tag verified.
 *
 * <p><b>Persistence.</b> {@link #exportRoom} / {@link #importRoom} give a versioned byte format per
 * room. Persist a room's state after {@link #encrypt} and before sending the message: restoring an
 * older state repeats chain steps (receivers reject those messages as duplicates), though never a
 * (key, nonce) pair, since every message draws a fresh nonce that salts its key.
 *
 * <p>Thread-safe (one lock per session). Arguments must not be null unless stated. Room ids are 1
 * to 128 printable ASCII characters without spaces.
 */
public final class GroupSession {
  /** Most message keys derived past a gap in one sender chain, and most kept per chain. */
  public static final int MAX_SKIP = 2_000;
  /** Most skipped message keys kept per room, across all senders and both epochs. */
  public static final int MAX_SKIPPED_KEYS_PER_ROOM = 20_000;
  /** Most member devices in a room. */
  public static final int MAX_MEMBERS = 1_000;
  /** Longest plaintext in bytes. */
  public static final int MAX_PLAINTEXT_LENGTH = 65_536;
  /** Most deferred distribution messages kept per room (oldest dropped first). */
  public static final int MAX_DEFERRED_DISTRIBUTIONS = 1_000;
  /** Most rooms held only for deferred distribution messages before this device joined them. */
  public static final int MAX_UNJOINED_ROOMS = 64;
  /**
   * Largest epoch: 2^53 - 1, exact in every JSON/JavaScript number. Larger epochs are malformed;
   * a room at this epoch cannot rotate ({@link EpochOutOfRangeException}).
   */
  public static final long MAX_EPOCH = (1L << 53) - 1;
  /**
   * Furthest a distribution message may move a joined room's epoch ahead in one go. A member who
   * announces epochs can push the room forward by at most this much per announcement (each needs
   * every member to rotate), so reaching {@link #MAX_EPOCH} would take 2^43 rounds.
   */
  public static final long MAX_EPOCH_STEP = 1_024;
  /** Default time the previous epoch stays decryptable after a rotation. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofMinutes(5);
  /** Default number of previous-epoch messages accepted per sender after a rotation. */
  public static final int DEFAULT_GRACE_MESSAGES = 500;

  private final DeviceAddress local;
  private final RandomSource random;
  private final Clock clock;
  private final long graceMillis;
  private final int graceMessages;
  private final LinkedHashMap<String, RoomState> rooms = new LinkedHashMap<>();

  private GroupSession(Builder b) {
    this.local = b.localAddress;
    this.random = b.random;
    this.clock = b.clock;
    this.graceMillis = b.gracePeriod.toMillis();
    this.graceMessages = b.graceMessages;
  }

  /** A builder; {@link Builder#localAddress} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The device this session belongs to. */
  public DeviceAddress localAddress() {
    return local;
  }

  /**
   * Enters {@code epoch} of {@code roomId} with exactly {@code members} (which must include this
   * device): on joining a room, and after a member was removed or left. Generates a fresh sender key,
   * moves the previous epoch into its grace, applies deferred distributions that are now valid, and
   * returns this device's distribution message, to be sent over the pairwise session to every other
   * device in {@code members}.
   *
   * @throws IllegalArgumentException if the room id, epoch or member set is invalid, {@code epoch}
   *     is beyond {@link #MAX_EPOCH}, or, for a joined room, not larger than its current epoch or
   *     more than {@link #MAX_EPOCH_STEP} ahead of it
   */
  public synchronized SenderKeyDistributionMessage startEpoch(
      String roomId, long epoch, Set<DeviceAddress> members) {
    checkRoomId(roomId);
    if (epoch < 0 || epoch > MAX_EPOCH) {
      throw new IllegalArgumentException("epoch must be 0 to " + MAX_EPOCH + ": " + epoch);
    }
    Set<DeviceAddress> m = checkMembers(members);
    if (!m.contains(local)) {
      throw new IllegalArgumentException("members must include this device " + local);
    }
    RoomState room = rooms.get(roomId);
    if (room != null && room.joined() && epoch <= room.epoch()) {
      throw new IllegalArgumentException(
          "epoch must grow: room " + roomId + " is at " + room.epoch() + ", got " + epoch);
    }
    if (room != null && room.joined() && epoch - room.epoch() > MAX_EPOCH_STEP) {
      throw new IllegalArgumentException("epoch " + epoch + " is more than " + MAX_EPOCH_STEP
          + " ahead of room " + roomId + "'s " + room.epoch());
    }
    if (room == null) {
      room = new RoomState(local, roomId);
      rooms.put(roomId, room);
    }
    room.enterEpoch(epoch, m, OwnSenderKey.generate(random), clock.millis(), graceMessages);
    applyDeferred(room);
    return distribution(room);
  }

  /**
   * Moves a joined room to the next epoch ({@code Math.addExact(current, 1)}) with exactly {@code
   * members}, as {@link #startEpoch} does: after a member device was removed or left.
   *
   * @throws EpochOutOfRangeException if the room is at {@link #MAX_EPOCH}; the room is unchanged,
   *     so the caller must not send (its old epoch is readable by the removed device)
   * @throws IllegalStateException if this device has not joined the room
   * @throws IllegalArgumentException if the member set is invalid
   */
  public synchronized SenderKeyDistributionMessage nextEpoch(
      String roomId, Set<DeviceAddress> members) throws EpochOutOfRangeException {
    RoomState room = joinedRoom(roomId);
    long next;
    try {
      next = Math.addExact(room.epoch(), 1);
    } catch (ArithmeticException e) {
      next = Long.MAX_VALUE; // unreachable while epochs are <= MAX_EPOCH; refused below
    }
    if (room.epoch() >= MAX_EPOCH || next > MAX_EPOCH) {
      throw new EpochOutOfRangeException(roomId, room.epoch(), room.epoch(),
          "the epoch space is exhausted; the room cannot rotate");
    }
    return startEpoch(roomId, next, members);
  }

  /**
   * Adds member devices to the current epoch (no rotation) and returns this device's distribution
   * message at its current iteration, to be sent to each added device only. Applies deferred
   * distributions from the added devices.
   *
   * @throws IllegalStateException if this device has not joined the room
   * @throws IllegalArgumentException if the room would exceed {@link #MAX_MEMBERS}
   */
  public synchronized SenderKeyDistributionMessage addMembers(
      String roomId, Set<DeviceAddress> newMembers) {
    RoomState room = joinedRoom(roomId);
    Set<DeviceAddress> m = checkMembers(newMembers);
    TreeSet<DeviceAddress> union = new TreeSet<>(room.members());
    union.addAll(m);
    if (union.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException("room " + roomId + " would exceed " + MAX_MEMBERS + " members");
    }
    room.addMembers(m);
    applyDeferred(room);
    return distribution(room);
  }

  /**
   * This device's distribution message for the room at its current iteration, e.g. to resend to a
   * member who lost it.
   *
   * @throws IllegalStateException if this device has not joined the room
   */
  public synchronized SenderKeyDistributionMessage currentDistribution(String roomId) {
    return distribution(joinedRoom(roomId));
  }

  /**
   * Installs another member's sender key from a distribution message received over the pairwise
   * session with {@code from} (the session's authenticated peer).
   *
   * @return whether it was installed, already known, or deferred until it becomes valid
   * @throws InvalidGroupMessageException if malformed
   * @throws InvalidSignatureException if altered (its self-signature does not verify)
   * @throws UnknownSenderException if it names a sender other than {@code from}
   * @throws EpochExpiredException if its epoch is older than the room's current epoch
   * @throws EpochOutOfRangeException if its epoch is more than {@link #MAX_EPOCH_STEP} ahead of
   *     the room's current epoch
   * @throws IllegalArgumentException if {@code from} is this device
   */
  public synchronized DistributionResult processDistribution(DeviceAddress from, byte[] distribution)
      throws CryptoException {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(distribution, "distribution");
    if (from.equals(local)) {
      throw new IllegalArgumentException("a distribution message cannot come from this device");
    }
    SenderKeyDistributionMessage d = SenderKeyDistributionMessage.parse(distribution);
    try {
      if (!d.sender().equals(from)) {
        throw new UnknownSenderException(
            d.roomId(), d.sender(), "distribution message arrived over the session with " + from);
      }
      RoomState room = rooms.get(d.roomId());
      if (room == null) {
        evictUnjoinedRooms();
        room = new RoomState(local, d.roomId());
        rooms.put(d.roomId(), room);
      }
      if (!room.joined()) {
        room.defer(from, d.epoch(), distribution, MAX_DEFERRED_DISTRIBUTIONS);
        return DistributionResult.DEFERRED;
      }
      if (d.epoch() - room.epoch() > MAX_EPOCH_STEP) {
        throw new EpochOutOfRangeException(d.roomId(), d.epoch(), room.epoch(),
            "a distribution message may move the room at most " + MAX_EPOCH_STEP + " epochs ahead");
      }
      if (d.epoch() < room.epoch()) {
        throw new EpochExpiredException(d.roomId(), d.epoch(), room.epoch(),
            "distribution messages are accepted for the current epoch only");
      }
      if (d.epoch() > room.epoch() || !room.members().contains(from)) {
        room.defer(from, d.epoch(), distribution, MAX_DEFERRED_DISTRIBUTIONS);
        return DistributionResult.DEFERRED;
      }
      return install(room, d);
    } finally {
      d.wipe();
    }
  }

  private static DistributionResult install(RoomState room, SenderKeyDistributionMessage d) {
    ReceivingChain existing = room.chain(d.sender());
    if (existing != null && existing.chainId() == d.chainId()) {
      return DistributionResult.ALREADY_KNOWN;
    }
    room.putChain(d.sender(),
        new ReceivingChain(d.chainId(), d.iteration(), d.iteration(), d.chainKey(), d.signingKey()));
    return DistributionResult.ACCEPTED;
  }

  private void applyDeferred(RoomState room) {
    for (Map.Entry<DeviceAddress, byte[]> e : room.takeApplicablePending()) {
      try {
        SenderKeyDistributionMessage d = SenderKeyDistributionMessage.parse(e.getValue());
        try {
          if (d.sender().equals(e.getKey()) && d.roomId().equals(room.roomId())) {
            install(room, d);
          }
        } finally {
          d.wipe();
        }
      } catch (CryptoException ignored) {
        // It verified when it was deferred; a stored copy that no longer parses is simply dropped.
      } finally {
        Arrays.fill(e.getValue(), (byte) 0);
      }
    }
  }

  private void evictUnjoinedRooms() {
    int unjoined = 0;
    for (RoomState r : rooms.values()) {
      if (!r.joined()) {
        unjoined++;
      }
    }
    Iterator<RoomState> it = rooms.values().iterator();
    while (unjoined >= MAX_UNJOINED_ROOMS && it.hasNext()) {
      RoomState r = it.next();
      if (!r.joined()) {
        r.wipe();
        it.remove();
        unjoined--;
      }
    }
  }

  /**
   * Encrypts {@code plaintext} once for the whole room under this device's current sender key,
   * signs it, and advances the chain.
   *
   * @param messageId 16 bytes chosen by the caller (unique per message), bound into the message
   * @param expiresAtEpochMillis when the message self-destructs (Unix epoch milliseconds), or
   *     {@link GroupMessage#NO_EXPIRY}; bound into the message
   * @throws IllegalStateException if this device has not joined the room
   * @throws IllegalArgumentException if the plaintext is longer than {@link #MAX_PLAINTEXT_LENGTH},
   *     the message id is not 16 bytes, or the expiry is negative
   */
  public synchronized GroupMessage encrypt(
      String roomId, byte[] plaintext, byte[] messageId, long expiresAtEpochMillis)
      throws CryptoException {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(messageId, "messageId");
    if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
      throw new IllegalArgumentException(
          "plaintext of " + plaintext.length + " bytes exceeds " + MAX_PLAINTEXT_LENGTH);
    }
    if (messageId.length != GroupMessage.MESSAGE_ID_LENGTH) {
      throw new IllegalArgumentException("message id must be 16 bytes, got " + messageId.length);
    }
    if (expiresAtEpochMillis < 0) {
      throw new IllegalArgumentException("expiry must not be negative: " + expiresAtEpochMillis);
    }
    RoomState room = joinedRoom(roomId);
    OwnSenderKey own = room.own();
    // Fresh per message, so a rolled-back chain state still never repeats a (key, nonce) pair.
    byte[] nonce = random.bytes(GroupMessage.NONCE_LENGTH);
    byte[] header = GroupMessage.header(roomId, room.epoch(), local, own.chainId(), own.iteration(),
        messageId.clone(), expiresAtEpochMillis, nonce);
    byte[] seed = own.currentSeed();
    SecretBytes key = SecretBytes.wrap(ChainKdf.keyV2(seed, nonce));
    try {
      byte[] ciphertext = AesGcm.create(key).seal(nonce, plaintext, header);
      GroupMessage message = GroupMessage.assemble(header, ciphertext, own.signingKey());
      own.advance();
      return message;
    } finally {
      Arrays.fill(seed, (byte) 0);
      key.wipe();
    }
  }

  /** Opens a message with the key its version derives from {@code seed}. */
  private static byte[] open(GroupMessage message, byte[] seed) throws CryptoException {
    byte[] key;
    byte[] nonce;
    if (message.version() == GroupMessage.VERSION) {
      nonce = message.nonce().orElseThrow();
      key = ChainKdf.keyV2(seed, nonce);
    } else {
      byte[] keyAndNonce = ChainKdf.keyAndNonce(seed);
      key = Arrays.copyOf(keyAndNonce, ChainKdf.KEY_LENGTH);
      nonce = Arrays.copyOfRange(keyAndNonce, ChainKdf.KEY_LENGTH, ChainKdf.KEY_LENGTH + ChainKdf.NONCE_LENGTH);
      Arrays.fill(keyAndNonce, (byte) 0);
    }
    SecretBytes k = SecretBytes.wrap(key);
    try {
      return AesGcm.create(k).open(nonce, message.ciphertext(), message.associatedData());
    } finally {
      k.wipe();
    }
  }

  /**
   * Verifies the sender's signature, then decrypts and commits the chain step.
   *
   * @throws NoSenderKeyException if no key is held for it yet (retry after distribution) or any more
   *     for a message older than the received chain state
   * @throws UnknownSenderException if the sender is not a member of the message's epoch, or is this
   *     device
   * @throws InvalidSignatureException if the signature does not verify (forgery or any altered byte)
   * @throws DuplicateGroupMessageException if the message's key was already used (replay)
   * @throws TooManySkippedMessagesException if it lies more than {@link #MAX_SKIP} ahead
   * @throws EpochExpiredException if its epoch is no longer accepted (grace over)
   * @throws io.ciphertalk.crypto.AuthenticationFailedException if the AEAD tag does not verify
   */
  public synchronized DecryptedGroupMessage decrypt(GroupMessage message) throws CryptoException {
    Objects.requireNonNull(message, "message");
    String roomId = message.roomId();
    DeviceAddress sender = message.sender();
    long epoch = message.epoch();
    RoomState room = rooms.get(roomId);
    if (room == null || !room.joined()) {
      throw new NoSenderKeyException(roomId, sender, epoch, "this device has not joined the room");
    }
    if (sender.equals(local)) {
      throw new UnknownSenderException(roomId, sender, "message claims to come from this device");
    }
    room.expirePrevious(clock.millis(), graceMillis);
    ReceivingChain chain;
    boolean previousEpoch = false;
    if (epoch == room.epoch()) {
      if (!room.members().contains(sender)) {
        throw new UnknownSenderException(roomId, sender, "not a member of epoch " + epoch);
      }
      chain = room.chain(sender);
      if (chain == null) {
        throw new NoSenderKeyException(roomId, sender, epoch, "distribution message not received");
      }
    } else if (epoch > room.epoch()) {
      throw new NoSenderKeyException(roomId, sender, epoch, "this device is still at epoch " + room.epoch());
    } else if (room.previous() != null && epoch == room.previous().epoch()) {
      chain = room.previous().chain(sender);
      if (chain == null) {
        throw new UnknownSenderException(roomId, sender, "no sender key in previous epoch " + epoch);
      }
      previousEpoch = true;
    } else {
      throw new EpochExpiredException(roomId, epoch, room.epoch(),
          room.previous() == null ? "no previous epoch is in its grace" : "older than the previous epoch");
    }
    if (chain.chainId() != message.chainId()) {
      throw new NoSenderKeyException(roomId, sender, epoch, "unknown chain id");
    }
    // Authenticate before any key derivation or decryption.
    chain.signingKey().verify(message.signature(), message.signedInput());
    if (previousEpoch && chain.graceLeft() <= 0) {
      throw new EpochExpiredException(roomId, epoch, room.epoch(), "grace message allowance used up");
    }
    int target = message.iteration();
    if (target < chain.firstIteration()) {
      throw new NoSenderKeyException(roomId, sender, epoch,
          "message predates the chain state this device received");
    }
    long gap = (long) target - chain.iteration();
    if (gap > MAX_SKIP) {
      throw new TooManySkippedMessagesException(roomId, sender, gap);
    }
    ReceivingChain.Step step = chain.prepare(target);
    if (step == null) {
      throw new DuplicateGroupMessageException(roomId, sender, message.messageId());
    }
    byte[] plaintext;
    try {
      plaintext = open(message, step.seed());
    } catch (CryptoException e) {
      step.wipe();
      throw e;
    }
    boolean grew = step.newSkippedCount() > 0;
    chain.commit(step, MAX_SKIP);
    step.wipe();
    if (previousEpoch) {
      chain.setGraceLeft(chain.graceLeft() - 1);
    }
    if (grew) {
      int excess = room.totalSkipped() - MAX_SKIPPED_KEYS_PER_ROOM;
      if (excess > 0) {
        // The chain that just grew pays: one member's gaps never evict another member's keys.
        chain.evictTo(Math.max(0, chain.skippedCount() - excess));
      }
    }
    return new DecryptedGroupMessage(
        roomId, epoch, sender, message.messageId(), message.expiresAtEpochMillis(), plaintext);
  }

  /** The room's current epoch on this device, if it has joined the room. */
  public synchronized OptionalLong currentEpoch(String roomId) {
    RoomState room = rooms.get(roomId);
    return room == null || !room.joined() ? OptionalLong.empty() : OptionalLong.of(room.epoch());
  }

  /** The room's current member devices (a copy; empty if not joined). */
  public synchronized Set<DeviceAddress> members(String roomId) {
    RoomState room = rooms.get(roomId);
    return room == null || !room.joined() ? Set.of() : Set.copyOf(room.members());
  }

  /** Ids of the rooms this session holds state for (joined, or holding deferred distributions). */
  public synchronized Set<String> roomIds() {
    return Set.copyOf(rooms.keySet());
  }

  /**
   * The room's complete state in the versioned format of docs/protocol.md ("Room state (type
   * 0x12)"). It holds secret keys: store it encrypted, and wipe the returned copy when done.
   *
   * @throws IllegalArgumentException if the session holds nothing for the room
   */
  public synchronized SecretBytes exportRoom(String roomId) {
    RoomState room = rooms.get(roomId);
    if (room == null) {
      throw new IllegalArgumentException("no state for room " + roomId);
    }
    // Never persist previous-epoch keys whose grace is over.
    room.expirePrevious(clock.millis(), graceMillis);
    return SecretBytes.wrap(room.serialize());
  }

  /**
   * Restores (replacing) a room's state from {@link #exportRoom} output.
   *
   * @throws InvalidGroupMessageException if the bytes are malformed or beyond a limit
   * @throws IllegalArgumentException if the state belongs to another device
   */
  public synchronized void importRoom(SecretBytes state) throws InvalidGroupMessageException {
    Objects.requireNonNull(state, "state");
    byte[] bytes = state.toByteArray();
    RoomState room;
    try {
      room = RoomState.deserialize(bytes, MAX_MEMBERS, MAX_SKIP, MAX_DEFERRED_DISTRIBUTIONS);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    if (!room.owner().equals(local)) {
      room.wipe();
      throw new IllegalArgumentException("state belongs to " + room.owner() + ", not " + local);
    }
    RoomState old = rooms.put(room.roomId(), room);
    if (old != null) {
      old.wipe();
    }
  }

  /** Wipes and forgets the room (this device left it or was removed). */
  public synchronized void leave(String roomId) {
    RoomState room = rooms.remove(roomId);
    if (room != null) {
      room.wipe();
    }
  }

  /** Wipes every room's keys and forgets them. */
  public synchronized void wipe() {
    rooms.values().forEach(RoomState::wipe);
    rooms.clear();
  }

  private RoomState joinedRoom(String roomId) {
    checkRoomId(roomId);
    RoomState room = rooms.get(roomId);
    if (room == null || !room.joined()) {
      throw new IllegalStateException("this device has not joined room " + roomId);
    }
    return room;
  }

  private SenderKeyDistributionMessage distribution(RoomState room) {
    OwnSenderKey own = room.own();
    byte[] ck = own.chainKeyCopy();
    try {
      return SenderKeyDistributionMessage.create(
          room.roomId(), room.epoch(), local, own.chainId(), own.iteration(), ck, own.signingKey());
    } finally {
      Arrays.fill(ck, (byte) 0);
    }
  }

  private static void checkRoomId(String roomId) {
    if (!Limits.isValidRoomId(roomId)) {
      throw new IllegalArgumentException(
          "room id must be 1 to 128 printable ASCII characters without spaces: '" + roomId + "'");
    }
  }

  private static Set<DeviceAddress> checkMembers(Set<DeviceAddress> members) {
    Objects.requireNonNull(members, "members");
    TreeSet<DeviceAddress> copy = new TreeSet<>();
    for (DeviceAddress a : members) {
      copy.add(Objects.requireNonNull(a, "member"));
    }
    if (copy.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException("a room holds at most " + MAX_MEMBERS + " devices");
    }
    return copy;
  }

  @Override
  public String toString() {
    return "GroupSession[" + local + "]";
  }

  /**
   * Builds a {@link GroupSession}. Not thread-safe. Defaults: {@link RandomSource#secure()}, {@link
   * Clock#systemUTC()}, {@link #DEFAULT_GRACE_PERIOD}, {@link #DEFAULT_GRACE_MESSAGES}.
   */
  public static final class Builder {
    private DeviceAddress localAddress;
    private RandomSource random = RandomSource.secure();
    private Clock clock = Clock.systemUTC();
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
    private int graceMessages = DEFAULT_GRACE_MESSAGES;

    private Builder() {}

    /** This device's address (required). */
    public Builder localAddress(DeviceAddress localAddress) {
      this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
      return this;
    }

    /** Where sender keys come from. */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The clock that times the previous epoch's grace. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long the previous epoch stays decryptable after a rotation: 0 to 24 hours. */
    public Builder gracePeriod(Duration gracePeriod) {
      Objects.requireNonNull(gracePeriod, "gracePeriod");
      if (gracePeriod.isNegative() || gracePeriod.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("grace period must be 0 to 24 hours: " + gracePeriod);
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /** How many previous-epoch messages per sender are accepted after a rotation: 0 to 100,000. */
    public Builder graceMessages(int graceMessages) {
      if (graceMessages < 0 || graceMessages > 100_000) {
        throw new IllegalArgumentException("grace messages must be 0 to 100000: " + graceMessages);
      }
      this.graceMessages = graceMessages;
      return this;
    }

    /**
     * A new, empty session.
     *
     * @throws IllegalStateException if no local address was set
     */
    public GroupSession build() {
      if (localAddress == null) {
        throw new IllegalStateException("localAddress is required");
      }
      return new GroupSession(this);
    }
  }
}
