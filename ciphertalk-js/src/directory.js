// The directory as one client trusts it (docs/protocol.md "What clients do with these"): a
// device counts only with a device certificate under the account key pinned for its user (trust on
// first use, per account) and no verified revocation; new devices and revocations are announced.
import { fromBase64Url, equal } from './bytes.js';
import { parseAddress } from './session.js';
import { verifyDeviceCertificate } from './account.js';
import { CipherTalkError, UntrustedDeviceError } from './errors.js';

const addr = (a) => `${a.userId}.${a.deviceId}`;

/**
 * Checks directory entries (the `bundles` answer) for one client and remembers what it verified.
 * Runs on the client's event loop only.
 */
export class Directory {
  #c;
  #certified = new Map(); // "user.device" -> IdentityKey (from a verified certificate)
  #known = new Map(); // user -> Set of certified devices last seen

  /**
   * @param {{store: object, address: {userId: string, deviceId: number}, request: (frame: object) => Promise<object>,
   *   emit: (event: string, value: object) => void, revocations: import('./linking.js').RevocationBook}} ctx
   */
  constructor(ctx) {
    this.#c = ctx;
  }

  /**
   * Verifies a JSON bundle entry's certificate (pinning the user's account key on first sight)
   * and returns the certified identity key. Throws UntrustedDeviceError.
   */
  async checkCertificate(entry, revocations) {
    const address = parseAddress(entry.device);
    if (!entry.certificate) throw new UntrustedDeviceError(`${entry.device} has no device certificate`, address);
    const pinned = await this.#c.store.get('accounts', address.userId);
    let cert;
    try {
      cert = await verifyDeviceCertificate(fromBase64Url(entry.certificate), { address, pinnedAccountKey: pinned });
    } catch (e) {
      throw new UntrustedDeviceError(`certificate of ${entry.device} refused: ${e.message}`, address);
    }
    if (entry.identityKey && !equal(fromBase64Url(entry.identityKey), cert.identityKey.encoded)) {
      throw new UntrustedDeviceError(`certificate of ${entry.device} names another identity key`, address);
    }
    if (!pinned) await this.#c.store.put('accounts', address.userId, cert.accountKey);
    // Revocations served with the bundles count only once verified under the pinned account key.
    await this.acceptRevocations(address.userId, revocations);
    if (await this.#c.revocations.isRevoked(cert)) {
      this.#certified.delete(entry.device);
      throw new UntrustedDeviceError(`${entry.device} was revoked by its account`, address, { revoked: true });
    }
    this.#certified.set(entry.device, cert.identityKey);
    return cert.identityKey;
  }

  /** Keeps the valid new revocations of `userId`'s devices; forgets those devices' sessions at once. */
  async acceptRevocations(userId, encodings) {
    if (!Array.isArray(encodings) || encodings.length === 0) return;
    const pinned = await this.#c.store.get('accounts', userId);
    const fresh = await this.#c.revocations.accept(userId, encodings, pinned, (error) => this.#c.emit('revocationRefused', { userId, error }));
    for (const r of fresh) {
      const device = addr(r.address);
      this.#certified.delete(device);
      this.#known.get(userId)?.delete(device);
      await this.#c.store.delete('sessions', device);
      this.#c.emit('deviceRevoked', { userId, deviceId: r.address.deviceId, revokedBy: r.revokedBy });
    }
  }

  /** A `DEVICES_CHANGED` notice: look at the user's devices again (revocations, new devices). */
  async onDevicesChanged(userId) {
    for (const d of [...this.#certified.keys()]) if (d.startsWith(`${userId}.`)) this.#certified.delete(d);
    try {
      await this.devicesOf(userId);
    } catch (e) {
      if (!(e instanceof CipherTalkError)) throw e;
      return; // looked at again on the next send to that user
    }
    this.#c.emit('devicesChanged', { userId });
  }

  /** The user's certified devices (lists them without using up one-time prekeys). */
  async devicesOf(userId) {
    const reply = await this.#c.request({ type: 'bundle_fetch', user: userId, withOneTimePreKey: false });
    const out = [];
    for (const b of reply.bundles) {
      if (b.device === addr(this.#c.address)) continue;
      try {
        await this.checkCertificate(b, reply.revocations);
        out.push(b.device);
      } catch (e) {
        if (!(e instanceof UntrustedDeviceError)) throw e;
        if (!e.revoked) this.#c.emit('undecryptable', { sender: parseAddress(b.device), error: e });
      }
    }
    const known = this.#known.get(userId);
    if (known) {
      for (const d of out) if (!known.has(d)) this.#c.emit('deviceLinked', parseAddress(d));
    }
    this.#known.set(userId, new Set(out));
    return out;
  }

  /** The certified identity key of a sender device, from the directory if not yet known. */
  async senderIdentity(device) {
    if (!this.#certified.has(device)) {
      const address = parseAddress(device);
      const reply = await this.#c.request({ type: 'bundle_fetch', user: address.userId, withOneTimePreKey: false });
      const entry = reply.bundles.find((b) => b.device === device);
      if (!entry) throw new UntrustedDeviceError(`${device} is not in the directory`, address);
      await this.checkCertificate(entry, reply.revocations);
    }
    return this.#certified.get(device);
  }
}
