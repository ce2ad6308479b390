// Attachments (docs/protocol.md "Attachments"): the descriptor a FILE content carries inside the
// end-to-end encryption, the chunked AES-256-GCM format of the blob (encrypting it is here for the
// test vectors; the Java SDK uploads), and a verified download from the server's blob store.
// WebCrypto has no incremental SHA-256, so a download holds the whole ciphertext (the digest covers
// all of it) and the plaintext: at most `maxBytes` of ciphertext, checked before anything is fetched.
import { concat, equal, fromBase64Url, toBase64Url, u32, utf8 } from './bytes.js';
import { hkdf, sha256 } from './primitives.js';
import { AttachmentIntegrityError, AttachmentTooLargeError, InvalidMessageError, RequestFailedError } from './errors.js';

const subtle = globalThis.crypto.subtle;
/** Descriptor encoding version (the descriptor's `v`). */
export const DESCRIPTOR_VERSION = 1;
export const ATTACHMENT_HEADER_LENGTH = 24;
export const ATTACHMENT_TAG_LENGTH = 16;
export const MIN_CHUNK_SIZE = 16;
export const MAX_CHUNK_SIZE = 4 * 1024 * 1024;
/** Chunk size writers use (the Java SDK's DEFAULT_CHUNK_SIZE). */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
/** Longest file name in a descriptor, in characters (Attachment.MAX_NAME_CHARS). */
export const MAX_NAME_CHARS = 255;
/** Largest thumbnail in a descriptor, in bytes (Attachment.MAX_THUMBNAIL_BYTES). */
export const MAX_THUMBNAIL_BYTES = 24 * 1024;
/** Default limit of `downloadAttachment`: ciphertext held in memory. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
const MAX_CHUNKS = 2 ** 32;
const MAGIC = [0x43, 0x54, 0x41]; // "CTA"
const FORMAT_VERSION = 1;
const CHUNK_KEY_INFO = utf8('CipherTalk/1/attachment/chunk-key');

// The key and digest of each Attachment, readable only by this module (never printed or serialised).
const secrets = new WeakMap();

/**
 * What a file message carries (docs/protocol.md "Attachment descriptor"; io.ciphertalk.client.Attachment
 * in Java): the blob id, size, name, MIME type and optional JPEG thumbnail are public fields; the
 * key and digest are kept inside (not enumerable, not in `toJSON()` or `toString()`); `encode()`
 * gives the whole descriptor, key included, for a sealed store. Immutable.
 */
export class Attachment {
  /**
   * @param {{blobId: string, key: Uint8Array, digest: Uint8Array, size: number, ciphertextSize: number,
   *   name: string, mimeType: string, thumbnail?: Uint8Array}} fields checked as `decode` checks them
   */
  constructor({ blobId, key, digest, size, ciphertextSize, name, mimeType, thumbnail }) {
    const bad = (why) => { throw new InvalidMessageError(`attachment descriptor: ${why}`); };
    if (typeof blobId !== 'string' || !/^[0-9a-f]{32}$/.test(blobId)) bad('bad blob id');
    if (!(key instanceof Uint8Array) || key.length !== 32) bad('bad key');
    if (!(digest instanceof Uint8Array) || digest.length !== 32) bad('bad digest');
    for (const [f, v] of [['s', size], ['cs', ciphertextSize]]) if (!Number.isSafeInteger(v) || v < 0) bad(`field ${f} must be a non-negative integer`);
    if (typeof name !== 'string' || name.length > MAX_NAME_CHARS) bad('field n missing or too long');
    if (typeof mimeType !== 'string' || mimeType.length > 255) bad('field m missing or too long');
    if (thumbnail !== undefined && (!(thumbnail instanceof Uint8Array) || thumbnail.length > MAX_THUMBNAIL_BYTES * 2)) bad('bad thumbnail');
    this.blobId = blobId;
    this.size = size;
    this.ciphertextSize = ciphertextSize;
    this.name = name;
    this.mimeType = mimeType;
    if (thumbnail !== undefined) this.thumbnail = thumbnail.slice();
    secrets.set(this, { key: key.slice(), digest: digest.slice() });
    Object.freeze(this);
  }

