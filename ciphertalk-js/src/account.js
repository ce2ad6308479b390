// Device certificates (docs/protocol.md, "Accounts and devices"), byte-compatible with
// io.ciphertalk.crypto.account.DeviceCertificate.
import { concat, equal, utf8, Reader } from './bytes.js';
import { ed25519Verify } from './primitives.js';
import { parseIdentityKey } from './session.js';

const CERTIFICATE_LABEL = 'CipherTalk/1/sig/device-certificate';

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
  const n = r.u8();
  if (n < 1 || n > 64) throw new Error('certificate user id');
  const userId = new TextDecoder().decode(r.take(n));
  if (!/^[A-Za-z0-9._-]+$/.test(userId)) throw new Error('certificate user id');
  const deviceId = r.u32();
  if (deviceId < 1 || deviceId > 0x7fffffff) throw new Error('certificate device id');
  const identityKey = await parseIdentityKey(r.take(128).slice());
  const at = r.take(8);
  const createdAt = Number(new DataView(at.buffer, at.byteOffset, 8).getBigInt64(0));
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
