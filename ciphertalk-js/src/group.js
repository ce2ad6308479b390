// CipherTalk group messages (docs/protocol.md, "Groups (Sender Keys)"): the sender-key chain, the
// distribution message (type 0x10) and the version 2 group message (type 0x11), byte-compatible
// with io.ciphertalk.crypto.group.
import { concat, equal, i64, u32, utf8, Reader } from './bytes.js';
import { aesGcmOpen, aesGcmSeal, ed25519Public, ed25519Sign, ed25519Verify, hkdf, hmac } from './primitives.js';
import { encodeAddress } from './session.js';

const KEY_INFO_V2 = 'CipherTalk group v2 message key';
const MESSAGE_SIGNATURE_V2 = 'CipherTalk group v2 message signature';
const DISTRIBUTION_SIGNATURE = 'CipherTalk group v1 distribution signature';
export const MAX_EPOCH = 2 ** 53 - 1;

function encodeRoomId(roomId) {
  const b = utf8(roomId);
  if (b.length < 1 || b.length > 128 || !/^[\x21-\x7e]+$/.test(roomId)) throw new RangeError('bad room id');
  return concat(Uint8Array.of(b.length), b);
}

function u64(v) {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError('u64 out of range');
  return i64(v);
}

/**
 * One chain step: the message seed and next chain key from CK_i, and the v2 AES key salted by
 * the message's random nonce.
 */
export async function chainStep(chainKey, nonce) {
  const seed = await hmac(chainKey, Uint8Array.of(1));
  const next = await hmac(chainKey, Uint8Array.of(2));
  const key = await hkdf(nonce, seed, utf8(KEY_INFO_V2), 32);
  return { seed, key, next };
}

/** The sender-key distribution message (signed with the sender's signing seed). */
export async function encodeDistribution({ roomId, epoch, sender, chainId, iteration, chainKey, signingSeed }) {
  const body = concat(Uint8Array.of(1, 0x10), encodeRoomId(roomId), u64(epoch), encodeAddress(sender),
      u32(chainId), u32(iteration), chainKey, await ed25519Public(signingSeed));
  return concat(body, await ed25519Sign(signingSeed, concat(utf8(DISTRIBUTION_SIGNATURE), body)));
}

/**
 * Encrypts and signs one group message at the chain's current position; returns the bytes and
 * the chain advanced by one. `nonce` is 12 fresh random bytes.
 */
export async function encryptGroupMessage({ roomId, epoch, sender, chainId, iteration, chainKey, signingSeed },
    plaintext, messageId, expiresAt, nonce) {
  const { key, next } = await chainStep(chainKey, nonce);
  const header = concat(Uint8Array.of(2, 0x11), encodeRoomId(roomId), u64(epoch), encodeAddress(sender),
      u32(chainId), u32(iteration), messageId, i64(expiresAt), nonce);
  const ciphertext = await aesGcmSeal(key, nonce, plaintext, header);
  const signed = concat(header, u32(ciphertext.length), ciphertext);
  const signature = await ed25519Sign(signingSeed, concat(utf8(MESSAGE_SIGNATURE_V2), signed));
  return { bytes: concat(signed, signature), chainKey: next, iteration: iteration + 1 };
}

/** Parses a version 2 group message's fields (no verification). */
export function parseGroupMessage(bytes) {
  const r = new Reader(bytes);
  if (r.u8() !== 2 || r.u8() !== 0x11) throw new RangeError('not a version 2 group message');
  const roomId = new TextDecoder().decode(r.take(r.u8()));
  const epochBytes = r.take(8);
  const epoch = Number(new DataView(epochBytes.buffer, epochBytes.byteOffset, 8).getBigUint64(0));
  const user = new TextDecoder().decode(r.take(r.u8()));
  const sender = { userId: user, deviceId: r.u32() };
  const m = { roomId, epoch, sender, chainId: r.u32(), iteration: r.u32(), messageId: r.take(16).slice() };
  const exp = r.take(8);
  m.expiresAt = Number(new DataView(exp.buffer, exp.byteOffset, 8).getBigInt64(0));
  m.nonce = r.take(12).slice();
  m.header = bytes.slice(0, r.off);
  const len = r.u32();
  if (len < 16 || len > 65536 + 16) throw new RangeError('bad ciphertext length');
  m.ciphertext = r.take(len).slice();
  m.signed = bytes.slice(0, r.off);
  m.signature = r.take(64).slice();
  r.done();
  return m;
}

