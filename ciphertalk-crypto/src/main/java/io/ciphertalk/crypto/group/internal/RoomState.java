package io.ciphertalk.crypto.group.internal;

import io.ciphertalk.crypto.internal.ByteWriter;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.InvalidKeyMaterialException;
import io.ciphertalk.crypto.SecretBytes;
import io.ciphertalk.crypto.group.InvalidGroupMessageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one device holds about one room: the current epoch, its member set, this device's
 * sender key, the other members' receiving chains, the previous epoch's chains during their grace,
 * and distribution messages deferred until their epoch or member is known. Mutable and not
 * thread-safe: the owning session serialises access.
 *
 * <p>A room can exist un-joined (no epoch yet) only to hold deferred distribution messages that
 * arrived before this device was told it joined.
 */
public final class RoomState {
  /** Version byte of the serialized room state. */
  public static final int STATE_VERSION = 1;
  /** Type byte of the serialized room state (distribution = 0x10, group message = 0x11). */
  public static final int STATE_TYPE = 0x12;

  private final DeviceAddress owner;
  private final String roomId;
  private boolean joined;
  private long epoch;
  private final TreeSet<DeviceAddress> members = new TreeSet<>();
  private OwnSenderKey own;
  private final HashMap<DeviceAddress, ReceivingChain> chains = new HashMap<>();
  private PreviousEpoch previous;
  /** (sender, epoch) -> distribution bytes, oldest first. */
  private final LinkedHashMap<Pending, byte[]> pending = new LinkedHashMap<>();

  /** A deferred distribution message's key. */
  public record Pending(DeviceAddress from, long epoch) {}

  /** The epoch before the current one, kept for a bounded grace after a rotation. */
  public static final class PreviousEpoch {
    private final long epoch;
    private final long retiredAtMillis;
    private final HashMap<DeviceAddress, ReceivingChain> chains;

    PreviousEpoch(long epoch, long retiredAtMillis, HashMap<DeviceAddress, ReceivingChain> chains) {
      this.epoch = epoch;
      this.retiredAtMillis = retiredAtMillis;
      this.chains = chains;
    }

    public long epoch() {
      return epoch;
    }

    public long retiredAtMillis() {
      return retiredAtMillis;
    }

    public ReceivingChain chain(DeviceAddress sender) {
      return chains.get(sender);
    }

    public Map<DeviceAddress, ReceivingChain> chains() {
      return Collections.unmodifiableMap(chains);
    }

    void wipe() {
      chains.values().forEach(ReceivingChain::wipe);
      chains.clear();
    }
  }

  public RoomState(DeviceAddress owner, String roomId) {
    this.owner = Objects.requireNonNull(owner);
    this.roomId = Objects.requireNonNull(roomId);
  }

  public DeviceAddress owner() {
    return owner;
  }

  public String roomId() {
    return roomId;
  }

  public boolean joined() {
    return joined;
  }

  public long epoch() {
    return epoch;
  }

  public Set<DeviceAddress> members() {
    return Collections.unmodifiableSet(members);
  }

  public OwnSenderKey own() {
    return own;
  }

  public ReceivingChain chain(DeviceAddress sender) {
    return chains.get(sender);
  }

  public Map<DeviceAddress, ReceivingChain> chains() {
    return Collections.unmodifiableMap(chains);
  }

  public PreviousEpoch previous() {
    return previous;
  }

  /**
   * Enters {@code newEpoch} with {@code newMembers} and a fresh own sender key. The current epoch's
   * receiving chains become the previous epoch (each with {@code graceMessages} messages left);
   * an older previous epoch and this device's old sending chain are wiped.
   */
  public void enterEpoch(
      long newEpoch, Set<DeviceAddress> newMembers, OwnSenderKey newOwn, long nowMillis, int graceMessages) {
    if (previous != null) {
      previous.wipe();
      previous = null;
    }
    if (joined) {
      chains.values().forEach(c -> c.setGraceLeft(graceMessages));
      previous = new PreviousEpoch(epoch, nowMillis, new HashMap<>(chains));
      chains.clear();
      own.wipe();
    }
    joined = true;
    epoch = newEpoch;
    members.clear();
    members.addAll(newMembers);
    own = newOwn;
  }

  public void addMembers(Set<DeviceAddress> more) {
    members.addAll(more);
  }

  /** Installs (replacing and wiping any other) the receiving chain of {@code sender} in this epoch. */
  public void putChain(DeviceAddress sender, ReceivingChain chain) {
    ReceivingChain old = chains.put(sender, chain);
    if (old != null && old != chain) {
      old.wipe();
    }
  }

