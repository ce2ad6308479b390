// Message features of the wire client: the content objects of docs/protocol.md "Client payloads"
// for texts (replies, self-destruct), files received (FILE, with their attachment descriptor), edits, deletes, reactions, receipts, read-sync and typing, and
// the little local bookkeeping they need (who sent which message, what is unread, timers for typing
// and expiry). The client (client.js) encrypts and routes them; nothing here touches the network.
import { decodeJson, encodeJson } from './formats.js';
import { InvalidMessageError } from './errors.js';
import { isTransient } from './outbox.js';
import { Attachment } from './attachments.js';
import { fromBase64Url } from './bytes.js';

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

const addr = (a) => `${a.userId}.${a.deviceId}`;

/**
 * The message features of one client: sending texts (replies, self-destruct), edits, deletes,
 * reactions, read receipts and typing through the outbox, and applying what arrives (receiver
 * rules of protocol.md "Client payloads") with its events. Delivery receipts owed for received
 * texts are collected until `writeOwedReceipts()` (the client calls it when a batch of
 * deliveries is done), one per room and sender. Used from the client's event loop only.
 */
export class MessageFeatures {
  #c;
  #log;
  #timers = new Timers();
  #owed = new Map(); // "room\0user" -> message ids owed a delivery receipt
  #resumed = false;

  /**
   * @param {{store: object, userId: string, deviceId: number, now: () => number, newMessageId: () => string,
   *   emit: (event: string, value: object) => void, outbox: import('./outbox.js').OutboxSender, ready: () => boolean,
   *   send: (entry: object) => Promise<unknown>, typingTtlMs: number, deliveryReceipts: boolean}} ctx
   */
  constructor(ctx) {
    this.#c = ctx;
    this.#log = new MessageLog(ctx.store);
  }

  /** Whether delivery receipts wait to be written. */
  get owesReceipts() {
    return this.#owed.size > 0;
  }

  /** Stops every typing and expiry timer (`resumeExpiry` arms them again). */
  stop() {
    this.#timers.clear();
    this.#resumed = false;
  }

