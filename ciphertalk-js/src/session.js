// CipherTalk 1:1 sessions (docs/protocol.md, "1:1 sessions"): identity keys, prekey bundles, the
// X3DH and PQXDH handshakes and the Double Ratchet's first messages, byte-compatible with the
// Java implementation (io.ciphertalk.crypto.session).
import { concat, equal, i64, u32, utf8, Reader } from './bytes.js';
import { DuplicateMessageError, InvalidMessageError, InvalidStateError, TooManySkippedMessagesError } from './errors.js';
import {
  aesGcmOpen, aesGcmSeal, ed25519Public, ed25519Sign, ed25519Verify, hkdf, hmac,
  mlKemDecapsulate, mlKemEncapsulate, mlKemKeyPair, x25519, x25519Public,
} from './primitives.js';

export const LABELS = Object.freeze({
  identity: 'CipherTalk/1/sig/identity-x25519',
  signedPreKey: 'CipherTalk/1/sig/signed-prekey',
  kemPreKey: 'CipherTalk/1/sig/kem-prekey',
  rsaPreKey: 'CipherTalk/1/sig/rsa-prekey',
  handshake: 'CipherTalk/1/handshake/',
  root: 'CipherTalk/1/ratchet/root',
});

/** Handshake suites and their codes. */
export const SUITES = Object.freeze({ X3DH: 1, PQXDH: 2, RSA_OAEP: 3 });
const SUITE_NAMES = { 1: 'X3DH', 2: 'PQXDH', 3: 'RSA_OAEP' };
const KEM_PUBLIC_LENGTH = 1184;
const KEM_CIPHERTEXT_LENGTH = 1088;

/**
 * @typedef {{userId: string, deviceId: number}} DeviceAddress
 * @typedef {{signing: Uint8Array, agreement: Uint8Array, signature: Uint8Array, encoded: Uint8Array}} IdentityKey
 *   encoded = signing [32] || agreement [32] || signature [64] (128 bytes)
 * @typedef {{seed: Uint8Array, dh: Uint8Array, publicKey: IdentityKey}} IdentityKeyPair
 */

/** "bob.2" -> {userId, deviceId}; split at the last dot. @returns {DeviceAddress} */
export function parseAddress(text) {
  const i = text.lastIndexOf('.');
  const userId = text.slice(0, i);
  const deviceId = Number(text.slice(i + 1));
  if (i < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(userId) || !/^[1-9][0-9]{0,9}$/.test(text.slice(i + 1))
      || deviceId > 0x7fffffff) {
    throw new TypeError('not a device address');
  }
  return { userId, deviceId };
}

/** DeviceAddress.encode(): u8 n || userId [n] || u32 deviceId. */
export function encodeAddress({ userId, deviceId }) {
  const id = utf8(userId);
  return concat(Uint8Array.of(id.length), id, u32(deviceId));
}

function readAddress(r) {
  const n = r.u8();
  if (n < 1 || n > 64) throw new RangeError('bad user id length');
  const userId = new TextDecoder().decode(r.take(n));
  if (!/^[A-Za-z0-9._-]+$/.test(userId)) throw new RangeError('bad user id');
  const deviceId = r.u32();
  if (deviceId < 1 || deviceId > 0x7fffffff) throw new RangeError('bad device id');
  return { userId, deviceId };
}

/** Parses and verifies a 128-byte identity key (its self-signature). @returns {Promise<IdentityKey>} */
export async function parseIdentityKey(encoded) {
  if (encoded.length !== 128) throw new RangeError('identity key is 128 bytes');
  const signing = encoded.slice(0, 32);
  const agreement = encoded.slice(32, 64);
  const signature = encoded.slice(64, 128);
  if (!(await ed25519Verify(signing, concat(utf8(LABELS.identity), agreement), signature))) {
    throw new Error('identity key self-signature does not verify');
  }
  return { signing, agreement, signature, encoded: encoded.slice() };
}

