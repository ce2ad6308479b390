package io.ciphertalk.crypto.account;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.X25519;
import java.util.Objects;

/**
 * The new device's half of linking: a fresh ephemeral key, the {@link LinkingCode} that shows it,
 * and the one {@link #open} that accepts the account's {@link LinkEnvelope}. The ephemeral private
 * key is wiped after the first envelope that opens, so a replayed or second envelope is refused.
 *
 * <p>Thread-safe (synchronized). The ephemeral key lives only in memory: a new device that
 * restarts before it is linked shows a new code.
 */
public final class LinkingRequest {
  private final X25519.PrivateKey key;
  private final LinkingCode code;
  private boolean used;

  private LinkingRequest(X25519.PrivateKey key, LinkingCode code) {
    this.key = key;
    this.code = code;
  }

  /** A request for the device that will be {@code deviceId} in the account. */
  public static LinkingRequest create(int deviceId, RandomSource random) {
    X25519.PrivateKey k = X25519.generate(Objects.requireNonNull(random, "random"));
    return new LinkingRequest(k, LinkingCode.of(deviceId, k.publicKey()));
  }

  /** The code to show. */
  public LinkingCode code() {
    return code;
  }

  /**
   * Opens the envelope an existing device sealed to this request's code, for the device
   * {@code self} (the user this device logged in as, and the code's device id).
   *
   * @throws InvalidLinkException if it was already used, does not decrypt under this code, or is
   *     for another user or device
   */
  public synchronized LinkEnvelope.Opened open(DeviceAddress self, byte[] envelope)
      throws InvalidLinkException {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(envelope, "envelope");
    if (used) {
      throw new InvalidLinkException("this linking code was already used; show a new one");
    }
    LinkEnvelope.Opened o = LinkEnvelope.open(key, code, envelope);
    if (!o.address().equals(self)) {
      o.account().wipe();
      throw new InvalidLinkException("linking envelope is for " + o.address() + ", this device is "
          + self);
    }
    used = true;
    key.wipe();
    return o;
  }

  /** Wipes the ephemeral key (linking cancelled). */
  public synchronized void cancel() {
    used = true;
    key.wipe();
  }

  @Override
  public String toString() {
    return "LinkingRequest[device " + code.deviceId() + (used ? ", used]" : "]");
  }
}
