// Device certificates (docs/protocol.md, "Accounts and devices"), byte-compatible with
// io.ciphertalk.crypto.account.DeviceCertificate.
import { concat, equal, i64, u32, utf8, Reader } from './bytes.js';
import { aesGcmOpen, aesGcmSeal, ed25519Public, ed25519Sign, ed25519Verify, hkdf, x25519, x25519Public } from './primitives.js';
import { clamp, encodeAddress, parseIdentityKey } from './session.js';
import { InvalidLinkError } from './errors.js';

const CERTIFICATE_LABEL = 'CipherTalk/1/sig/device-certificate';

/** DeviceAddress.encode() read back with the spec's checks; errors name `what` (certificate, revocation). */
function readAddressChecked(r, what) {
  const n = r.u8();
  if (n < 1 || n > 64) throw new Error(`${what} user id`);
  const userId = new TextDecoder().decode(r.take(n));
  if (!/^[A-Za-z0-9._-]+$/.test(userId)) throw new Error(`${what} user id`);
  const deviceId = r.u32();
  if (deviceId < 1 || deviceId > 0x7fffffff) throw new Error(`${what} device id`);
  return { userId, deviceId };
}

function readI64(r) {
  const b = r.take(8);
  return Number(new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0));
}

/**
 * Parses a device certificate and runs the checks of "Device certificate (version 1)" in order:
 * length, version, address, the identity key's self-signature, createdAt, the account key's
 * signature. Then, if given, the pinned account key and the address the certificate is used for.
 * @param {Uint8Array} bytes
 * @param {{pinnedAccountKey?: Uint8Array, address?: {userId: string, deviceId: number}}} [expect]
 */
export async function verifyDeviceCertificate(bytes, expect = {}) {
  if (bytes.length < 240 || bytes.length > 303) throw new Error('certificate length');
  const r = new Reader(bytes);
  if (r.u8() !== 1) throw new Error('certificate version');
  const { userId, deviceId } = readAddressChecked(r, 'certificate');
  const identityKey = await parseIdentityKey(r.take(128).slice());
  const createdAt = readI64(r);
  if (createdAt < 0) throw new Error('certificate createdAt');
  const accountKey = r.take(32).slice();
  const body = bytes.subarray(0, r.off);
  const signature = r.take(64);
  r.done();
  if (!(await ed25519Verify(accountKey, concat(utf8(CERTIFICATE_LABEL), body), signature))) {
    throw new Error('certificate signature does not verify');
  }
  if (expect.pinnedAccountKey && !equal(expect.pinnedAccountKey, accountKey)) throw new Error('certificate of another account key');
  if (expect.address && (expect.address.userId !== userId || expect.address.deviceId !== deviceId)) {
    throw new Error('certificate of another device');
  }
  return { address: { userId, deviceId }, identityKey, createdAt, accountKey };
}

/**
 * Issues a device certificate (docs/protocol.md "Device certificate (version 1)"):
 * u8 1 || DeviceAddress.encode() || IdentityKey [128] || i64 createdAt || account key [32] ||
 * Ed25519 signature by the account key over the label and everything before it.
 * @param {{accountSeed: Uint8Array, address: {userId: string, deviceId: number}, identityKey: Uint8Array, createdAt: number}} p
 */
export async function issueDeviceCertificate({ accountSeed, address, identityKey, createdAt }) {
  if (identityKey.length !== 128) throw new RangeError('identity key is 128 bytes');
  const body = concat(Uint8Array.of(1), encodeAddress(address), identityKey, i64(createdAt), await ed25519Public(accountSeed));
  return concat(body, await ed25519Sign(accountSeed, concat(utf8(CERTIFICATE_LABEL), body)));
}

const SAFETY_LABEL = 'CipherTalk/1/account-safety-number';

async function sha512(data) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-512', data));
}

/** One account's fingerprint and 30-digit half (5,200 SHA-512 iterations). */
async function safetyHalf(userId, accountKey) {
  const u = utf8(userId);
  let h = await sha512(concat(utf8(SAFETY_LABEL), Uint8Array.of(0, 1), accountKey, Uint8Array.of(u.length), u));
  for (let i = 0; i < 5199; i++) h = await sha512(concat(h, accountKey));
  let digits = '';
  for (let i = 0; i < 6; i++) {
    let v = 0n;
    for (let j = 0; j < 5; j++) v = (v << 8n) | BigInt(h[5 * i + j]);
    digits += String(v % 100000n).padStart(5, '0');
  }
  return { digits, fingerprint: h.slice(0, 32) };
}

/**
 * The safety number of two accounts (docs/protocol.md "Account safety number"): 60 digits, the
 * two halves in ascending order, and the scannable payload u8 1 || fingerprint || fingerprint in
 * the same order, also as text "ciphertalk-sn:" + base64url.
 */