/**
 * An identity key pair from its storage encoding u8 1 || Ed25519 seed [32] || X25519 private [32]
 * (the public key and its signature are recomputed: Ed25519 is deterministic).
 * @returns {Promise<IdentityKeyPair>}
 */
export async function identityKeyPairFromStorage(encoded) {
  if (encoded.length !== 65 || encoded[0] !== 1) throw new RangeError('not an identity key pair encoding');
  const seed = encoded.slice(1, 33);
  const dh = encoded.slice(33, 65);
  const signing = await ed25519Public(seed);
  const agreement = await x25519Public(dh);
  const signature = await ed25519Sign(seed, concat(utf8(LABELS.identity), agreement));
  return { seed, dh, publicKey: { signing, agreement, signature, encoded: concat(signing, agreement, signature) } };
}

/** Signed prekey storage encoding u8 1 || u32 id || X25519 private [32] || sig [64]. */
export async function signedPreKeyFromStorage(encoded) {
  const r = new Reader(encoded);
  if (r.u8() !== 1) throw new RangeError('version');
  const id = r.u32();
  const privateKey = r.take(32).slice();
  const signature = r.take(64).slice();
  r.done();
  return { id, privateKey, publicKey: await x25519Public(privateKey), signature };
}

/** One-time prekey storage encoding u8 1 || u32 id || X25519 private [32]. */
export async function oneTimePreKeyFromStorage(encoded) {
  const r = new Reader(encoded);
  if (r.u8() !== 1) throw new RangeError('version');
  const id = r.u32();
  const privateKey = r.take(32).slice();
  r.done();
  return { id, privateKey, publicKey: await x25519Public(privateKey) };
}

/** KEM prekey storage encoding u8 1 || u32 id || ML-KEM seed d||z [64] || sig [64]. */
export function kemPreKeyFromStorage(encoded) {
  const r = new Reader(encoded);
  if (r.u8() !== 1) throw new RangeError('version');
  const id = r.u32();
  const { publicKey, secretKey } = mlKemKeyPair(r.take(64).slice());
  const signature = r.take(64).slice();
  r.done();
  return { id, publicKey, secretKey, signature };
}

/**
 * Parses PreKeyBundle.serialize() and verifies the identity self-signature and every prekey
 * signature (docs/protocol.md "Prekey bundle"). RSA prekeys are carried but not checked here.
 */
export async function parseBundle(bytes) {
  if (bytes.length > 8192) throw new RangeError('bundle too large');
  const r = new Reader(bytes);
  if (r.u8() !== 1) throw new RangeError('bundle version');
  const address = readAddress(r);
  const identity = await parseIdentityKey(r.take(128).slice());
  const b = { address, identity, oneTime: null, kem: null, rsa: null };
  const spkId = r.u32();
  b.signedPreKey = { id: spkId, publicKey: r.take(32).slice(), signature: r.take(64).slice() };
  const flags = r.u8();
  if (flags & ~7) throw new RangeError('unknown bundle flags');
  if (flags & 1) b.oneTime = { id: r.u32(), publicKey: r.take(32).slice() };
  if (flags & 2) b.kem = { id: r.u32(), publicKey: r.take(KEM_PUBLIC_LENGTH).slice(), signature: r.take(64).slice() };
  if (flags & 4) {
    const id = r.u32();
    const der = r.take(r.u16()).slice();
    b.rsa = { id, publicKey: der, signature: r.take(64).slice() };
  }
  r.done();
  await verifyBundle(b);
  return b;
}

/**
 * PreKeyBundle.serialize() of a bundle in the form parseBundle returns (RSA prekeys are not written
 * here): u8 1 || address || IdentityKey [128] || u32 spkId || SPK [32] || sig [64] || u8 flags ||
 * [u32 id || OPK [32]] || [u32 id || PQSPK [1184] || sig [64]].
 */