  /** Drops the previous epoch once its grace is over. */
  public void expirePrevious(long nowMillis, long graceMillis) {
    if (previous != null && nowMillis - previous.retiredAtMillis >= graceMillis) {
      previous.wipe();
      previous = null;
    }
  }

  /** Total skipped keys held in this room, across both epochs. */
  public int totalSkipped() {
    int n = 0;
    for (ReceivingChain c : chains.values()) {
      n += c.skippedCount();
    }
    if (previous != null) {
      for (ReceivingChain c : previous.chains.values()) {
        n += c.skippedCount();
      }
    }
    return n;
  }

  public void defer(DeviceAddress from, long forEpoch, byte[] distribution, int maxPending) {
    Pending key = new Pending(from, forEpoch);
    byte[] old = pending.remove(key);
    if (old != null) {
      Arrays.fill(old, (byte) 0);
    }
    pending.put(key, distribution.clone());
    Iterator<byte[]> it = pending.values().iterator();
    while (pending.size() > maxPending && it.hasNext()) {
      Arrays.fill(it.next(), (byte) 0);
      it.remove();
    }
  }

  /**
   * Removes and returns the deferred distributions that are now applicable (current epoch, sender a
   * member), dropping those for epochs that have passed.
   */
  public List<Map.Entry<DeviceAddress, byte[]>> takeApplicablePending() {
    List<Map.Entry<DeviceAddress, byte[]>> ready = new ArrayList<>();
    Iterator<Map.Entry<Pending, byte[]>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Pending, byte[]> e = it.next();
      Pending p = e.getKey();
      if (p.epoch() < epoch) {
        Arrays.fill(e.getValue(), (byte) 0);
        it.remove();
      } else if (p.epoch() == epoch && members.contains(p.from())) {
        ready.add(Map.entry(p.from(), e.getValue()));
        it.remove();
      }
    }
    return ready;
  }

  public int pendingCount() {
    return pending.size();
  }

  public void wipe() {
    if (own != null) {
      own.wipe();
    }
    chains.values().forEach(ReceivingChain::wipe);
    chains.clear();
    if (previous != null) {
      previous.wipe();
      previous = null;
    }
    pending.values().forEach(b -> Arrays.fill(b, (byte) 0));
    pending.clear();
    joined = false;
  }

  // ---- serialization (format in docs/protocol.md, "Room state") ----

  public byte[] serialize() {
    ByteWriter w = new ByteWriter(256 + 120 * chains.size());
    try {
      w.u8(STATE_VERSION).u8(STATE_TYPE).address(owner).ascii8(roomId).u8(joined ? 1 : 0);
      if (joined) {
        w.u64(epoch).u16(members.size());
        members.forEach(w::address);
        w.u32(own.chainId()).u32(own.iteration());
        byte[] ck = own.chainKeyCopy();
        byte[] seed = own.signingKey().seed().toByteArray();
        w.bytes(ck).bytes(seed);
        Arrays.fill(ck, (byte) 0);
        Arrays.fill(seed, (byte) 0);
        writeChains(w, chains);
      }
      if (previous == null) {
        w.u8(0);
      } else {
        w.u8(1).u64(previous.epoch).u64(previous.retiredAtMillis);
        writeChains(w, previous.chains);
      }
      w.u16(pending.size());
      for (Map.Entry<Pending, byte[]> e : pending.entrySet()) {
        w.address(e.getKey().from()).u64(e.getKey().epoch()).u16(e.getValue().length).bytes(e.getValue());
      }
      return w.toByteArray();
    } finally {
      w.wipe();
    }
  }

  private static void writeChains(ByteWriter w, Map<DeviceAddress, ReceivingChain> chains) {
    w.u16(chains.size());
    for (Map.Entry<DeviceAddress, ReceivingChain> e : new TreeMap<>(chains).entrySet()) {
      ReceivingChain c = e.getValue();
      w.address(e.getKey())
          .u32(c.chainId())
          .u32(c.firstIteration())
          .u32(c.iteration())
          .bytes(c.chainKeyView())
          .bytes(c.signingKey().toByteArray())
          .u32(c.graceLeft())
          .u16(c.skippedCount());
      for (Map.Entry<Integer, byte[]> s : c.skippedView().entrySet()) {
        w.u32(s.getKey()).bytes(s.getValue());
      }
    }
  }

  /** Parses {@link #serialize()} output, checking every limit. */
  public static RoomState deserialize(byte[] bytes, int maxMembers, int maxSkippedPerChain, int maxPending)
      throws InvalidGroupMessageException {
    GroupReader r = new GroupReader(bytes, "group state");
    if (r.u8() != STATE_VERSION) {
      throw new InvalidGroupMessageException("unsupported group state version");
    }
    if (r.u8() != STATE_TYPE) {
      throw new InvalidGroupMessageException("not a group state");
    }
    RoomState s = new RoomState(r.address(), r.roomId());
    try {
      int joinedFlag = r.u8();
      if (joinedFlag > 1) {
        throw new InvalidGroupMessageException("group state: bad joined flag");
      }
      if (joinedFlag == 1) {
        s.joined = true;
        s.epoch = r.u64();
        if (s.epoch < 0 || s.epoch > io.ciphertalk.crypto.group.GroupSession.MAX_EPOCH) {
          throw new InvalidGroupMessageException("group state: epoch out of range");
        }
        int n = r.u16();
        if (n > maxMembers) {
          throw new InvalidGroupMessageException("group state: too many members");
        }
        for (int i = 0; i < n; i++) {
          s.members.add(r.address());
        }
        int chainId = r.u32();
        int iteration = r.u32();
        if (iteration < 0) {
          throw new InvalidGroupMessageException("group state: iteration out of range");
        }
        byte[] ck = r.bytes(ChainKdf.CHAIN_KEY_LENGTH);
        byte[] seed = r.bytes(Ed25519.PRIVATE_KEY_LENGTH);
        SecretBytes seedSecret = SecretBytes.wrap(seed);
        try {
          s.own = new OwnSenderKey(chainId, iteration, ck, Ed25519.PrivateKey.fromSeed(seedSecret));
        } finally {
          seedSecret.wipe();
        }
        readChains(r, s.chains, maxMembers, maxSkippedPerChain);
      }
      int prevFlag = r.u8();
      if (prevFlag > 1) {
        throw new InvalidGroupMessageException("group state: bad previous-epoch flag");
      }
      if (prevFlag == 1) {
        long prevEpoch = r.u64();
        long retired = r.u64();
        HashMap<DeviceAddress, ReceivingChain> prevChains = new HashMap<>();
        readChains(r, prevChains, maxMembers, maxSkippedPerChain);
        s.previous = new PreviousEpoch(prevEpoch, retired, prevChains);
      }
      int np = r.u16();
      if (np > maxPending) {
        throw new InvalidGroupMessageException("group state: too many deferred distributions");
      }
      for (int i = 0; i < np; i++) {
        DeviceAddress from = r.address();
        long e = r.u64();
        byte[] b = r.bytes(r.u16());
        s.pending.put(new Pending(from, e), b);
      }
      r.expectEnd();
      return s;
    } catch (InvalidGroupMessageException | RuntimeException e) {
      s.wipe();
      throw e;
    } catch (InvalidKeyMaterialException e) {
      s.wipe();
      throw new InvalidGroupMessageException("group state holds an invalid key");
    }
  }

  private static void readChains(
      GroupReader r, Map<DeviceAddress, ReceivingChain> into, int maxMembers, int maxSkipped)
      throws InvalidGroupMessageException, InvalidKeyMaterialException {
    int n = r.u16();
    if (n > maxMembers) {
      throw new InvalidGroupMessageException("group state: too many chains");
    }
    for (int i = 0; i < n; i++) {
      DeviceAddress sender = r.address();
      int chainId = r.u32();
      int first = r.u32();
      int iteration = r.u32();
      byte[] ck = r.bytes(ChainKdf.CHAIN_KEY_LENGTH);
      Ed25519.PublicKey pub = Ed25519.PublicKey.of(r.bytes(Ed25519.PUBLIC_KEY_LENGTH));
      ReceivingChain c = new ReceivingChain(chainId, first, iteration, ck, pub);
      c.setGraceLeft(r.u32());
      into.put(sender, c);
      int ns = r.u16();
      if (ns > maxSkipped || first < 0 || iteration < first) {
        throw new InvalidGroupMessageException("group state: inconsistent chain");
      }
      for (int j = 0; j < ns; j++) {
        int it = r.u32();
        byte[] seed = r.bytes(ChainKdf.SEED_LENGTH);
        if (it < first || it >= iteration) {
          throw new InvalidGroupMessageException("group state: skipped key out of range");
        }
        c.putSkipped(it, seed);
      }
    }
  }
}
