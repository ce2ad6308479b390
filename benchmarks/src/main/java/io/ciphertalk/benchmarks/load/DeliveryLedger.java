package io.ciphertalk.benchmarks.load;

import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Exactly-once accounting for a fan-out load run. Each simulated client has an index and belongs to
 * one room; every message a client sends gets the next sequence number of that sender and is
 * expected exactly once at every other member of its room. Receipts are recorded per (receiver,
 * sender) in a bit set, so a second receipt is a duplicate and a missing one is a loss.
 *
 * <p>Thread-safe: senders allocate sequence numbers atomically; receipts for one receiver are
 * serialised on that receiver's own lock, so receivers on different threads never contend.
 */
public final class DeliveryLedger {

  /** What a receipt turned out to be. */
  public enum Receipt {
    /** The first receipt of a message this receiver expected. */
    FIRST,
    /** A message this receiver had already received. */
    DUPLICATE,
    /**
     * A message this receiver should never get: from itself, from another room, never sent, or
     * refused by the server.
     */
    UNEXPECTED
  }

  /**
   * Totals of a run.
   *
   * @param sent messages handed to the server (including refused ones)
   * @param refused sends the server answered with an error (not expected anywhere)
   * @param expected deliveries that should have happened: accepted sends times the other room members
   * @param delivered distinct expected deliveries that did happen
   * @param lost expected deliveries that never arrived ({@code expected - delivered})
   * @param duplicates receipts of a message the receiver already had
   * @param unexpected receipts of messages the receiver should never have got
   */
  public record Totals(
      long sent,
      long refused,
      long expected,
      long delivered,
      long lost,
      long duplicates,
      long unexpected) {}

  private final int[] roomOf;
  private final int[] roomSize;
  private final AtomicLongArray nextSeq;
  private final ConcurrentHashMap<Integer, BitSet> refusedBySender = new ConcurrentHashMap<>();
  private final Receiver[] receivers;
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong unexpected = new AtomicLong();

  /**
   * @param roomOfClient the room index of each client, indexed by client index; rooms are
   *     {@code 0..max}
   */
  public DeliveryLedger(int[] roomOfClient) {
    this.roomOf = roomOfClient.clone();
    int rooms = 0;
    for (int r : roomOf) {
      if (r < 0) {
        throw new IllegalArgumentException("room index must be >= 0: " + r);
      }
      rooms = Math.max(rooms, r + 1);
    }
    this.roomSize = new int[rooms];
    for (int r : roomOf) {
      roomSize[r]++;
    }
    this.nextSeq = new AtomicLongArray(roomOf.length);
    this.receivers = new Receiver[roomOf.length];
    for (int i = 0; i < receivers.length; i++) {
      receivers[i] = new Receiver();
    }
  }

  /** Number of clients. */
  public int clients() {
    return roomOf.length;
  }

  /** Room index of a client. */
  public int roomOf(int client) {
    return roomOf[client];
  }

  /** Members of the given client's room other than itself. */
  public int recipientsPerMessage(int sender) {
    return roomSize[roomOf[sender]] - 1;
  }

  /** Allocates the sequence number of the next message of {@code sender} and counts it as sent. */
  public long nextSeq(int sender) {
    return nextSeq.getAndIncrement(sender);
  }

  /** Marks a sent message as refused (or never written): it is no longer expected anywhere. */
  public void refused(int sender, long seq) {
    BitSet set = refusedBySender.computeIfAbsent(sender, s -> new BitSet());
    synchronized (set) {
      set.set(Math.toIntExact(seq));
    }
  }

  /** Records that {@code receiver} got message {@code seq} of {@code sender}. */
  public Receipt received(int receiver, int sender, long seq) {
    if (receiver < 0 || receiver >= roomOf.length || sender < 0 || sender >= roomOf.length
        || receiver == sender || roomOf[receiver] != roomOf[sender]
        || seq < 0 || seq >= nextSeq.get(sender) || isRefused(sender, seq)) {
      unexpected.incrementAndGet();
      return Receipt.UNEXPECTED;
    }
    Receiver r = receivers[receiver];
    synchronized (r) {
      BitSet got = r.fromSender.computeIfAbsent(sender, s -> new BitSet());
      int bit = Math.toIntExact(seq);
      if (got.get(bit)) {
        duplicates.incrementAndGet();
        return Receipt.DUPLICATE;
      }
      got.set(bit);
      r.distinct++;
      return Receipt.FIRST;
    }
  }

  /** Distinct expected deliveries so far (cheap enough to poll while draining). */
  public long deliveredSoFar() {
    long total = 0;
    for (Receiver r : receivers) {
      synchronized (r) {
        total += r.distinct;
      }
    }
    return total;
  }

  /** Deliveries expected given what has been sent and refused so far. */
  public long expectedSoFar() {
    long expected = 0;
    for (int s = 0; s < roomOf.length; s++) {
      expected += accepted(s) * (roomSize[roomOf[s]] - 1L);
    }
    return expected;
  }

  /** The totals; call once the run has drained for final figures. */
  public Totals totals() {
    long sent = 0;
    long refused = 0;
    for (int s = 0; s < roomOf.length; s++) {
      sent += nextSeq.get(s);
      refused += refusedCount(s);
    }
    long expected = expectedSoFar();
    long delivered = deliveredSoFar();
    return new Totals(sent, refused, expected, delivered, expected - delivered, duplicates.get(),
        unexpected.get());
  }

  private long accepted(int sender) {
    return nextSeq.get(sender) - refusedCount(sender);
  }

  private long refusedCount(int sender) {
    BitSet set = refusedBySender.get(sender);
    if (set == null) {
      return 0;
    }
    synchronized (set) {
      return set.cardinality();
    }
  }

  private boolean isRefused(int sender, long seq) {
    BitSet set = refusedBySender.get(sender);
    if (set == null) {
      return false;
    }
    synchronized (set) {
      return set.get(Math.toIntExact(seq));
    }
  }

  private static final class Receiver {
    final java.util.HashMap<Integer, BitSet> fromSender = new java.util.HashMap<>(16);
    long distinct;
  }
}