export function serializeBundle(b) {
  if (b.rsa) throw new RangeError('RSA prekeys are not supported here');
  const parts = [Uint8Array.of(1), encodeAddress(b.address), b.identity.encoded, u32(b.signedPreKey.id),
    b.signedPreKey.publicKey, b.signedPreKey.signature, Uint8Array.of((b.oneTime ? 1 : 0) | (b.kem ? 2 : 0))];
  if (b.oneTime) parts.push(u32(b.oneTime.id), b.oneTime.publicKey);
  if (b.kem) parts.push(u32(b.kem.id), b.kem.publicKey, b.kem.signature);
  return concat(...parts);
}

/** Verifies the prekey signatures of a bundle built from JSON fields or parsed. */
export async function verifyBundle(b) {
  const check = async (label, key) => {
    if (!(await ed25519Verify(b.identity.signing, concat(utf8(label), u32(key.id), key.publicKey), key.signature))) {
      throw new Error(`${label} signature does not verify`);
    }
  };
  await check(LABELS.signedPreKey, b.signedPreKey);
  if (b.kem) await check(LABELS.kemPreKey, b.kem);
  if (b.rsa) await check(LABELS.rsaPreKey, b.rsa);
}

/** KDF_RK: HKDF(salt = rk, ikm = dh, info = root label, 64) -> [new rk, chain key]. */
async function kdfRoot(rk, dh) {
  const okm = await hkdf(rk, dh, utf8(LABELS.root), 64);
  return [okm.slice(0, 32), okm.slice(32, 64)];
}

/** KDF_CK: [message key, next chain key]. */
async function kdfChain(ck) {
  return [await hmac(ck, Uint8Array.of(1)), await hmac(ck, Uint8Array.of(2))];
}

/**
 * The initiator's side of X3DH or PQXDH and its first (initial) messages. `random(n)` supplies
 * randomness in the order the Java implementation draws it (EK, the ML-KEM message, the first
 * ratchet key, then one 12-byte nonce per message), so test vectors reproduce byte for byte; in
 * an application pass `n => crypto.getRandomValues(new Uint8Array(n))`.
 */
export async function initiate({ identity, localAddress, bundle, suite, random }) {
  const code = SUITES[suite];
  if (code !== 1 && code !== 2) throw new Error(`suite ${suite} is not supported here`);
  if (code === 2 && !bundle.kem) throw new Error('bundle has no KEM prekey');
  const ek = random(32);
  const ekPublic = await x25519Public(ek);
  const dh1 = await x25519(identity.dh, bundle.signedPreKey.publicKey);
  const dh2 = await x25519(ek, bundle.identity.agreement);
  const dh3 = await x25519(ek, bundle.signedPreKey.publicKey);
  const parts = [new Uint8Array(32).fill(0xff), dh1, dh2, dh3];
  if (bundle.oneTime) parts.push(await x25519(ek, bundle.oneTime.publicKey));
  let suiteFields = new Uint8Array(0);
  if (code === 2) {
    const { cipherText, sharedSecret } = mlKemEncapsulate(bundle.kem.publicKey, random(32));
    parts.push(sharedSecret);
    suiteFields = concat(u32(bundle.kem.id), cipherText);
  }
  const info = concat(utf8(LABELS.handshake + suite), encodeAddress(localAddress), encodeAddress(bundle.address));
  const sk = await hkdf(new Uint8Array(32), concat(...parts), info, 32);
  const ratchet = clamp(random(32));
  const [rk, cks] = await kdfRoot(sk, await x25519(ratchet, bundle.signedPreKey.publicKey));
  const prefix = concat(Uint8Array.of(1, 1, code), identity.publicKey.encoded, ekPublic,
      u32(bundle.signedPreKey.id), u32(bundle.oneTime ? bundle.oneTime.id : 0), suiteFields);
  return {
    suite: code, rk, cks, ns: 0, nr: 0, pn: 0, dhs: ratchet, ratchetPublic: await x25519Public(ratchet),
    dhr: null, ckr: null, skipped: new Map(), retired: [], prefix, baseKey: ekPublic,
    remoteAddress: bundle.address, local: identity.publicKey, remote: bundle.identity, random,
  };
}