  /** Whether the sender marked it as an image (`image/...`). */
  get isImage() {
    return this.mimeType.startsWith('image/');
  }

  /**
   * Parses the descriptor bytes of a FILE content's `km` exactly as the Java Attachment.decode
   * does (and as its encode writes them). Throws InvalidMessageError for anything else.
   * @param {Uint8Array} bytes
   */
  static decode(bytes) {
    let o;
    try {
      o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new InvalidMessageError('attachment descriptor is not valid JSON');
    }
    if (!o || typeof o !== 'object' || Array.isArray(o) || o.v !== DESCRIPTOR_VERSION) {
      throw new InvalidMessageError(`not an attachment descriptor of version ${DESCRIPTOR_VERSION}`);
    }
    const text = (f, max) => {
      if (typeof o[f] !== 'string' || o[f].length > max) throw new InvalidMessageError(`attachment descriptor field ${f} missing or too long`);
      return o[f];
    };
    const b64 = (f, max) => {
      try {
        return fromBase64Url(text(f, max));
      } catch (e) {
        if (e instanceof InvalidMessageError) throw e;
        throw new InvalidMessageError(`attachment descriptor field ${f} is not base64url`);
      }
    };
    return new Attachment({ blobId: text('id', 64), key: b64('k', 64), digest: b64('d', 64), size: o.s, ciphertextSize: o.cs,
      name: text('n', MAX_NAME_CHARS), mimeType: text('m', 255), thumbnail: o.t === undefined ? undefined : b64('t', MAX_THUMBNAIL_BYTES * 2) });
  }

  /** The descriptor's encoding, in the Java encoder's field order. It contains the key: keep it sealed. */
  encode() {
    const { key, digest } = secrets.get(this);
    const o = { v: DESCRIPTOR_VERSION, id: this.blobId, k: toBase64Url(key), d: toBase64Url(digest), s: this.size,
      cs: this.ciphertextSize, n: this.name, m: this.mimeType };
    if (this.thumbnail) o.t = toBase64Url(this.thumbnail);
    return utf8(JSON.stringify(o));
  }

  /** Everything but the key and digest (what JSON.stringify shows). */
  toJSON() {
    return { blobId: this.blobId, size: this.size, ciphertextSize: this.ciphertextSize, name: this.name, mimeType: this.mimeType,
      thumbnail: this.thumbnail ? `${this.thumbnail.length} bytes` : undefined };
  }

  toString() {
    return `Attachment[blob=${this.blobId}, ${this.size} bytes, ${this.mimeType}]`;
  }
}

/** Exact ciphertext length of a plaintext of `plaintextLength` bytes (AttachmentCipher.ciphertextLength). */
export function ciphertextLength(plaintextLength, chunkSize = DEFAULT_CHUNK_SIZE) {
  checkChunkSize(chunkSize);
  return ATTACHMENT_HEADER_LENGTH + plaintextLength + Math.max(1, Math.ceil(plaintextLength / chunkSize)) * ATTACHMENT_TAG_LENGTH;
}

function checkChunkSize(chunkSize) {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(`chunk size must be ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}: ${chunkSize}`);
  }
}

function u64(i) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(i));
  return b;
}

const nonce = (i) => concat(new Uint8Array(4), u64(i));
const associatedData = (header, i, last) => concat(header, u64(i), Uint8Array.of(last ? 1 : 0));

async function chunkKey(key, header, usage) {
  const raw = await hkdf(header.subarray(8, 24), key, CHUNK_KEY_INFO, 32);
  return subtle.importKey('raw', raw, 'AES-GCM', false, [usage]);
}

