// Encodings the client keeps or exchanges that are not crypto messages: the content JSON of
// docs/protocol.md "Client payloads", the pairwise session record, private room ids, message ids,
// and the client's own JSON for values the protocol leaves to each client (group chains).
import { concat, fromBase64Url, toBase64Url, toHex, u32, utf8, Reader } from './bytes.js';
import { sha256 } from './primitives.js';
import { deserializeSession, serializeSession } from './session.js';
import { InvalidMessageError, InvalidStateError } from './errors.js';

/** Previous sessions kept per peer device (protocol.md "Pairwise session records"). */
export const MAX_PREVIOUS = 4;
const RECORD_TAG = 0xa1;
const PAD_BLOCK = 64;

/** Unpadded UUID string <-> 16 bytes. */
export function uuidBytes(id) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new TypeError(`not a UUID: ${id}`);
  return Uint8Array.from(id.replace(/-/g, '').match(/../g), (h) => parseInt(h, 16));
}
export function uuidText(b) {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Local JSON encodings for values the protocol does not define (group chains, counters). */
export function encodeJson(o) {
  return utf8(JSON.stringify(o, (k, v) => (v instanceof Uint8Array ? { $b: toBase64Url(v) } : v)));
}
export function decodeJson(bytes) {
  return JSON.parse(new TextDecoder().decode(bytes), (k, v) => (v && typeof v === 'object' && '$b' in v ? fromBase64Url(v.$b) : v));
}

/**
 * The content JSON of protocol.md "Client payloads", padded with `p` to a multiple of 64 bytes
 * exactly as the Java ContentCodec pads.
 */
export function encodeContent(content) {
  // The Java ContentCodec's field order, whatever order the caller used; unknown fields after them.
  const o = { v: 1 };
  for (const k of CONTENT_ORDER) if (content[k] !== undefined && content[k] !== null) o[k] = content[k];
  for (const [k, val] of Object.entries(content)) if (!(k in o) && k !== 'p' && val !== undefined && val !== null) o[k] = val;
  const len = utf8(jacksonJson(o)).length + 8; // ,"p":"" plus one
  const padded = Math.ceil(len / PAD_BLOCK) * PAD_BLOCK;
  o.p = '0'.repeat(padded - len + 1);
  return utf8(jacksonJson(o));
}

/** Field order of io.ciphertalk.client.internal.ContentCodec.encode. */
const CONTENT_ORDER = ['v', 'k', 'r', 'id', 't', 'b', 're', 'x', 'tg', 'e', 'f', 'ids', 'km'];

/**
 * JSON.stringify as the Java ContentCodec's Jackson writes it: the same escapes, except that
 * Jackson writes the hex digits of \uXXXX escapes in upper case and escapes characters outside the
 * Basic Multilingual Plane (emoji) as their two surrogates (checked against the Java codec by
 * content-java.test.js).
 */
function jacksonJson(o) {
  const hex = (c) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return JSON.stringify(o)
      .replace(/(\\+)u([0-9a-f]{4})/g, (m, slashes, h) => (slashes.length % 2 === 1 ? `${slashes}u${h.toUpperCase()}` : m))
      .replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, (pair) => `\\u${hex(pair[0])}\\u${hex(pair[1])}`);
}

/** Parses a content; throws InvalidMessageError for anything that is not a version 1 content. */
export function decodeContent(bytes) {
  let o;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidMessageError('content is not JSON');
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new InvalidMessageError('content is not an object');
  if (o.v !== 1) throw new InvalidMessageError('unsupported content version');
  for (const f of ['k', 'r', 'id']) if (typeof o[f] !== 'string') throw new InvalidMessageError(`content field ${f} missing`);
  if (!Number.isInteger(o.t)) throw new InvalidMessageError('content field t missing');
  if (o.b !== undefined && typeof o.b !== 'string') throw new InvalidMessageError('content field b is not a string');
  return o;
}

/** The pairwise session record: current first, then up to MAX_PREVIOUS previous sessions. */
export function encodeRecord(states) {
  const parts = [Uint8Array.of(RECORD_TAG, states.length)];
  for (const s of states) {
    const b = serializeSession(s);
    parts.push(u32(b.length), b);
  }
  return concat(...parts);
}
export async function decodeRecord(bytes, random) {
  if (bytes[0] === 1) return [await deserializeSession(bytes, random)]; // a bare state: no previous sessions
  const r = new Reader(bytes);
  if (r.u8() !== RECORD_TAG) throw new InvalidStateError('not a session record');
  const n = r.u8();
  if (n < 1 || n > MAX_PREVIOUS + 1) throw new InvalidStateError('bad session record length');
  const out = [];
  try {
    for (let i = 0; i < n; i++) out.push(await deserializeSession(r.take(r.u32()).slice(), random));
    r.done();
  } catch (e) {
    throw e instanceof InvalidStateError ? e : new InvalidStateError(`session record does not decode: ${e.message}`);
  }
  return out;
}

/**
 * The one id of the private room of two users (protocol.md "Private room ids"): "p-lo-hi" when
 * neither id contains '-' and it fits in 64 characters, else "p-" + hex of the first 20 bytes of
 * SHA-256(lo || 0x00 || hi).
 */
export async function privateRoomId(a, b) {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const readable = `p-${lo}-${hi}`;
  if (!lo.includes('-') && !hi.includes('-') && readable.length <= 64) return readable;
  return `p-${toHex((await sha256(concat(utf8(lo), Uint8Array.of(0), utf8(hi)))).slice(0, 20))}`;
}