/**
 * Encrypts with the sending chain (docs/protocol.md "Double Ratchet", "Message formats"): an
 * initial message while the handshake is pending (state.prefix set), else a ratchet message.
 * @param {Uint8Array} messageId 16 bytes  @param {number} expiresAt Unix ms, 0 = none
 */
export async function encrypt(state, plaintext, messageId, expiresAt) {
  const [mk, next] = await kdfChain(state.cks);
  const nonce = state.random(12);
  const body = concat(state.ratchetPublic, u32(state.pn), u32(state.ns), messageId, i64(expiresAt), nonce);
  const header = state.prefix ? concat(state.prefix, body) : concat(Uint8Array.of(1, 2, state.suite), body);
  const ad = concat(state.local.encoded.subarray(0, 64), state.remote.encoded.subarray(0, 64), header);
  const ciphertext = await aesGcmSeal(mk, nonce, plaintext, ad);
  state.cks = next;
  state.ns += 1;
  return concat(header, ciphertext);
}

/**
 * Reads an initial message's handshake fields (no decryption).
 * @returns {{suite: number, identity: Uint8Array, baseKey: Uint8Array, signedPreKeyId: number,
 *   oneTimePreKeyId: number, kemId?: number, kemCipherText?: Uint8Array, header: Uint8Array,
 *   body: Uint8Array, ciphertext: Uint8Array}}
 */
export function parseInitialMessage(bytes) {
  const r = new Reader(bytes);
  if (r.u8() !== 1 || r.u8() !== 1) throw new RangeError('not an initial message');
  const suite = r.u8();
  const m = { suite, identity: r.take(128).slice(), baseKey: r.take(32).slice(), signedPreKeyId: r.u32(), oneTimePreKeyId: r.u32() };
  if (suite === 2) {
    m.kemId = r.u32();
    m.kemCipherText = r.take(KEM_CIPHERTEXT_LENGTH).slice();
  } else if (suite !== 1) {
    throw new RangeError(`suite ${suite} is not supported here`);
  }
  m.body = r.take(76).slice();
  m.header = bytes.slice(0, r.off);
  m.ciphertext = bytes.slice(r.off);
  return m;
}

/** Where the 76-byte ratchet body starts in a message of this type and suite. */
function bodyOffset(type, suite) {
  if (type === 2) return 3;
  if (type !== 1) throw new RangeError('not a 1:1 message');
  if (suite === 1) return 171;
  if (suite === 2) return 171 + 4 + KEM_CIPHERTEXT_LENGTH;
  throw new RangeError(`suite ${suite} is not supported here`);
}

/** Splits a 1:1 message into header, ratchet fields and ciphertext. */
function parseMessage(bytes) {
  if (bytes.length < 3 || bytes[0] !== 1) throw new RangeError('not a version 1 message');
  const off = bodyOffset(bytes[1], bytes[2]);
  if (bytes.length < off + 76 + 16) throw new RangeError('message too short');
  const body = bytes.subarray(off, off + 76);
  const view = new DataView(body.buffer, body.byteOffset, 76);
  return {
    type: bytes[1], suite: bytes[2], header: bytes.slice(0, off + 76),
    dh: body.slice(0, 32), pn: view.getUint32(32), n: view.getUint32(36), messageId: body.slice(40, 56),
    expiresAt: Number(view.getBigInt64(56)), nonce: body.slice(64, 76), ciphertext: bytes.slice(off + 76),
  };
}