  /**
   * After a (re)start: forgets the self-destructing messages whose time passed while the client
   * was not running (with an `expired` event each) and arms a timer for the others.
   */
  async resumeExpiry() {
    if (this.#resumed) return; // timers outlive reconnects: once per client is enough
    this.#resumed = true;
    for (const id of await this.#c.store.keys('messages')) {
      const m = await this.#log.get(id);
      if (!m || !m.x || this.#timers.has(`x:${id}`)) continue;
      this.armExpiry(m.r, id, m.x);
    }
  }

  /**
   * Queues a text (checked by the caller) and resolves with its id once the server stored it.
   * @param {string} roomId @param {string} text @param {{replyTo?: string, expiresInMs?: number}} [options]
   */
  async sendText(roomId, text, { replyTo, expiresInMs } = {}) {
    const messageId = this.#c.newMessageId();
    const at = this.#c.now();
    const expiresAt = expiresInMs ? at + expiresInMs : 0;
    const content = textContent({ roomId, id: messageId, at, body: text, replyTo, expiresAt });
    await this.#log.put(messageId, { r: roomId, s: this.#c.userId, d: this.#c.deviceId, x: expiresAt });
    await this.#c.store.put('seen', messageId, new Uint8Array(0));
    if (expiresAt) this.armExpiry(roomId, messageId, expiresAt);
    return this.#c.outbox.queueAndWait({ id: messageId, roomId, route: 'ROOM', users: [], content, expiresAt });
  }

  /**
   * Replaces the text of this user's message `messageId` for everyone (an EDIT); resolves with the
   * edit's own id once the server stored it. RangeError for an unknown, deleted or foreign message.
   */
  async edit(roomId, messageId, text) {
    const m = await this.#ownMessage(roomId, messageId);
    if (m.del) throw new RangeError(`message ${messageId} is deleted`);
    const id = this.#c.newMessageId();
    const content = editContent({ roomId, id, at: this.#c.now(), target: messageId, body: text, expiresAt: m.x });
    return this.#c.outbox.queueAndWait({ id, roomId, route: 'ROOM', users: [], content, expiresAt: m.x || 0 });
  }

  /** Deletes this user's message `messageId` for everyone (a DELETE); resolves with the delete's id once stored. */
  async deleteForEveryone(roomId, messageId) {
    const m = await this.#ownMessage(roomId, messageId);
    const id = this.#c.newMessageId();
    const content = deleteContent({ roomId, id, at: this.#c.now(), target: messageId, expiresAt: m.x });
    await this.#log.put(messageId, { ...m, del: true });
    return this.#c.outbox.queueAndWait({ id, roomId, route: 'ROOM', users: [], content, expiresAt: m.x || 0 });
  }

  /** Adds (or with `add` false removes) a reaction to a message of the room; resolves with its id once stored. */
  async react(roomId, messageId, emoji, add = true) {
    const m = await this.#log.get(messageId);
    if (!m || m.r !== roomId) throw new RangeError(`unknown message ${messageId}`);
    const id = this.#c.newMessageId();
    const content = reactionContent({ roomId, id, at: this.#c.now(), target: messageId, emoji, add, expiresAt: m.x });
    return this.#c.outbox.queueAndWait({ id, roomId, route: 'ROOM', users: [], content, expiresAt: m.x || 0 });
  }

  /**
   * Marks everything received in the room read: one read receipt per sender (to that sender's
   * devices) and a read-sync to this user's other devices, through the outbox. Resolves once queued.
   */
  async markRead(roomId) {
    const ids = await this.#log.unread(roomId);
    if (ids.length === 0) return;
    await this.#log.removeUnread(roomId, ids);
    const bySender = new Map();
    for (const id of ids) {
      const m = await this.#log.get(id);
      if (m) bySender.set(m.s, [...(bySender.get(m.s) ?? []), id]);
    }
    const at = this.#c.now();
    const newId = () => this.#c.newMessageId();
    for (const [user, list] of bySender) {
      for (const c of idsContents('RECEIPT_READ', { roomId, at, ids: list, newId })) {
        await this.#c.outbox.append({ id: c.id, roomId, route: 'USERS', users: [user], content: c, expiresAt: 0 });
      }
    }
    for (const c of idsContents('READ_SYNC', { roomId, at, ids, newId })) {
      await this.#c.outbox.append({ id: c.id, roomId, route: 'USERS', users: [], content: c, expiresAt: 0 });
    }
    this.#c.outbox.flush();
  }

  /** How many received messages of the room are not yet marked read. */
  async unreadCount(roomId) {
    return (await this.#log.unread(roomId)).length;
  }

  /**
   * Says this user started (or stopped) typing in the room. Never queued: when not connected it
   * is dropped and resolves false. Receivers expire a start after 6 s unless it is repeated.
   */
  async typing(roomId, isTyping = true) {
    if (!this.#c.ready()) return false;
    const id = this.#c.newMessageId();
    const at = this.#c.now();
    const content = typingContent({ roomId, id, at, typing: isTyping });
    try {
      await this.#c.send({ id, roomId, route: 'ROOM', users: [], content, expiresAt: at + this.#c.typingTtlMs });
      return true;
    } catch (e) {
      if (isTransient(e)) return false;
      throw e;
    }
  }

  async #ownMessage(roomId, messageId) {
    const m = await this.#log.get(messageId);
    if (!m || m.r !== roomId) throw new RangeError(`unknown message ${messageId}`);
    if (m.s !== this.#c.userId) throw new RangeError(`message ${messageId} was not sent by this user`);
    return m;
  }

  /** Queues the delivery receipts owed (one per room and sender, up to 500 ids each) and flushes the outbox. */
  async writeOwedReceipts() {
    const owed = this.#owed;
    this.#owed = new Map();
    if (!this.#c.deliveryReceipts) return;
    for (const [key, ids] of owed) {
      const [roomId, user] = key.split('\0');
      for (const c of idsContents('RECEIPT_DELIVERED', { roomId, at: this.#c.now(), ids, newId: () => this.#c.newMessageId() })) {
        await this.#c.outbox.append({ id: c.id, roomId, route: 'USERS', users: [user], content: c, expiresAt: 0 });
      }
    }
    this.#c.outbox.flush();
  }

  /** At `expiresAt`: forgets the message (and its unread mark) and raises `expired`. */
  armExpiry(roomId, messageId, expiresAt) {
    this.#timers.set(`x:${messageId}`, expiresAt - this.#c.now(), () => {
      this.#log.forget(messageId).then(() => this.#log.removeUnread(roomId, [messageId]))
          .catch((e) => console.error('ciphertalk-js: expiry', e))
          .finally(() => this.#c.emit('expired', { roomId, messageId }));
    });
  }

  /** Applies one content (protocol.md "Client payloads", receiver rules) and raises its event. */
  async dispatch(c, sender, kind, own) {
    const roomId = c.r;
    switch (c.k) {
      case 'TEXT':
      case 'FILE': {
        requireFields(c, 'b');
        let attachment;
        if (c.k === 'FILE') {
          // The descriptor (protocol.md "Attachment descriptor"): one that does not parse drops the message.
          requireFields(c, 'km');
          let descriptor;
          try {
            descriptor = fromBase64Url(String(c.km));
          } catch {
            throw new InvalidMessageError('content field km is not base64url');
          }
          attachment = Attachment.decode(descriptor);
        }
        if (await this.#log.get(c.id)) return; // a duplicate by content id
        if (c.x && c.x <= this.#c.now()) return; // self-destructed before it arrived: never shown
        await this.#log.put(c.id, { r: roomId, s: sender.userId, d: sender.deviceId, x: c.x ?? 0 });
        if (!own) {
          await this.#log.addUnread(roomId, c.id);
          const key = `${roomId}\0${sender.userId}`;
          this.#owed.set(key, [...(this.#owed.get(key) ?? []), c.id]);
          this.#stopTyping(roomId, sender);
        }
        if (c.x) this.armExpiry(roomId, c.id, c.x);
        const m = { roomId, sender, messageId: c.id, body: c.b, sentAt: c.t, kind, replyTo: c.re, expiresAt: c.x, own };
        if (attachment) m.attachment = attachment;
        this.#c.emit('message', m);
        return;
      }
      case 'EDIT': {
        requireFields(c, 'tg', 'b');
        const m = await this.#log.get(c.tg);
        if (m && m.s === sender.userId && m.r === roomId && !m.del) {
          this.#c.emit('edited', { roomId, messageId: c.tg, sender, body: c.b, editId: c.id, at: c.t });
        }
        return;
      }
      case 'DELETE': {
        requireFields(c, 'tg');
        const m = await this.#log.get(c.tg);
        if (m && m.s === sender.userId && m.r === roomId) {
          await this.#log.put(c.tg, { ...m, del: true });
          await this.#log.removeUnread(roomId, [c.tg]);
          this.#timers.cancel(`x:${c.tg}`);
          this.#c.emit('deleted', { roomId, messageId: c.tg, sender });
        }
        return;
      }
      case 'REACTION':
        requireFields(c, 'tg', 'e');
        this.#c.emit('reaction', { roomId, messageId: c.tg, sender, emoji: c.e, added: c.f === true });
        return;
      case 'TYPING':
        if (own) return;
        if (c.f === true) {
          this.#timers.set(`t:${roomId}\0${addr(sender)}`, this.#c.typingTtlMs, () => this.#c.emit('typing', { roomId, ...sender, typing: false }));
          this.#c.emit('typing', { roomId, ...sender, typing: true });
        } else {
          this.#stopTyping(roomId, sender, true);
        }
        return;
      case 'RECEIPT_DELIVERED':
      case 'RECEIPT_READ': {
        requireFields(c, 'ids');
        const status = c.k === 'RECEIPT_READ' ? 'READ' : 'DELIVERED';
        for (const id of c.ids) {
          const m = await this.#log.get(id);
          if (m && m.s === this.#c.userId && m.r === roomId) this.#c.emit('receipt', { roomId, messageId: id, from: sender, status, at: c.t });
        }
        return;
      }
      case 'READ_SYNC':
        requireFields(c, 'ids');
        if (!own) return;
        await this.#log.removeUnread(roomId, c.ids);
        this.#c.emit('readSync', { roomId, messageIds: c.ids });
        return;
      default:
        this.#c.emit('content', { roomId, sender, content: c });
    }
  }

  /** A typing user who sent a message (or said so) is no longer typing. */
  #stopTyping(roomId, sender, always = false) {
    const key = `t:${roomId}\0${addr(sender)}`;
    if (this.#timers.has(key) || always) {
      this.#timers.cancel(key);
      this.#c.emit('typing', { roomId, ...sender, typing: false });
    }
  }

}
