// The account side of the wire client (docs/protocol.md "Linking a device", "Device revocation"):
// the new device's linking request (its ephemeral key lives in memory only, as in the Java
// LinkingRequest) and the book of verified revocations a client consults before it uses a device.
import { fromBase64Url, toBase64Url } from './bytes.js';
import { clamp } from './session.js';
import { x25519Public } from './primitives.js';
import {
  InvalidLinkError, linkingCode, linkingCodeDisplay, linkingCodeText, openLinkEnvelope, revokes, verifyDeviceRevocation,
} from './account.js';
import { decodeJson, encodeJson } from './formats.js';

/**
 * A linking code shown on a new device, and the key that opens the one envelope sent to it. The
 * key is wiped by the first envelope that opens, so a replayed or second envelope fails.
 */
export class LinkingRequest {
  #n;
  #code;

  static async create(deviceId, random) {
    const r = new LinkingRequest();
    r.#n = clamp(random(32));
    r.#code = await linkingCode(deviceId, await x25519Public(r.#n));
    return r;
  }

  /** What to show: `text` (16 groups of 4, as the Java console), `qrPayload`, and the 40 bytes. */
  get code() {
    return { text: linkingCodeDisplay(this.#code), qrPayload: `ciphertalk-link:${linkingCodeText(this.#code)}`, bytes: this.#code.slice() };
  }

  /** Opens an envelope for `address`; returns {accountSeed, issuedAt, confirmationCode}. Throws InvalidLinkError. */
  async open(envelope, address) {
    if (!this.#n) throw new InvalidLinkError('this linking code was already used');
    let opened;
    try {
      opened = await openLinkEnvelope(envelope, this.#code, this.#n, address);
    } catch (e) {
      throw new InvalidLinkError(`linking envelope refused: ${e.message}`);
    }
    this.cancel();
    return opened;
  }

  cancel() {
    this.#n?.fill(0);
    this.#n = null;
  }
}

/**
 * The revocations a client verified, per user, in the store (namespace `revocations`, key user id,
 * a JSON list of base64url encodings). A revocation is kept only if it verifies under the account
 * key pinned for its user; a certificate it `revokes` is treated as absent.
 */
export class RevocationBook {
  #store;
  #parsed = new Map(); // user -> [{bytes64, r}]
  #refused = new Set(); // encodings already refused: not verified again

  constructor(store) {
    this.#store = store;
  }

  async #load(userId) {
    if (!this.#parsed.has(userId)) {
      const v = await this.#store.get('revocations', userId);
      const list = [];
      for (const b64 of v ? decodeJson(v) : []) {
        list.push({ b64, r: await verifyDeviceRevocation(fromBase64Url(b64)) });
      }
      this.#parsed.set(userId, list);
    }
    return this.#parsed.get(userId);
  }

  /**
   * Verifies the revocations a `bundles` answer served for `userId` against `pinnedAccountKey`
   * and keeps the new valid ones. Returns the newly accepted ones ({address, ...}); a revocation
   * that does not verify, names another user or another account key is ignored (and `onRefused`
   * is told why).
   */
  async accept(userId, encodings, pinnedAccountKey, onRefused = () => {}) {
    if (!Array.isArray(encodings) || encodings.length === 0 || !pinnedAccountKey) return [];
    const list = await this.#load(userId);
    const fresh = [];
    for (const b64 of encodings) {
      if (typeof b64 !== 'string' || list.some((x) => x.b64 === b64) || this.#refused.has(b64)) continue;
      try {
        const r = await verifyDeviceRevocation(fromBase64Url(b64), { pinnedAccountKey });
        if (r.address.userId !== userId) throw new Error(`revocation of ${r.address.userId} served for ${userId}`);
        list.push({ b64: toBase64Url(fromBase64Url(b64)), r });
        fresh.push(r);
      } catch (e) {
        this.#refused.add(b64);
        onRefused(e);
      }
    }
    if (fresh.length > 0) await this.#store.put('revocations', userId, encodeJson(list.map((x) => x.b64)));
    return fresh;
  }

  /** Whether a kept revocation applies to this verified certificate. */
  async isRevoked(certificate) {
    return (await this.#load(certificate.address.userId)).some((x) => revokes(x.r, certificate));
  }

  /** Whether any kept revocation names this device (whatever its identity key). */
  async names(userId, deviceId) {
    return (await this.#load(userId)).some((x) => x.r.address.deviceId === deviceId);
  }
}