export const MAX_SKIP = 2000;
/** Skipped message keys kept per session in total; beyond it the oldest are evicted. */
export const MAX_SKIPPED_KEYS = 5000;
const MAX_RETIRED = 64;
const skipKey = (dh, n) => `${toHexKey(dh)}:${n}`;
function toHexKey(b) {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * True if the initial message `bytes` belongs to the handshake `state` was made from (same suite,
 * base key and sender identity): Session.isSameHandshake. Such a message is decrypted by `state`.
 */
export function isSameHandshake(state, bytes) {
  let m;
  try {
    m = parseInitialMessage(bytes);
  } catch {
    return false;
  }
  return !!state.baseKey && m.suite === state.suite && equal(m.baseKey, state.baseKey)
      && equal(m.identity, state.remote.encoded);
}

/**
 * Decrypts a 1:1 message (docs/protocol.md "Double Ratchet", "Decrypting"): plans on copies,
 * opens with AES-GCM, and changes `state` only if the tag verifies. Returns
 * {plaintext, messageId, expiresAt}. Throws InvalidMessageError (altered, forged, unparseable, of
 * another handshake), DuplicateMessageError (replayed or evicted key) or
 * TooManySkippedMessagesError; after any of them `state` is as it was.
 */
export async function decrypt(state, bytes) {
  let m;
  try {
    m = parseMessage(bytes);
  } catch (e) {
    throw new InvalidMessageError(`not a 1:1 message: ${e.message}`);
  }
  if (m.suite !== state.suite) throw new InvalidMessageError('suite does not match the session');
  if (m.type === 1 && !isSameHandshake(state, bytes)) throw new InvalidMessageError('initial message of another handshake');
  const ad = concat(state.remote.encoded.subarray(0, 64), state.local.encoded.subarray(0, 64), m.header);
  const open = async (mk) => {
    try {
      return await aesGcmOpen(mk, m.nonce, m.ciphertext, ad);
    } catch {
      throw new InvalidMessageError('message does not authenticate (altered or not for this session)');
    }
  };
  const key = skipKey(m.dh, m.n);
  if (state.skipped.has(key)) {
    const plaintext = await open(state.skipped.get(key));
    state.skipped.delete(key);
    return done(state, m, plaintext);
  }
  const newSkipped = new Map();
  const deriveUpTo = async (ck, from, to, dh) => {
    for (let i = from; i < to; i++) {
      const [mk, next] = await kdfChain(ck);
      newSkipped.set(skipKey(dh, i), mk);
      ck = next;
    }
    return ck;
  };
  if (state.dhr && equal(m.dh, state.dhr)) {
    if (m.n < state.nr) throw new DuplicateMessageError('message key already used', m.messageId);
    if (m.n - state.nr > MAX_SKIP) throw new TooManySkippedMessagesError(`message ${m.n} is more than ${MAX_SKIP} ahead`);
    const ck = await deriveUpTo(state.ckr, state.nr, m.n, m.dh);
    const [mk, next] = await kdfChain(ck);
    const plaintext = await open(mk);
    state.ckr = next;
    state.nr = m.n + 1;
    addSkipped(state, newSkipped);
    return done(state, m, plaintext);
  }
  if (state.retired.some((r) => equal(r, m.dh))) throw new DuplicateMessageError('message of a retired chain', m.messageId);
  // A new peer ratchet key: a DH ratchet step.
  if (m.n > MAX_SKIP || (state.dhr && m.pn - state.nr > MAX_SKIP)) throw new TooManySkippedMessagesError('too many skipped messages');
  if (state.dhr) await deriveUpTo(state.ckr, state.nr, m.pn, state.dhr);
  let dh;
  try {
    dh = await x25519(state.dhs, m.dh);
  } catch {
    throw new InvalidMessageError('low-order ratchet key');
  }
  const [rk1, ckr0] = await kdfRoot(state.rk, dh);
  const ck = await deriveUpTo(ckr0, 0, m.n, m.dh);
  const [mk, next] = await kdfChain(ck);
  const plaintext = await open(mk);
  // Commit.
  addSkipped(state, newSkipped);
  if (state.dhr) state.retired = [state.dhr, ...state.retired].slice(0, MAX_RETIRED);
  state.dhr = m.dh;
  state.ckr = next;
  state.nr = m.n + 1;
  state.pn = state.ns;
  state.ns = 0;
  state.dhs = clamp(state.random(32));
  state.ratchetPublic = await x25519Public(state.dhs);
  [state.rk, state.cks] = await kdfRoot(rk1, await x25519(state.dhs, m.dh));
  return done(state, m, plaintext);
}

/** Adds newly skipped keys and evicts the oldest beyond MAX_SKIPPED_KEYS (Map order = age). */
function addSkipped(state, fresh) {
  for (const [k, v] of fresh) state.skipped.set(k, v);
  for (const k of state.skipped.keys()) {
    if (state.skipped.size <= MAX_SKIPPED_KEYS) break;
    state.skipped.get(k).fill(0);
    state.skipped.delete(k);
  }
}

function done(state, m, plaintext) {
  state.prefix = null; // any authenticated message ends the initiator's pending handshake
  return { plaintext, messageId: m.messageId, expiresAt: m.expiresAt };
}

/**
 * The responder's side of X3DH or PQXDH: derives SK from its own keys for an initial message
 * from `remoteAddress` (the address the server delivered it from: it is bound into SK, so a
 * relabelled message does not open) and decrypts it. Returns {state, plaintext, messageId,
 * sender}; throws, with nothing to undo, if anything does not authenticate.
 */
export async function respond({ identity, localAddress, remoteAddress, signedPreKey, oneTimePreKey, kemPreKey, message, random }) {
  let m;
  let peer;
  try {
    m = parseInitialMessage(message);
    peer = await parseIdentityKey(m.identity);
  } catch (e) {
    throw new InvalidMessageError(`not a valid initial message: ${e.message}`);
  }
  if (!signedPreKey || m.signedPreKeyId !== signedPreKey.id) throw new InvalidMessageError('unknown signed prekey');
  const dh = async (priv, pub) => {
    try {
      return await x25519(priv, pub);
    } catch {
      throw new InvalidMessageError('low-order key in the initial message');
    }
  };
  const parts = [new Uint8Array(32).fill(0xff),
    await dh(signedPreKey.privateKey, peer.agreement),
    await dh(identity.dh, m.baseKey),
    await dh(signedPreKey.privateKey, m.baseKey)];
  if (m.oneTimePreKeyId !== 0) {
    if (!oneTimePreKey || oneTimePreKey.id !== m.oneTimePreKeyId) throw new InvalidMessageError('unknown one-time prekey');
    parts.push(await dh(oneTimePreKey.privateKey, m.baseKey));
  }
  if (m.suite === 2) {
    if (!kemPreKey || kemPreKey.id !== m.kemId) throw new InvalidMessageError('unknown KEM prekey');
    parts.push(mlKemDecapsulate(m.kemCipherText, kemPreKey.secretKey));
  }
  const info = concat(utf8(LABELS.handshake + SUITE_NAMES[m.suite]), encodeAddress(remoteAddress), encodeAddress(localAddress));
  const sk = await hkdf(new Uint8Array(32), concat(...parts), info, 32);
  const state = {
    suite: m.suite, rk: sk, dhs: signedPreKey.privateKey, ratchetPublic: signedPreKey.publicKey, dhr: null,
    cks: null, ckr: null, ns: 0, nr: 0, pn: 0, skipped: new Map(), retired: [], prefix: null,
    baseKey: m.baseKey, remoteAddress, local: identity.publicKey, remote: peer, random,
  };
  const opened = await decrypt(state, message);
  return { state, sender: peer, ...opened };
}

/** RFC 7748 clamping, as the Java implementation applies to every X25519 private key it draws. */
export function clamp(k) {
  const c = k.slice();
  c[0] &= 248;
  c[31] &= 127;
  c[31] |= 64;
  return c;
}

/**
 * Session.serialize() (docs/protocol.md "Session state"): secret, store it encrypted. Skipped
 * keys oldest first, retired peer ratchet keys newest first.
 */
export function serializeSession(state) {
  const flags = (state.baseKey ? 1 : 0) | (state.dhr ? 2 : 0) | (state.prefix ? 4 : 0) | (state.cks ? 8 : 0);
  const parts = [Uint8Array.of(1, state.suite), encodeAddress(state.remoteAddress), state.local.encoded,
    state.remote.encoded, Uint8Array.of(flags)];
  if (state.baseKey) parts.push(state.baseKey);
  parts.push(state.rk, state.dhs);
  if (state.cks) parts.push(state.cks);
  parts.push(u32(state.ns), u32(state.pn));
  if (state.dhr) parts.push(state.dhr, state.ckr, u32(state.nr));
  if (state.prefix) parts.push(Uint8Array.of(state.prefix.length >> 8, state.prefix.length & 0xff), state.prefix);
  parts.push(Uint8Array.of(state.retired.length), ...state.retired);
  parts.push(u32(state.skipped.size));
  for (const [k, mk] of state.skipped) {
    const [dh, n] = k.split(':');
    parts.push(fromHexKey(dh), u32(Number(n)), mk);
  }
  return concat(...parts);
}

function fromHexKey(hex) {
  return Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
}

const MAX_STATE_BYTES = 1 << 20;

/**
 * Reads Session.serialize() back (docs/protocol.md "Session state"): the inverse of
 * serializeSession, byte-compatible with the Java state. `random(n)` is the randomness the session
 * will use from now on (it is not part of the state). Throws InvalidStateError on anything that
 * does not decode.
 */
export async function deserializeSession(bytes, random) {
  try {
    if (bytes.length > MAX_STATE_BYTES) throw new RangeError('session state larger than 1 MiB');
    const r = new Reader(bytes);
    if (r.u8() !== 1) throw new RangeError('unknown session state version');
    const suite = r.u8();
    if (suite !== 1 && suite !== 2) throw new RangeError(`suite ${suite} is not supported here`);
    const remoteAddress = readAddress(r);
    const local = await parseIdentityKey(r.take(128).slice());
    const remote = await parseIdentityKey(r.take(128).slice());
    const flags = r.u8();
    if (flags & ~15) throw new RangeError('unknown state flags');
    const state = { suite, remoteAddress, local, remote, random, baseKey: null, dhr: null, ckr: null, nr: 0, cks: null, prefix: null };
    if (flags & 1) state.baseKey = r.take(32).slice();
    state.rk = r.take(32).slice();
    state.dhs = r.take(32).slice();
    state.ratchetPublic = await x25519Public(state.dhs);
    if (flags & 8) state.cks = r.take(32).slice();
    state.ns = r.u32();
    state.pn = r.u32();
    if (flags & 2) {
      state.dhr = r.take(32).slice();
      state.ckr = r.take(32).slice();
      state.nr = r.u32();
    }
    if (flags & 4) state.prefix = r.take(r.u16()).slice();
    const retired = r.u8();
    if (retired > MAX_RETIRED) throw new RangeError('too many retired keys');
    state.retired = [];
    for (let i = 0; i < retired; i++) state.retired.push(r.take(32).slice());
    const k = r.u32();
    if (k > MAX_SKIPPED_KEYS) throw new RangeError('too many skipped keys');
    state.skipped = new Map();
    for (let i = 0; i < k; i++) {
      const dh = r.take(32);
      state.skipped.set(skipKey(dh, r.u32()), r.take(32).slice());
    }
    r.done();
    return state;
  } catch (e) {
    throw new InvalidStateError(`session state does not decode: ${e.message}`, { cause: e });
  }
}
