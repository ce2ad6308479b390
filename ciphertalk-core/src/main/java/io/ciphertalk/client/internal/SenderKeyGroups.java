package io.ciphertalk.client.internal;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.store.SenderKeyStore;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.GroupMessage;
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
 * <p>Epochs: the server keeps no epoch counter, so the members agree on one by "max wins": a device
 * joins a room at epoch 0, every remaining device moves to {@code epoch + 1} when it learns of a
 * removal, and a device that sees a distribution message of a later epoch than its own moves to that
 * epoch (fresh keys, redistributed). Devices that observed the same removals therefore agree, and
 * any disagreement heals on the next distribution. A removed device never receives a key of an
 * epoch entered after its removal.
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

  private void save(String roomId) {
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
  public synchronized byte[] distribution(String roomId, Set<DeviceAddress> members) {
    load(roomId);
    try {
      return distributionLoaded(roomId, members);
    } finally {
      save(roomId);
    }
  }

  private byte[] distributionLoaded(String roomId, Set<DeviceAddress> members) {
    Set<DeviceAddress> m = withSelf(members);
    OptionalLong epoch = session.currentEpoch(roomId);
    if (epoch.isEmpty()) {
      return session.startEpoch(roomId, 0, m).toByteArray();
    }
    Set<DeviceAddress> added = new HashSet<>(m);
    added.removeAll(session.members(roomId));
    if (!added.isEmpty()) {
      return session.addMembers(roomId, added).toByteArray();
    }
    return session.currentDistribution(roomId).toByteArray();
  }

  @Override
  public synchronized void rotate(String roomId, Set<DeviceAddress> members) {
    load(roomId);
    OptionalLong epoch = session.currentEpoch(roomId);
    session.startEpoch(roomId, epoch.isEmpty() ? 0 : epoch.getAsLong() + 1, withSelf(members));
    save(roomId);
  }

  @Override
  public synchronized boolean accept(String roomId, DeviceAddress from, byte[] distribution,
      Set<DeviceAddress> members) throws CryptoException {
    load(roomId);
    try {
      return acceptLoaded(roomId, from, distribution, members);
    } finally {
      save(roomId);
    }
  }

  private boolean acceptLoaded(String roomId, DeviceAddress from, byte[] distribution,
      Set<DeviceAddress> members) throws CryptoException {
    SenderKeyDistributionMessage d = SenderKeyDistributionMessage.parse(distribution);
    long theirs = d.epoch();
    d.wipe();
    OptionalLong mine = session.currentEpoch(roomId);
    boolean moved = false;
    if (mine.isEmpty() || theirs > mine.getAsLong()) {
      session.startEpoch(roomId, theirs, withSelf(members));
      moved = true;
    } else if (!session.members(roomId).contains(from)) {
      session.addMembers(roomId, Set.of(from));
    }
    session.processDistribution(from, distribution);
    return moved;
  }

  @Override
  public synchronized byte[] encrypt(String roomId, byte[] plaintext, MessageId id,
      Instant expiresAt) throws CryptoException {
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
  public synchronized void leave(String roomId) {
    session.leave(roomId);
    store.deleteSenderKeys(roomId);
    loaded.remove(roomId);
  }

  private static long millis(Instant t) {
    return t == null ? GroupMessage.NO_EXPIRY : t.toEpochMilli();
  }

  static byte[] idBytes(MessageId id) {
    return ByteBuffer.allocate(16).putLong(id.uuid().getMostSignificantBits())
        .putLong(id.uuid().getLeastSignificantBits()).array();
  }
}