/** Skipped message seeds kept per sender chain; beyond it the oldest are dropped. */
export const MAX_GROUP_SKIPPED = 2000;

/**
 * Verifies the signature first, then opens the message from the chain: at or after `iteration`
 * (deriving forward, at most 2,000 steps, and keeping the message seeds of the iterations it skips
 * in `skipped`, a Map iteration -> seed), or from a seed kept for an earlier iteration (late or
 * reordered messages; the seed is used once). Returns {message, plaintext, chainKey, iteration,
 * skipped} without changing the argument; throws on any failure (the caller keeps its chain).
 */
export async function decryptGroupMessage(bytes, { chainId, iteration, chainKey, signingPublicKey, skipped }) {
  const m = parseGroupMessage(bytes);
  if (!(await ed25519Verify(signingPublicKey, concat(utf8(MESSAGE_SIGNATURE_V2), m.signed), m.signature))) {
    throw new Error('group message signature does not verify');
  }
  if (m.chainId !== chainId) throw new Error('no sender key for this chain');
  const kept = new Map(skipped ?? []);
  if (m.iteration < iteration) {
    const seed = kept.get(m.iteration);
    if (!seed) throw new Error('message key already used or never received (duplicate or too old)');
    const key = await hkdf(m.nonce, seed, utf8(KEY_INFO_V2), 32);
    const plaintext = await aesGcmOpen(key, m.nonce, m.ciphertext, m.header);
    kept.delete(m.iteration);
    return { message: m, plaintext, chainKey, iteration, skipped: kept };
  }
  if (m.iteration - iteration > 2000) throw new Error('group message too far ahead');
  let ck = chainKey;
  for (let i = iteration; i < m.iteration; i++) {
    kept.set(i, await hmac(ck, Uint8Array.of(1)));
    ck = await hmac(ck, Uint8Array.of(2));
  }
  const { key, next } = await chainStep(ck, m.nonce);
  const plaintext = await aesGcmOpen(key, m.nonce, m.ciphertext, m.header);
  for (const k of kept.keys()) {
    if (kept.size <= MAX_GROUP_SKIPPED) break;
    kept.delete(k);
  }
  return { message: m, plaintext, chainKey: next, iteration: m.iteration + 1, skipped: kept };
}

/**
 * Parses a sender-key distribution message and verifies its self-signature. The caller must
 * also check that `sender` is the authenticated peer of the 1:1 session it arrived in.
 */
export async function parseDistribution(bytes) {
  if (bytes.length > 344) throw new RangeError('distribution message too large');
  const r = new Reader(bytes);
  if (r.u8() !== 1 || r.u8() !== 0x10) throw new RangeError('not a distribution message');
  const roomId = new TextDecoder().decode(r.take(r.u8()));
  const e = r.take(8);
  const epoch = Number(new DataView(e.buffer, e.byteOffset, 8).getBigUint64(0));
  if (epoch > MAX_EPOCH) throw new RangeError('epoch out of range');
  const user = new TextDecoder().decode(r.take(r.u8()));
  const sender = { userId: user, deviceId: r.u32() };
  const d = { roomId, epoch, sender, chainId: r.u32(), iteration: r.u32(), chainKey: r.take(32).slice(),
    signingPublicKey: r.take(32).slice() };
  const body = bytes.subarray(0, r.off);
  const signature = r.take(64);
  r.done();
  if (!(await ed25519Verify(d.signingPublicKey, concat(utf8(DISTRIBUTION_SIGNATURE), body), signature))) {
    throw new Error('distribution signature does not verify');
  }
  return d;
}