export async function accountSafetyNumber(userA, accountKeyA, userB, accountKeyB) {
  const [x, y] = [await safetyHalf(userA, accountKeyA), await safetyHalf(userB, accountKeyB)]
      .sort((p, q) => (p.digits < q.digits ? -1 : p.digits > q.digits ? 1 : 0));
  const scannable = concat(Uint8Array.of(1), x.fingerprint, y.fingerprint);
  let b64 = '';
  for (const c of scannable) b64 += String.fromCharCode(c);
  b64 = btoa(b64).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const digits = x.digits + y.digits;
  return { digits, display: digits.match(/.{5}/g).join(' '), scannable, scannableText: `ciphertalk-sn:${b64}` };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Crockford base32 of the 40-byte linking code: 64 characters. */
export function linkingCodeText(code) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of code) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The linking code a new device shows: u8 1 || u32 deviceId || N [32] || checksum [3], with
 * checksum = SHA-256("CipherTalk/1/link/code" || the 37 bytes before it)[0..3].
 */
export async function linkingCode(deviceId, publicKey) {
  const body = concat(Uint8Array.of(1), u32(deviceId), publicKey);
  const sum = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', concat(utf8('CipherTalk/1/link/code'), body)));
  return concat(body, sum.slice(0, 3));
}

/**
 * Opens a linking envelope with the new device's X25519 private key `n` and its own code, and
 * checks the payload names `address`. Returns {accountSeed, issuedAt, confirmationCode}.
 */
export async function openLinkEnvelope(envelope, code, n, address) {
  if (envelope.length < 108 || envelope.length > 171 || envelope[0] !== 1) throw new Error('not a linking envelope');
  const header = envelope.subarray(0, 45);
  const e = header.subarray(1, 33);
  const nonce = header.subarray(33, 45);
  const okm = await hkdf(new Uint8Array(32), await x25519(n, e), concat(utf8('CipherTalk/1/link/envelope'), code, e), 64);
  const payload = await aesGcmOpen(okm.slice(0, 32), nonce, envelope.subarray(45), concat(code, header));
  const r = new Reader(payload);
  if (r.u8() !== 1) throw new Error('payload version');
  const nlen = r.u8();
  const userId = new TextDecoder().decode(r.take(nlen));
  const deviceId = r.u32();
  const accountSeed = r.take(32).slice();
  const issuedAt = readI64(r);
  r.done();
  const codeDevice = new DataView(code.buffer, code.byteOffset + 1, 4).getUint32(0);
  if (deviceId !== codeDevice || userId !== address.userId || deviceId !== address.deviceId) {
    throw new Error('envelope for another device');
  }
  let v = 0n;
  for (const b of okm.subarray(32, 37)) v = (v << 8n) | BigInt(b);
  return { accountSeed, issuedAt, confirmationCode: String(v % 1000000n).padStart(6, '0') };
}


/** The code as the Java LinkingCode.text() shows it: 16 groups of 4 characters separated by dashes. */
export function linkingCodeDisplay(code) {
  return linkingCodeText(code).match(/.{4}/g).join('-');
}

function crockfordValue(ch) {
  const c = ch === 'O' ? '0' : ch === 'I' || ch === 'L' ? '1' : ch;
  return CROCKFORD.indexOf(c);
}

/**
 * Parses a typed or scanned linking code (protocol.md "Linking a device", step 2), checking in
 * order: characters and length, checksum, version, device id. Case, dashes and spaces are ignored;
 * O reads as 0, I and L as 1; the "ciphertalk-link:" prefix of the QR payload is accepted.
 * @returns {Promise<{bytes: Uint8Array, deviceId: number, publicKey: Uint8Array}>}
 */
