// Message features of the wire client: the content objects of docs/protocol.md "Client payloads"
// for texts (replies, self-destruct), edits, deletes, reactions, receipts, read-sync and typing, and
// the little local bookkeeping they need (who sent which message, what is unread, timers for typing
// and expiry). The client (client.js) encrypts and routes them; nothing here touches the network.
import { decodeJson, encodeJson } from './formats.js';
import { InvalidMessageError } from './errors.js';

/** Largest number of ids one delivery or read receipt carries (the Java engine's MAX_RECEIPT_IDS). */
export const MAX_RECEIPT_IDS = 500;
/** How long a "started typing" lasts without being repeated (the Java SDK's typing TTL). */
export const TYPING_TTL_MS = 6000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function messageId(id, what) {
  if (typeof id !== 'string' || !UUID.test(id)) throw new TypeError(`${what} is not a message id: ${id}`);
  return id;
}

/** A TEXT content; `expiresAt` (Unix ms) and `replyTo` optional. */
export function textContent({ roomId, id, at, body, replyTo, expiresAt }) {
  if (typeof body !== 'string' || body.length === 0 || body.length > 8192) throw new RangeError('text must be 1-8192 characters');
  const c = { k: 'TEXT', r: roomId, id, t: at, b: body };
  if (replyTo !== undefined) c.re = messageId(replyTo, 'replyTo');
  if (expiresAt) c.x = expiresAt;
  return c;
}

/** An EDIT, DELETE or REACTION content for `target` (carrying the target's expiry, if any, as `x`). */
export function editContent({ roomId, id, at, target, body, expiresAt }) {
  if (typeof body !== 'string' || body.length === 0 || body.length > 8192) throw new RangeError('text must be 1-8192 characters');
  return withExpiry({ k: 'EDIT', r: roomId, id, t: at, b: body, tg: messageId(target, 'target') }, expiresAt);
}
export function deleteContent({ roomId, id, at, target, expiresAt }) {
  return withExpiry({ k: 'DELETE', r: roomId, id, t: at, tg: messageId(target, 'target') }, expiresAt);
}
export function reactionContent({ roomId, id, at, target, emoji, add, expiresAt }) {
  if (typeof emoji !== 'string' || emoji.length === 0 || emoji.length > 32) throw new RangeError('emoji must be 1 to 32 chars');
  return withExpiry({ k: 'REACTION', r: roomId, id, t: at, tg: messageId(target, 'target'), e: emoji, f: add !== false }, expiresAt);
}
function withExpiry(c, expiresAt) {
  if (expiresAt) c.x = expiresAt;
  return c;
}

/** RECEIPT_DELIVERED / RECEIPT_READ / READ_SYNC contents: one per MAX_RECEIPT_IDS ids. */
export function idsContents(kind, { roomId, at, ids, newId }) {
  const out = [];
  for (let i = 0; i < ids.length; i += MAX_RECEIPT_IDS) {
    const id = newId();
    out.push({ k: kind, r: roomId, id, t: at, ids: ids.slice(i, i + MAX_RECEIPT_IDS) });
  }
  return out;
}

export function typingContent({ roomId, id, at, typing }) {
  return { k: 'TYPING', r: roomId, id, t: at, f: typing === true };
}

/** Checks the optional fields a kind needs (the Java engine's `require`); throws InvalidMessageError. */
export function requireFields(c, ...fields) {
  for (const f of fields) if (c[f] === undefined || c[f] === null) throw new InvalidMessageError(`content field ${f} missing`);
  if (c.tg !== undefined && (typeof c.tg !== 'string' || !UUID.test(c.tg))) throw new InvalidMessageError('content field tg is not a message id');
  if (c.ids !== undefined && (!Array.isArray(c.ids) || c.ids.length > 1000 || c.ids.some((x) => typeof x !== 'string'))) {
    throw new InvalidMessageError('content field ids is not a list of ids');
  }
  if (c.e !== undefined && (typeof c.e !== 'string' || c.e.length === 0 || c.e.length > 32)) throw new InvalidMessageError('content field e is not an emoji');
  if (c.f !== undefined && typeof c.f !== 'boolean') throw new InvalidMessageError('content field f is not a boolean');
  if (c.x !== undefined && (!Number.isSafeInteger(c.x) || c.x < 0)) throw new InvalidMessageError('content field x is not an instant');
}

/**
 * What the client remembers about messages, in the store: per message id {r: room, s: sender
 * user, d: sender device, x: expiry or 0, del: deleted} (namespace `messages`), and per room the
 * ids received and not yet read (namespace `unread`, a JSON list). No text is kept.
 */
export class MessageLog {
  #store;

  constructor(store) {
    this.#store = store;
  }

  async get(id) {
    const v = await this.#store.get('messages', id);
    return v ? decodeJson(v) : undefined;
  }

  async put(id, meta) {
    await this.#store.put('messages', id, encodeJson(meta));
  }

  async forget(id) {
    await this.#store.delete('messages', id);
  }

  async unread(roomId) {
    const v = await this.#store.get('unread', roomId);
    return v ? decodeJson(v) : [];
  }

  async addUnread(roomId, id) {
    const ids = await this.unread(roomId);
    if (!ids.includes(id)) ids.push(id);
    await this.#store.put('unread', roomId, encodeJson(ids));
  }

  async removeUnread(roomId, ids) {
    const drop = new Set(ids);
    const before = await this.unread(roomId);
    const after = before.filter((x) => !drop.has(x));
    if (after.length !== before.length) await this.#store.put('unread', roomId, encodeJson(after));
  }
}

/**
 * Timers keyed by a string (typing expiry per room and user, self-destruct per message): setting
 * one replaces the previous; they never keep a Node process alive, and `clear()` stops them all.
 */
export class Timers {
  #timers = new Map();

  set(key, delayMs, fn) {
    this.cancel(key);
    const t = setTimeout(() => {
      this.#timers.delete(key);
      fn();
    }, Math.max(0, Math.min(delayMs, 0x7fffffff)));
    t.unref?.();
    this.#timers.set(key, t);
  }

  has(key) {
    return this.#timers.has(key);
  }

  cancel(key) {
    const t = this.#timers.get(key);
    if (t) clearTimeout(t);
    this.#timers.delete(key);
  }

  clear() {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