/**
 * Encrypts `plaintext` in the attachment format (for tests and tools; the Java SDK is the uploader).
 * @param {Uint8Array} plaintext @param {Uint8Array} key 32 bytes @param {Uint8Array} fileId 16 fresh random bytes
 * @returns {Promise<{ciphertext: Uint8Array, digest: Uint8Array}>}
 */
export async function encryptAttachment(plaintext, key, fileId, chunkSize = DEFAULT_CHUNK_SIZE) {
  checkChunkSize(chunkSize);
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new TypeError('key must be 32 bytes');
  if (!(fileId instanceof Uint8Array) || fileId.length !== 16) throw new TypeError('fileId must be 16 bytes');
  const header = concat(Uint8Array.of(...MAGIC, FORMAT_VERSION), u32(chunkSize), fileId);
  const k = await chunkKey(key, header, 'encrypt');
  const chunks = Math.max(1, Math.ceil(plaintext.length / chunkSize));
  const parts = [header];
  for (let i = 0; i < chunks; i++) {
    const p = plaintext.subarray(i * chunkSize, Math.min(plaintext.length, (i + 1) * chunkSize));
    const ad = associatedData(header, i, i === chunks - 1);
    parts.push(new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce(i), additionalData: ad, tagLength: 128 }, k, p)));
  }
  const ciphertext = concat(...parts);
  return { ciphertext, digest: await sha256(ciphertext) };
}

async function open(k, header, i, sealed, last) {
  try {
    return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce(i), additionalData: associatedData(header, i, last), tagLength: 128 }, k, sealed));
  } catch {
    return null;
  }
}

/**
 * Verifies and decrypts a whole attachment ciphertext by the decryption rules of docs/protocol.md
 * (chunks of chunkSize + 16 bytes; the last one read is the final one): each chunk's tag under its
 * index and final flag, then the SHA-256 of all of it against `expectedDigest`. Resolves with the
 * plaintext chunks only when everything verified; otherwise rejects with AttachmentIntegrityError.
 * @param {Uint8Array} ciphertext @param {Uint8Array} key @param {Uint8Array} expectedDigest
 * @returns {Promise<Uint8Array[]>}
 */
export async function decryptAttachment(ciphertext, key, expectedDigest) {
  if (ciphertext.length < ATTACHMENT_HEADER_LENGTH) {
    throw new AttachmentIntegrityError(ciphertext.length === 0 ? 'TRUNCATED' : 'BAD_HEADER', -1,
        `attachment header incomplete (${ciphertext.length} bytes)`);
  }
  const header = ciphertext.slice(0, ATTACHMENT_HEADER_LENGTH);
  const chunkSize = new DataView(header.buffer).getUint32(4);
  if (header[0] !== MAGIC[0] || header[1] !== MAGIC[1] || header[2] !== MAGIC[2] || header[3] !== FORMAT_VERSION
      || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new AttachmentIntegrityError('BAD_HEADER', -1, `not a CipherTalk attachment of version ${FORMAT_VERSION} with a valid chunk size`);
  }
  const k = await chunkKey(key, header, 'decrypt');
  const full = chunkSize + ATTACHMENT_TAG_LENGTH;
  const out = [];
  let off = ATTACHMENT_HEADER_LENGTH;
  for (let i = 0; ; i++) {
    const n = Math.min(full, ciphertext.length - off);
    if (n < ATTACHMENT_TAG_LENGTH) throw new AttachmentIntegrityError('TRUNCATED', i, `attachment ends before its final chunk (chunk ${i})`);
    const last = off + n === ciphertext.length;
    if (i >= MAX_CHUNKS) throw new AttachmentIntegrityError('TOO_LONG', i, 'attachment has too many chunks');
    const sealed = ciphertext.subarray(off, off + n);
    const plain = await open(k, header, i, sealed, last);
    if (!plain) {
      // The other final flag says what happened: cut at a chunk boundary, or bytes appended.
      if (await open(k, header, i, sealed, !last)) {
        throw last ? new AttachmentIntegrityError('TRUNCATED', i, `attachment ends before its final chunk (chunk ${i})`)
          : new AttachmentIntegrityError('EXTENDED', i, `bytes follow the final chunk (chunk ${i})`);
      }
      throw new AttachmentIntegrityError('TAMPERED', i, `chunk ${i} does not verify (altered, reordered, foreign or wrong key)`);
    }
    out.push(plain);
    off += n;
    if (last) {
      if (!equal(await sha256(ciphertext), expectedDigest)) {
        throw new AttachmentIntegrityError('DIGEST_MISMATCH', i, 'ciphertext SHA-256 differs from the digest in the message');
      }
      return out;
    }
  }
}

