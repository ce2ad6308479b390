package io.ciphertalk.client.internal;

import io.ciphertalk.client.CipherTalkException;
import io.ciphertalk.client.RequestFailedException;
import io.ciphertalk.crypto.CryptoException;
import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.RandomSource;
import io.ciphertalk.crypto.account.DeviceCertificate;
import io.ciphertalk.crypto.account.InvalidCertificateException;
import io.ciphertalk.crypto.account.InvalidLinkException;
import io.ciphertalk.crypto.account.LinkEnvelope;
import io.ciphertalk.crypto.account.LinkingCode;
import io.ciphertalk.crypto.account.LinkingRequest;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account side of a client (docs/protocol.md, "Linking a device"): deciding whether this device
 * is its account's first one, showing a linking code on a new device and completing the link when
 * an envelope arrives, approving a code on an existing device, listing and revoking this account's
 * devices. Runs on the engine thread only (not thread-safe).
 */
final class DeviceLinking {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceLinking.class);
  private final DeviceAddress self;
  private final E2eCrypto crypto;
  private final ServerLink link;
  private final Clock clock;
  private final RandomSource random;
  private LinkingRequest request;

  DeviceLinking(DeviceAddress self, E2eCrypto crypto, ServerLink link, Clock clock,
      RandomSource random) {
    this.self = Objects.requireNonNull(self, "self");
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.link = Objects.requireNonNull(link, "link");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Makes sure this device holds the account key, creating it if no other device of the account
   * has a certificate (the first device, or an existing single-device store being upgraded).
   *
   * @return false if the account already has certified devices: this one must be linked
   */
  boolean ensureAccount() throws CipherTalkException {
    if (crypto.hasAccountKey()) {
      return true;
    }
    for (int d : link.devices(self.userId())) {
      if (d != self.deviceId()
          && link.certificate(new DeviceAddress(self.userId(), d), true).isPresent()) {
        return false;
      }
    }
    crypto.createAccount();
    LOG.info("created the account key of {} on device {}", self.userId(), self.deviceId());
    return true;
  }

  /** Starts (or restarts) linking on this new device; returns the code to show. */
  LinkingCode start() {
    if (crypto.hasAccountKey()) {
      throw new IllegalStateException("this device is already linked to its account");
    }
    if (request != null) {
      request.cancel();
    }
    request = LinkingRequest.create(self.deviceId(), random);
    return request.code();
  }

  /**
   * Opens a linking envelope that arrived for this device and takes the account key.
   *
   * @return the confirmation code to show
   * @throws InvalidLinkException if no linking is under way, or the envelope does not open
   */
  String complete(DeviceAddress from, byte[] envelope) throws InvalidLinkException {
    if (!from.userId().equals(self.userId())) {
      throw new InvalidLinkException("linking envelope from another account: " + from);
    }
    if (request == null) {
      throw new InvalidLinkException("no linking code is shown on this device");
    }
    LinkEnvelope.Opened opened = request.open(self, envelope);
    request = null;
    crypto.adoptAccount(opened.account());
    return opened.confirmationCode();
  }

  /**
   * On a device of the account: seals the account key to the code typed from the new device and
   * sends it there through the server.
   *
   * @return the confirmation code both devices show
   * @throws InvalidLinkException if the code is mistyped or names this device
   * @throws RequestFailedException {@code not_found} if the new device is not connected
   */
  String approve(String typedCode) throws CipherTalkException, CryptoException {
    LinkingCode code = LinkingCode.parse(typedCode);
    if (code.deviceId() == self.deviceId()) {
      throw new InvalidLinkException("the code names this device itself");
    }
    DeviceAddress target = new DeviceAddress(self.userId(), code.deviceId());
    if (link.certificate(target, true).isPresent() || crypto.isRevoked(target)) {
      throw new InvalidLinkException("device " + code.deviceId()
          + " already has a certificate (or was revoked); link the new device under a new device id");
    }
    LinkEnvelope.Sealed sealed = LinkEnvelope.seal(code, self.userId(), crypto.accountKeyPair(),
        clock.instant(), random);
    link.sendLinkEnvelope(code.deviceId(), sealed.envelope());
    return sealed.confirmationCode();
  }

  /** This account's devices with a certificate that verifies under the account key. */
  List<Integer> certifiedDevices() throws CipherTalkException {
    java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
    if (crypto.hasAccountKey()) {
      out.add(self.deviceId());
    }
    for (int d : link.devices(self.userId())) {
      DeviceAddress a = new DeviceAddress(self.userId(), d);
      if (d == self.deviceId()) {
        continue;
      }
      Optional<byte[]> cert = link.certificate(a, false);
      if (cert.isPresent() && !crypto.isRevoked(a) && certifiedHere(a, cert.get())) {
        out.add(d);
      }
    }
    return List.copyOf(out);
  }

  private boolean certifiedHere(DeviceAddress a, byte[] cert) {
    try {
      DeviceCertificate c = DeviceCertificate.deserialize(cert);
      c.verify(crypto.accountKeyPair().publicKey(), a);
      return true;
    } catch (InvalidCertificateException | IllegalStateException e) {
      return false;
    }
  }

  /** Signs a revocation of this account's device {@code deviceId}; returns it. */
  byte[] revoke(int deviceId) throws CipherTalkException, CryptoException {
    DeviceAddress target = new DeviceAddress(self.userId(), deviceId);
    byte[] cert = link.certificate(target, true).orElseThrow(() -> new RequestFailedException(
        "not_found", "device " + deviceId + " has no certificate"));
    return crypto.revoke(deviceId, cert);
  }
}
