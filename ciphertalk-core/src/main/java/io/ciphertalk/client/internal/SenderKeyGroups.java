package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.store.SenderKeyStore;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.DistributionResult;
import io.ciphertalk.crypto.group.EpochOutOfRangeException;
import io.ciphertalk.crypto.group.GroupMessage;
import io.ciphertalk.crypto.group.InvalidGroupMessageException;
import io.ciphertalk.crypto.group.GroupSession;
import io.ciphertalk.crypto.group.SenderKeyDistributionMessage;
import io.ciphertalk.crypto.group.UnknownSenderException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@link GroupKeys} on the Sender Keys library ({@code io.ciphertalk.crypto.group.GroupSession}).
 *
 * <p>Epochs: the server keeps no epoch counter, so the members agree on one by a bounded "max wins":
 * a device joins a room at epoch 0; before each send it compares the current epoch's member devices
 * (saved with the room state) with the room's member devices as the server lists them, and if any
 * device is gone it moves to {@code epoch + 1} ({@code Math.addExact}, at most {@link
 * GroupSession#MAX_EPOCH}); a device that receives a distribution message of a later epoch, at most
 * {@link GroupSession#MAX_EPOCH_STEP} ahead, moves to that epoch (fresh keys, redistributed). No
 * member can choose an epoch that stops later rotations, and there is no in-memory "rotate later"
 * flag to lose: the pending rotation is the difference between saved state and the server's
 * membership, so every crash point between a removal and the next send is safe. A removed device
 * never receives a key of an epoch entered after its removal.
 *
 * <p>Each room's state is persisted in the {@link SenderKeyStore} under this device's own address.
 * Thread-safe (synchronized).
 */
public final class SenderKeyGroups implements GroupKeys {
  private final GroupSession session;
  private final DeviceAddress self;
  private final SenderKeyStore store;
  private final Set<String> loaded = new HashSet<>();

  /** Room states are loaded from {@code store} on first use and written back after each change. */
  public SenderKeyGroups(DeviceAddress self, RandomSource random, Clock clock,
      SenderKeyStore store) {
    this.self = self;
    this.store = store;
    this.session = GroupSession.builder().localAddress(self).random(random).clock(clock).build();
  }

  private void load(String roomId) {
    if (loaded.add(roomId)) {
      store.loadSenderKey(roomId, self).ifPresent(state -> {
        try {
          session.importRoom(SecretBytes.wrap(state));
        } catch (CryptoException | IllegalArgumentException e) {
          store.deleteSenderKey(roomId, self); // unreadable: start the room afresh
        }
      });
    }
  }

  /** Rooms whose state changed in the open inbound batch (null: no batch; written at once). */
  private Set<String> unsaved;

  private void save(String roomId) {
    if (unsaved != null) {
      unsaved.add(roomId);
      return;
    }
    saveNow(roomId);
  }

  private void saveNow(String roomId) {
    try {
      SecretBytes state = session.exportRoom(roomId);
      try {
        store.storeSenderKey(roomId, self, state.toByteArray());
      } finally {
        state.wipe();
      }
    } catch (IllegalArgumentException nothingHeld) {
      store.deleteSenderKey(roomId, self);
    }
  }

  private Set<DeviceAddress> withSelf(Set<DeviceAddress> members) {
    Set<DeviceAddress> m = new HashSet<>(members);
    m.add(self);
    return m;
  }

  @Override
  public synchronized Distribution distribution(String roomId, Set<DeviceAddress> members)
      throws CryptoException {
    requireNoBatch("distribution");
    load(roomId);
    Set<DeviceAddress> m = withSelf(members);
    OptionalLong epoch = session.currentEpoch(roomId);
    if (epoch.isPresent() && m.containsAll(session.members(roomId))
        && session.members(roomId).containsAll(m)) {
      // The common case before every group send: nothing changes, so nothing is written (the
      // encryption that follows saves the room once).
      return new Distribution(epoch.getAsLong(), () -> currentDistribution(roomId));
    }
    try {
      return distributionChanged(roomId, m, epoch);
    } finally {
      save(roomId);
    }
  }

  private Distribution distributionChanged(String roomId, Set<DeviceAddress> m,
      OptionalLong epoch) throws CryptoException {
    if (epoch.isEmpty()) {
      byte[] d = session.startEpoch(roomId, 0, m).toByteArray();
      return new Distribution(0, () -> d);
    }
    if (!m.containsAll(session.members(roomId))) {
      // A device of this epoch is gone: nothing more may be sent under keys it holds.
      byte[] d = session.nextEpoch(roomId, m).toByteArray();
      return new Distribution(session.currentEpoch(roomId).orElseThrow(), () -> d);
    }
    Set<DeviceAddress> added = new HashSet<>(m);
    added.removeAll(session.members(roomId));
    byte[] d = added.isEmpty() ? session.currentDistribution(roomId).toByteArray()
        : session.addMembers(roomId, added).toByteArray();
    return new Distribution(epoch.getAsLong(), () -> d);
  }

  private synchronized byte[] currentDistribution(String roomId) {
    return session.currentDistribution(roomId).toByteArray();
  }

  @Override
  public synchronized boolean announcesNewerEpoch(String roomId, byte[] distribution) {
    load(roomId);
    try {
      SenderKeyDistributionMessage d = SenderKeyDistributionMessage.parse(distribution);
      long theirs = d.epoch();
      d.wipe();
      OptionalLong mine = session.currentEpoch(roomId);
      return mine.isEmpty() || theirs > mine.getAsLong();
    } catch (CryptoException e) {
      return false;
    }
  }

  @Override
  public synchronized boolean accept(String roomId, DeviceAddress from, byte[] distribution,
      Set<DeviceAddress> members) throws CryptoException {
    load(roomId);
    SenderKeyDistributionMessage d = SenderKeyDistributionMessage.parse(distribution); // verifies
    long theirs;
    try {
      if (!d.roomId().equals(roomId)) {
        throw new InvalidGroupMessageException("sender key names room " + d.roomId()
            + " but arrived for room " + roomId);
      }
      if (!d.sender().equals(from)) {
        throw new UnknownSenderException(roomId, d.sender(),
            "sender key arrived over the session with " + from);
      }
      if (!members.contains(from)) {
        throw new UnknownSenderException(roomId, from, "not a member device of the room");
      }
      theirs = d.epoch();
    } finally {
      d.wipe();
    }
    OptionalLong mine = session.currentEpoch(roomId);
    if (mine.isPresent() && theirs - mine.getAsLong() > GroupSession.MAX_EPOCH_STEP) {
      throw new EpochOutOfRangeException(roomId, theirs, mine.getAsLong(),
          "a member may move the room at most " + GroupSession.MAX_EPOCH_STEP + " epochs ahead");
    }
    // Work on the session, then keep the result only if the key installed.
    SecretBytes before = mine.isPresent() ? session.exportRoom(roomId) : null;
    boolean moved = false;
    try {
      if (mine.isEmpty() || theirs > mine.getAsLong()) {
        session.startEpoch(roomId, theirs, withSelf(members));
        moved = true;
      } else if (!session.members(roomId).contains(from)) {
        session.addMembers(roomId, Set.of(from));
      }
      DistributionResult r = session.processDistribution(from, distribution);
      if (r == DistributionResult.DEFERRED) {
        throw new InvalidGroupMessageException("sender key could not be installed");
      }
    } catch (CryptoException | RuntimeException e) {
      if (before != null) {
        session.importRoom(before);
      } else {
        session.leave(roomId);
      }
      throw e;
    } finally {
      if (before != null) {
        before.wipe();
      }
    }
    save(roomId);
    return moved;
  }

  @Override
  public synchronized byte[] encrypt(String roomId, byte[] plaintext, MessageId id,
      Instant expiresAt) throws CryptoException {
    requireNoBatch("encrypt");
    load(roomId);
    byte[] out = session.encrypt(roomId, plaintext, idBytes(id), millis(expiresAt)).toByteArray();
    save(roomId); // persisted before the message leaves: an older state would reuse keys
    return out;
  }

  @Override
  public synchronized byte[] decrypt(String roomId, DeviceAddress from, byte[] ciphertext,
      MessageId id, Instant expiresAt) throws CryptoException {
    load(roomId);
    GroupMessage m = GroupMessage.parse(ciphertext);
    // The server's routing copies must be what the sender signed and bound into the AD.
    if (!m.roomId().equals(roomId) || !m.sender().equals(from)
        || !java.util.Arrays.equals(m.messageId(), idBytes(id))
        || m.expiresAtEpochMillis() != millis(expiresAt)) {
      throw new io.ciphertalk.crypto.group.InvalidGroupMessageException(
          "routing metadata does not match the group message");
    }
    try {
      byte[] pt = session.decrypt(m).plaintext();
      save(roomId);
      return pt;
    } catch (io.ciphertalk.crypto.group.NoSenderKeyException e) {
      throw new E2eCrypto.NoSenderKeyException(e.getMessage());
    } catch (UnknownSenderException e) {
      throw new E2eCrypto.UnknownGroupMemberException(e.getMessage());
    }
  }

  @Override
  public synchronized void rotate(String roomId) throws CryptoException {
    requireNoBatch("rotate");
    load(roomId);
    if (session.currentEpoch(roomId).isEmpty()) {
      return;
    }
    try {
      session.nextEpoch(roomId, session.members(roomId));
    } finally {
      save(roomId);
    }
  }

  @Override
  public synchronized void leave(String roomId) {
    session.leave(roomId);
    store.deleteSenderKeys(roomId);
    loaded.remove(roomId);
    if (unsaved != null) {
      unsaved.remove(roomId);
    }
  }

  @Override
  public synchronized void beginBatch() {
    if (unsaved != null) {
      throw new IllegalStateException("an inbound batch is already open");
    }
    unsaved = new java.util.LinkedHashSet<>();
  }

  @Override
  public synchronized void endBatch() {
    Set<String> rooms = unsaved;
    unsaved = null;
    if (rooms != null) {
      for (String roomId : rooms) {
        saveNow(roomId);
      }
    }
  }

  @Override
  public synchronized void abortBatch() {
    unsaved = null;
    session.wipe(); // every room is imported again from the store on its next use
    loaded.clear();
  }

  /** See {@link SessionCrypto}: no message may leave under a state a batch could roll back. */
  private void requireNoBatch(String what) {
    if (unsaved != null) {
      throw new IllegalStateException(what + " inside an inbound batch");
    }
  }

  private static long millis(Instant t) {
    return t == null ? GroupMessage.NO_EXPIRY : t.toEpochMilli();
  }

  static byte[] idBytes(MessageId id) {
    return ByteBuffer.allocate(16).putLong(id.uuid().getMostSignificantBits())
        .putLong(id.uuid().getLeastSignificantBits()).array();
  }
}
