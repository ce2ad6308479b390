// A passphrase-wrapped export of the account key (the 32-byte Ed25519 seed that certifies the
// account's devices), so a user can keep it off the browser and bring it back.
import { concat, fromBase64Url, toBase64Url, u32, utf8 } from './bytes.js';
import { CipherTalkError } from './errors.js';

const MAGIC = utf8('CTAK'); // CipherTalk account key
const VERSION = 1;
const KDF_PBKDF2_SHA256 = 1;
const HEADER_BYTES = 4 + 1 + 1 + 4 + 16 + 12; // magic, version, kdf, iterations, salt, iv
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const DEFAULT_ITERATIONS = 600_000;
/** Fewer is refused both ways (a weak export, or a file crafted to be guessed cheaply). */
export const MIN_ITERATIONS = 100_000;
/** More is refused on import (a crafted file must not pin the page's CPU for minutes). */
export const MAX_ITERATIONS = 10_000_000;
const TEXT_PREFIX = 'ctak1.';

/**
 * An account-key export that cannot be opened: `code` `wrong_passphrase` (the passphrase, or an
 * altered file: AES-GCM cannot tell them apart), `bad_backup` (not this format, or a parameter out
 * of range) or `backup_user_mismatch` (the export is of another account).
 */
export class AccountBackupError extends CipherTalkError {}

/**
 * Seals the account key seed under a passphrase. Format (version 1), all of it then written as
 * `ctak1.` + unpadded base64url:
 *
 * ```
 * "CTAK" || u8 version=1 || u8 kdf=1 (PBKDF2-HMAC-SHA256) || u32 iterations || salt[16] || iv[12]
 *   || AES-256-GCM(key = PBKDF2(UTF-8(NFC(passphrase)), salt, iterations, 256 bits), iv,
 *                  plaintext = u8 n || UTF-8 userId [n] || seed[32], associated data = the 38-byte header)
 * ```
 *
 * The header is authenticated, so a changed iteration count or salt fails like a wrong passphrase.
 *
 * @param {{userId: string, seed: Uint8Array, passphrase: string, iterations?: number, random?: (n: number) => Uint8Array}} o
 * @returns {Promise<string>}
 */
export async function exportAccountKey({ userId, seed, passphrase, iterations = DEFAULT_ITERATIONS,
  random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)) }) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('seed must be 32 bytes');
  if (typeof userId !== 'string' || userId.length === 0 || utf8(userId).length > 255) throw new TypeError(`bad userId: ${userId}`);
  checkPassphrase(passphrase);
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new RangeError(`iterations must be ${MIN_ITERATIONS}-${MAX_ITERATIONS}: ${iterations}`);
  }
  const salt = random(16);
  const iv = random(12);
  const header = concat(MAGIC, Uint8Array.of(VERSION, KDF_PBKDF2_SHA256), u32(iterations), salt, iv);
  const key = await deriveKey(passphrase, salt, iterations, ['encrypt']);
  const user = utf8(userId);
  const ct = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key,
    concat(Uint8Array.of(user.length), user, seed)));
  return TEXT_PREFIX + toBase64Url(concat(header, ct));
}

/**
 * Opens an export made by {@link exportAccountKey}.
 * @param {{text: string, passphrase: string, userId?: string}} o  `userId`: refuse an export of another account
 * @returns {Promise<{userId: string, seed: Uint8Array}>}
 * @throws {AccountBackupError}
 */
export async function importAccountKey({ text, passphrase, userId }) {
  checkPassphrase(passphrase);
  if (typeof text !== 'string' || !text.trim().startsWith(TEXT_PREFIX)) throw new AccountBackupError('bad_backup', 'not a CipherTalk account key export');
  let bytes;
  try {
    bytes = fromBase64Url(text.trim().slice(TEXT_PREFIX.length));
  } catch (e) {
    throw new AccountBackupError('bad_backup', 'the export is not valid base64url', { cause: e });
  }
  if (bytes.length < HEADER_BYTES + 1 + 1 + 32 + 16 || bytes.length > HEADER_BYTES + 1 + 255 + 32 + 16) {
    throw new AccountBackupError('bad_backup', `the export has ${bytes.length} bytes`);
  }
  if (!MAGIC.every((b, i) => bytes[i] === b) || bytes[4] !== VERSION || bytes[5] !== KDF_PBKDF2_SHA256) {
    throw new AccountBackupError('bad_backup', 'unknown export format or version');
  }
  const iterations = new DataView(bytes.buffer, bytes.byteOffset).getUint32(6);
  if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new AccountBackupError('bad_backup', `iteration count ${iterations} out of range`);
  }
  const header = bytes.slice(0, HEADER_BYTES);
  const key = await deriveKey(passphrase, bytes.slice(10, 26), iterations, ['decrypt']);
  let plain;
  try {
    plain = new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(26, 38), additionalData: header },
      key, bytes.slice(HEADER_BYTES)));
  } catch (e) {
    throw new AccountBackupError('wrong_passphrase', 'wrong passphrase, or the export was altered', { cause: e });
  }
  const n = plain[0];
  if (plain.length !== 1 + n + 32) throw new AccountBackupError('bad_backup', 'malformed export contents');
  const owner = new TextDecoder('utf-8', { fatal: true }).decode(plain.subarray(1, 1 + n));
  if (userId !== undefined && owner !== userId) {
    plain.fill(0);
    throw new AccountBackupError('backup_user_mismatch', `the export is of account ${owner}, not ${userId}`);
  }
  const seed = plain.slice(1 + n);
  plain.fill(0);
  return { userId: owner, seed };
}

/** Exports the account key a client's store holds (`local/account`); throws if it holds none. */
export async function exportStoredAccountKey(store, userId, passphrase, options = {}) {
  const seed = await store.get('local', 'account');
  if (!seed) throw new CipherTalkError('no_account_key', 'this device holds no account key (only the account\'s first device has one)');
  try {
    return await exportAccountKey({ userId, seed, passphrase, ...options });
  } finally {
    seed.fill(0);
  }
}

/**
 * Puts an exported account key into a store (`local/account`), for a client created on it
 * afterwards (a new browser of the same account: it certifies its own device with this key).
 */
export async function importStoredAccountKey(store, text, passphrase, userId) {
  const { seed } = await importAccountKey({ text, passphrase, userId });
  await store.put('local', 'account', seed);
  seed.fill(0);
}

function checkPassphrase(passphrase) {
  if (typeof passphrase !== 'string' || [...passphrase].length < 8) throw new RangeError('the passphrase must have at least 8 characters');
}

async function deriveKey(passphrase, salt, iterations, usages) {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey('raw', utf8(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, usages);
}
