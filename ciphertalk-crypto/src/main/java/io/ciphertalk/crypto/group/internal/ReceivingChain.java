package io.ciphertalk.crypto.group.internal;

import io.ciphertalk.crypto.Ed25519;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Another member's sending chain as this device knows it: the next expected iteration, its chain
 * key, the keys of skipped iterations, and the sender's signing public key. Mutable; guarded by the
 * owning session's lock. Decryption first {@link #prepare prepares} a step without touching this
 * object and {@link #commit commits} it only after the message authenticated.
 */
public final class ReceivingChain {
  private final int chainId;
  private final int firstIteration;
  private int iteration;
  private final byte[] chainKey;
  private final Ed25519.PublicKey signingKey;
  private int graceLeft;
  /** Skipped iteration -> message key seed, oldest first. */
  private final LinkedHashMap<Integer, byte[]> skipped = new LinkedHashMap<>();

  public ReceivingChain(
      int chainId, int firstIteration, int iteration, byte[] chainKey, Ed25519.PublicKey signingKey) {
    this.chainId = chainId;
    this.firstIteration = firstIteration;
    this.iteration = iteration;
    this.chainKey = chainKey;
    this.signingKey = signingKey;
  }

  public int chainId() {
    return chainId;
  }

  public int firstIteration() {
    return firstIteration;
  }

  public int iteration() {
    return iteration;
  }

  public Ed25519.PublicKey signingKey() {
    return signingKey;
  }

  public int graceLeft() {
    return graceLeft;
  }

  public void setGraceLeft(int graceLeft) {
    this.graceLeft = graceLeft;
  }

  public int skippedCount() {
    return skipped.size();
  }

  byte[] chainKeyView() {
    return chainKey;
  }

  /** A copy of the current chain key (secret). */
  public byte[] chainKeyCopy() {
    return chainKey.clone();
  }

  Map<Integer, byte[]> skippedView() {
    return skipped;
  }

  void putSkipped(int it, byte[] seed) {
    skipped.put(it, seed);
  }

  /** A step toward {@code target}, computed without changing this chain. */
  public static final class Step {
    final int target;
    final byte[] seed;
    final byte[] newChainKey;
    final List<byte[]> newSkipped;
    final boolean fromSkipped;

    Step(int target, byte[] seed, byte[] newChainKey, List<byte[]> newSkipped, boolean fromSkipped) {
      this.target = target;
      this.seed = seed;
      this.newChainKey = newChainKey;
      this.newSkipped = newSkipped;
      this.fromSkipped = fromSkipped;
    }

    /** The message key seed for the target iteration. */
    public byte[] seed() {
      return seed;
    }

    /** Number of skipped keys this step would store. */
    public int newSkippedCount() {
      return newSkipped.size();
    }

    public void wipe() {
      Arrays.fill(seed, (byte) 0);
      if (newChainKey != null) {
        Arrays.fill(newChainKey, (byte) 0);
      }
      for (byte[] s : newSkipped) {
        Arrays.fill(s, (byte) 0);
      }
    }
  }

  /**
   * Derives the seed for {@code target} without changing this chain, or returns {@code null} when
   * {@code target} is behind the chain and its key is no longer held (already used, evicted, or
   * from before this device received the chain). The caller checks the jump bound first.
   */
  public Step prepare(int target) {
    if (target < iteration) {
      byte[] seed = skipped.get(target);
      return seed == null ? null : new Step(target, seed.clone(), null, List.of(), true);
    }
    List<byte[]> newSkipped = new ArrayList<>(target - iteration);
    byte[] ck = chainKey.clone();
    for (int i = iteration; i < target; i++) {
      newSkipped.add(ChainKdf.messageSeed(ck));
      byte[] next = ChainKdf.nextChainKey(ck);
      Arrays.fill(ck, (byte) 0);
      ck = next;
    }
    byte[] seed = ChainKdf.messageSeed(ck);
    byte[] next = ChainKdf.nextChainKey(ck);
    Arrays.fill(ck, (byte) 0);
    return new Step(target, seed, next, newSkipped, false);
  }

  /**
   * Applies a prepared step: consumes the used key, stores the skipped ones (keeping at most {@code
   * maxStored}, oldest evicted first) and moves the chain forward.
   */
  public void commit(Step step, int maxStored) {
    if (step.fromSkipped) {
      byte[] used = skipped.remove(step.target);
      if (used != null) {
        Arrays.fill(used, (byte) 0);
      }
      return;
    }
    int it = iteration;
    for (byte[] s : step.newSkipped) {
      skipped.put(it++, s.clone());
    }
    System.arraycopy(step.newChainKey, 0, chainKey, 0, chainKey.length);
    iteration = step.target + 1;
    evictTo(maxStored);
  }

  /** Drops the oldest skipped keys until at most {@code max} remain; returns how many it dropped. */
  public int evictTo(int max) {
    int dropped = 0;
    Iterator<byte[]> it = skipped.values().iterator();
    while (skipped.size() > max && it.hasNext()) {
      Arrays.fill(it.next(), (byte) 0);
      it.remove();
      dropped++;
    }
    return dropped;
  }

  public void wipe() {
    Arrays.fill(chainKey, (byte) 0);
    for (byte[] s : skipped.values()) {
      Arrays.fill(s, (byte) 0);
    }
    skipped.clear();
  }
}