export async function parseLinkingCode(text) {
  if (typeof text !== 'string') throw new InvalidLinkError('not a linking code');
  let t = text.trim();
  if (t.startsWith('ciphertalk-link:')) t = t.slice('ciphertalk-link:'.length);
  t = t.replace(/[\s-]/g, '').toUpperCase();
  if (t.length !== 64 || [...t].some((c) => crockfordValue(c) < 0)) {
    throw new InvalidLinkError('not a linking code: expected 64 characters of 0-9 and A-Z (without I, L, O, U)');
  }
  const out = new Uint8Array(40);
  for (let i = 0, o = 0; i < 64; i += 8, o += 5) {
    let v = 0n;
    for (let j = 0; j < 8; j++) v = (v << 5n) | BigInt(crockfordValue(t[i + j]));
    for (let j = 4; j >= 0; j--) {
      out[o + j] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  const deviceId = new DataView(out.buffer).getUint32(1);
  const expected = await linkingCode(deviceId, out.slice(5, 37));
  if (!equal(expected.subarray(37), out.subarray(37))) throw new InvalidLinkError('linking code checksum does not match: was it mistyped?');
  if (out[0] !== 1) throw new InvalidLinkError(`unknown linking code version ${out[0]}`);
  if (deviceId < 1 || deviceId > 0x7fffffff) throw new InvalidLinkError(`linking code names an invalid device id ${deviceId}`);
  return { bytes: out, deviceId, publicKey: out.slice(5, 37) };
}

async function envelopeKeys(privateKey, peerPublic, code, e) {
  const okm = await hkdf(new Uint8Array(32), await x25519(privateKey, peerPublic), concat(utf8('CipherTalk/1/link/envelope'), code, e), 64);
  let v = 0n;
  for (const b of okm.subarray(32, 37)) v = (v << 8n) | BigInt(b);
  return { key: okm.slice(0, 32), confirmationCode: String(v % 1000000n).padStart(6, '0') };
}

/**
 * On an existing device: seals the account seed to a parsed linking code (protocol.md "Linking a
 * device", step 2), byte-compatible with LinkEnvelope.seal (randomness drawn in the same order:
 * the ephemeral scalar, then the nonce). Returns {envelope, confirmationCode}.
 */
export async function sealLinkEnvelope({ code, userId, accountSeed, issuedAt, random }) {
  const e = clamp(random(32));
  const nonce = random(12);
  const ePub = await x25519Public(e);
  const deviceId = new DataView(code.buffer, code.byteOffset + 1, 4).getUint32(0);
  const payload = concat(Uint8Array.of(1), encodeAddress({ userId, deviceId }), accountSeed, i64(issuedAt));
  const { key, confirmationCode } = await envelopeKeys(e, code.subarray(5, 37), code, ePub);
  const header = concat(Uint8Array.of(1), ePub, nonce);
  const sealed = await aesGcmSeal(key, nonce, payload, concat(code, header));
  e.fill(0);
  payload.fill(0);
  return { envelope: concat(header, sealed), confirmationCode };
}

const REVOCATION_LABEL = 'CipherTalk/1/sig/device-revocation';

/**
 * Signs the revocation of a device (docs/protocol.md "Device revocation (version 1)") from its
 * verified certificate, made on device `revokedBy` of the same account.
 */
export async function issueDeviceRevocation({ accountSeed, certificate, revokedBy, revokedAt }) {
  const accountKey = await ed25519Public(accountSeed);
  if (!equal(accountKey, certificate.accountKey)) throw new RangeError('certificate of another account key');
  if (!Number.isInteger(revokedBy) || revokedBy < 1) throw new RangeError(`revokedBy must be a device id: ${revokedBy}`);
  const body = concat(Uint8Array.of(1), encodeAddress(certificate.address), certificate.identityKey.encoded.subarray(0, 64),
    i64(revokedAt), u32(revokedBy), accountKey);
  return concat(body, await ed25519Sign(accountSeed, concat(utf8(REVOCATION_LABEL), body)));
}

/**
 * Parses a device revocation and verifies its signature under the account key it names, checking
 * in order: length (180..243), version, address, revokedAt >= 0, revokedBy >= 1, signature; then,
 * if given, that `pinnedAccountKey` signed it. Throws Error at the first failure.
 * @param {Uint8Array} bytes @param {{pinnedAccountKey?: Uint8Array}} [expect]
 */
export async function verifyDeviceRevocation(bytes, { pinnedAccountKey } = {}) {
  if (!(bytes instanceof Uint8Array) || bytes.length < 180 || bytes.length > 243) throw new Error('revocation length');
  const r = new Reader(bytes);
  if (r.u8() !== 1) throw new Error('revocation version');
  const { userId, deviceId } = readAddressChecked(r, 'revocation');
  const identityKey64 = r.take(64).slice();
  const revokedAt = readI64(r);
  if (revokedAt < 0) throw new Error('negative revocation time');
  const revokedBy = r.u32();
  if (revokedBy < 1 || revokedBy > 0x7fffffff) throw new Error('revokedBy is not a device id');
  const accountKey = r.take(32).slice();
  const body = bytes.subarray(0, r.off);
  const signature = r.take(64);
  r.done();
  if (!(await ed25519Verify(accountKey, concat(utf8(REVOCATION_LABEL), body), signature))) {
    throw new Error('device revocation signature does not verify');
  }
  if (pinnedAccountKey && !equal(pinnedAccountKey, accountKey)) throw new Error('revocation signed by another account key than the pinned one');
  return { address: { userId, deviceId }, identityKey64, revokedAt, revokedBy, accountKey };
}

/** Whether a verified revocation applies to a verified certificate: same account key, address and identity key. */
export function revokes(revocation, certificate) {
  return equal(revocation.accountKey, certificate.accountKey)
    && revocation.address.userId === certificate.address.userId && revocation.address.deviceId === certificate.address.deviceId
    && equal(revocation.identityKey64, certificate.identityKey.encoded.subarray(0, 64));
}
