package io.ciphertalk.crypto.group.internal;

import io.ciphertalk.crypto.Ed25519;
import io.ciphertalk.crypto.RandomSource;
import java.util.Arrays;

/**
 * This device's sending chain in one room and epoch: chain id, next iteration, chain key and the
 * Ed25519 signing key. Mutable; guarded by the owning session's lock.
 */
public final class OwnSenderKey {
  private final int chainId;
  private int iteration;
  private final byte[] chainKey;
  private final Ed25519.PrivateKey signingKey;

  public OwnSenderKey(int chainId, int iteration, byte[] chainKey, Ed25519.PrivateKey signingKey) {
    this.chainId = chainId;
    this.iteration = iteration;
    this.chainKey = chainKey;
    this.signingKey = signingKey;
  }

  /** A fresh sender key: signing seed (32 bytes), then chain id (4), then chain key (32). */
  public static OwnSenderKey generate(RandomSource random) {
    Ed25519.PrivateKey signing = Ed25519.generate(random);
    byte[] id = random.bytes(4);
    int chainId = ((id[0] & 0xff) << 24) | ((id[1] & 0xff) << 16) | ((id[2] & 0xff) << 8) | (id[3] & 0xff);
    return new OwnSenderKey(chainId, 0, random.bytes(ChainKdf.CHAIN_KEY_LENGTH), signing);
  }

  public int chainId() {
    return chainId;
  }

  public int iteration() {
    return iteration;
  }

  /** A copy of the current chain key. */
  public byte[] chainKeyCopy() {
    return chainKey.clone();
  }

  public Ed25519.PrivateKey signingKey() {
    return signingKey;
  }

  /** Message key seed for the current iteration; does not advance. */
  public byte[] currentSeed() {
    return ChainKdf.messageSeed(chainKey);
  }

  /** Commits one step: the chain key is replaced by its successor and the iteration grows. */
  public void advance() {
    if (iteration == Integer.MAX_VALUE) {
      throw new IllegalStateException("sender chain exhausted: start a new epoch");
    }
    byte[] next = ChainKdf.nextChainKey(chainKey);
    System.arraycopy(next, 0, chainKey, 0, chainKey.length);
    Arrays.fill(next, (byte) 0);
    iteration++;
  }

  public void wipe() {
    Arrays.fill(chainKey, (byte) 0);
    signingKey.wipe();
  }
}
