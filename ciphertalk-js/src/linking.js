// The account side of the wire client (docs/protocol.md "Linking a device", "Device revocation"):
// the new device's linking request (its ephemeral key lives in memory only, as in the Java
// LinkingRequest) and the book of verified revocations a client consults before it uses a device.
import { equal, fromBase64Url, toBase64Url } from './bytes.js';
import { clamp, parseAddress } from './session.js';
import { ed25519Public, x25519Public } from './primitives.js';
import {
  issueDeviceRevocation, linkingCode, linkingCodeDisplay, linkingCodeText, openLinkEnvelope, parseLinkingCode, revokes,
  sealLinkEnvelope, verifyDeviceCertificate, verifyDeviceRevocation,
} from './account.js';
import { CipherTalkError, InvalidLinkError, RequestFailedError } from './errors.js';
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
  async accept(userId, encodings, pinnedAccountKey, onRefused = (_error) => {}) {
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

function safeAddress(text) {
  try {
    return parseAddress(text);
  } catch {
    return null;
  }
}

/**
 * The account's devices as one client sees them: linking this device (`start`, then the envelope
 * in `onLinkDeliver`), approving another (`approve`), listing (`devices`) and revoking (`revoke`).
 * Runs on the client's event loop only.
 */
export class AccountDevices {
  #c;
  #linking = null;

  /**
   * @param {{store: object, userId: string, deviceId: number, address: {userId: string, deviceId: number},
   *   random: (n: number) => Uint8Array, now: () => number, request: (frame: object) => Promise<object>,
   *   emit: (event: string, value: object) => void, flush: () => void, publishKeys: () => Promise<void>,
   *   devicesOf: (userId: string) => Promise<string[]>, acceptRevocations: (userId: string, list: string[]) => Promise<void>,
   *   revocations: RevocationBook}} ctx
   */
  constructor(ctx) {
    this.#c = ctx;
  }

  /**
   * On a new device of an existing account (after `linkingRequired`): makes a linking code to
   * show, and keeps its key in memory for the envelope an existing device sends (`linkCompleted`
   * follows, with the confirmation code both screens must show). Returns {text, qrPayload, bytes}:
   * `text` as the Java console prints it (16 groups of 4), `qrPayload` "ciphertalk-link:...".
   */
  async start() {
    if (await this.#c.store.get('local', 'account')) throw new CipherTalkError('already_linked', 'this device is already linked to its account');
    this.#linking?.cancel();
    this.#linking = await LinkingRequest.create(this.#c.deviceId, this.#c.random);
    return this.#linking.code;
  }

  async onLinkDeliver(f) {
    const from = safeAddress(f.from);
    try {
      if (!from || from.userId !== this.#c.userId) throw new InvalidLinkError(`linking envelope from another account: ${f.from}`);
      if (!this.#linking) throw new InvalidLinkError('no linking code is shown on this device');
      const opened = await this.#linking.open(fromBase64Url(f.envelope ?? ''), this.#c.address);
      this.#linking = null;
      // The key must be the one that certified the account's devices, not merely one that opens.
      const accountKey = await ed25519Public(opened.accountSeed);
      const own = await this.#c.request({ type: 'bundle_fetch', user: this.#c.userId, withOneTimePreKey: false });
      const certified = [];
      for (const b of own.bundles) {
        if (!b.certificate || b.device === `${this.#c.userId}.${this.#c.deviceId}`) continue;
        try {
          certified.push(await verifyDeviceCertificate(fromBase64Url(b.certificate), { address: parseAddress(b.device) }));
        } catch {
          // not one of the account's devices: it proves nothing either way
        }
      }
      if (!certified.some((c) => equal(c.accountKey, accountKey))) {
        throw new InvalidLinkError('the account key received did not certify any device of this account');
      }
      await this.#c.store.put('local', 'account', opened.accountSeed);
      opened.accountSeed.fill(0);
      await this.#c.publishKeys(); // certifies this device with the account key and publishes
      this.#c.emit('linkCompleted', { confirmationCode: opened.confirmationCode, from });
      this.#c.flush();
    } catch (e) {
      if (!(e instanceof CipherTalkError)) throw e;
      this.#c.emit('linkFailed', { from, error: e });
    }
  }

  /**
   * On a linked device: approves the new device that shows `code` (typed, with or without dashes,
   * or the scanned "ciphertalk-link:" payload) by sending it the account key sealed to the code.
   * Resolves with the confirmation code the new device must show too. Throws InvalidLinkError
   * for a mistyped code or a device id already in use, RequestFailedError NOT_FOUND if the new
   * device is not connected.
   */
  async approve(code) {
    const seed = await this.accountSeed();
    const parsed = await parseLinkingCode(code);
    const userId = this.#c.userId;
    if (parsed.deviceId === this.#c.deviceId) throw new InvalidLinkError('the code names this device itself');
    const reply = await this.#c.request({ type: 'bundle_fetch', user: userId, withOneTimePreKey: false });
    await this.#c.acceptRevocations(userId, reply.revocations);
    if (reply.bundles.some((b) => b.device === `${userId}.${parsed.deviceId}` && b.certificate)
        || await this.#c.revocations.names(userId, parsed.deviceId)) {
      throw new InvalidLinkError(`device ${parsed.deviceId} already has a certificate (or was revoked); link the new device under a new device id`);
    }
    const sealed = await sealLinkEnvelope({ code: parsed.bytes, userId, accountSeed: seed, issuedAt: this.#c.now(), random: this.#c.random });
    seed.fill(0);
    await this.#c.request({ type: 'link_send', device: parsed.deviceId, envelope: toBase64Url(sealed.envelope) });
    return sealed.confirmationCode;
  }

  /** This account's certified, unrevoked devices (this one included), as device ids. */
  async devices() {
    await this.accountSeed();
    const others = (await this.#c.devicesOf(this.#c.userId)).map((d) => parseAddress(d).deviceId);
    return [...new Set([this.#c.deviceId, ...others])].sort((a, b) => a - b);
  }

  /**
   * Revokes this account's device `deviceId` (a lost one; or this one, as on logout): signs the
   * revocation with the account key and publishes it. Contacts stop encrypting to it, and every
   * group moves to a new sender-key epoch before its next message here.
   */
  async revoke(deviceId) {
    const seed = await this.accountSeed();
    const userId = this.#c.userId;
    const reply = await this.#c.request({ type: 'bundle_fetch', user: userId, withOneTimePreKey: false });
    const entry = reply.bundles.find((b) => b.device === `${userId}.${deviceId}`);
    if (!entry?.certificate) throw new RequestFailedError('not_found', `device ${deviceId} has no certificate`);
    const certificate = await verifyDeviceCertificate(fromBase64Url(entry.certificate),
        { address: { userId, deviceId }, pinnedAccountKey: await ed25519Public(seed) });
    const revocation = toBase64Url(await issueDeviceRevocation({ accountSeed: seed, certificate, revokedBy: this.#c.deviceId,
      revokedAt: this.#c.now() }));
    seed.fill(0);
    await this.#c.request({ type: 'device_revoke', revocation });
    await this.#c.acceptRevocations(userId, [revocation]);
  }

  async accountSeed() {
    const seed = await this.#c.store.get('local', 'account');
    if (!seed) throw new CipherTalkError('not_linked', 'this device holds no account key: it is not linked yet');
    return seed;
  }

}
