package io.ciphertalk.crypto.group;

/** What {@link GroupSession#processDistribution} did with a sender-key distribution message. */
public enum DistributionResult {
  /** The sender key was installed; messages on it can now be decrypted. */
  ACCEPTED,
  /** This device already held that chain (same sender, epoch and chain id); nothing changed. */
  ALREADY_KNOWN,
  /**
   * Kept aside: its epoch is ahead of this device's view of the room, or its sender is not (yet) a
   * member, or this device has not joined the room yet. It is applied automatically by the {@link
   * GroupSession#startEpoch} or {@link GroupSession#addMembers} call that makes it valid, and
   * dropped once its epoch has passed.
   */
  DEFERRED
}