/**
 * Fetches (GET /api/blobs/{id} with the bearer token), verifies and decrypts `attachment`, and
 * resolves with a Blob of its plaintext, made only after the final chunk and the digest verified
 * and the size matched the descriptor's (type: the sender's MIME type, or `type` if given).
 * Reads at most the descriptor's ciphertext size; fewer bytes are TRUNCATED.
 *
 * @param {Attachment} attachment
 * @param {{fetch: typeof fetch, httpUrl: string, token: string, maxBytes?: number, type?: string,
 *   onProgress?: (received: number, total: number) => void, signal?: AbortSignal}} options
 * @returns {Promise<Blob>} rejects with AttachmentIntegrityError, AttachmentTooLargeError,
 *   RequestFailedError (the server refused: `not_found` also for a room this user is not in), or
 *   the fetch's own error (network, abort)
 */
export async function downloadAttachment(attachment, { fetch, httpUrl, token, maxBytes = DEFAULT_MAX_DOWNLOAD_BYTES, type, onProgress, signal }) {
  const s = secrets.get(attachment);
  if (!s) throw new TypeError('not an Attachment');
  const total = attachment.ciphertextSize;
  if (total > maxBytes) throw new AttachmentTooLargeError(total, maxBytes);
  const res = await fetch(new URL(`/api/blobs/${attachment.blobId}`, httpUrl), { headers: { Authorization: `Bearer ${token}` }, signal, cache: 'no-store' });
  if (res.status !== 200) {
    let json = {};
    try {
      json = await res.json();
    } catch {
      // not JSON: the status says enough
    }
    throw new RequestFailedError(json.error ?? `http_${res.status}`, `GET /api/blobs/${attachment.blobId} answered ${res.status}`, { status: res.status });
  }
  const ciphertext = new Uint8Array(total);
  let got = 0;
  const reader = res.body?.getReader();
  try {
    while (reader && got < total) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, total - got);
      ciphertext.set(value.subarray(0, take), got);
      got += take;
      onProgress?.(got, total);
    }
  } finally {
    reader?.cancel().catch(() => {}); // bytes past the descriptor's size are the server's, never read
  }
  if (got < total) {
    const declared = got >= ATTACHMENT_HEADER_LENGTH ? new DataView(ciphertext.buffer).getUint32(4) : 0;
    const chunk = declared >= MIN_CHUNK_SIZE ? Math.floor((got - ATTACHMENT_HEADER_LENGTH) / (declared + ATTACHMENT_TAG_LENGTH)) : -1;
    throw new AttachmentIntegrityError('TRUNCATED', chunk, `the server sent ${got} of the ${total} bytes the message names`);
  }
  const parts = await decryptAttachment(ciphertext, s.key, s.digest);
  const size = parts.reduce((n, p) => n + p.length, 0);
  if (size !== attachment.size) {
    throw new AttachmentIntegrityError('SIZE_MISMATCH', parts.length - 1, `the attachment holds ${size} bytes, its message says ${attachment.size}`);
  }
  return new Blob(parts, { type: type ?? attachment.mimeType });
}
