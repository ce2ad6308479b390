// The web app's own records, kept in the client's store (so sealed at rest in IndexedDB like the
// keys): message history per room and the room list with unread counts.
//
// | namespace | key | value (JSON) |
// | --- | --- | --- |
// | `history` | `roomId|sentAt (15 digits)|messageId` | {id, roomId, from, device, body, t, mine, kind, replyTo, expiresAt, edited, deleted, reactions: {emoji: [users]}, delivered: [users], read: [users], file?: attachment descriptor (base64url; holds the file's key, so only in this sealed store)} or {error, ...} |
// | `rooms` | room id | {roomId, kind, name, peer, unread, lastAt} |
//
// Listing a room's history reads all keys of `history` (fine for a demo app's volume; a larger
// app would keep one namespace per room or an index).

const enc = (o) => new TextEncoder().encode(JSON.stringify(o));
const dec = (b) => JSON.parse(new TextDecoder().decode(b));

export class ChatRecords {
  #store;

  /** @param {import('../src/store.js').KeyValueStore} store */
  constructor(store) {
    this.#store = store;
  }

  /** Appends a message (or a notice) to a room's history; the same id twice is kept once. */
  async addMessage(m) {
    const key = `${m.roomId}|${String(Math.max(0, Math.trunc(m.t))).padStart(15, '0')}|${m.id}`;
    await this.#store.put('history', key, enc(m));
  }

  /**
   * Changes a stored message of a room by id: `change(m)` returns the new record (or undefined to
   * keep it). Resolves with the new record, or undefined when there is no such message.
   */
  async updateMessage(roomId, id, change) {
    const key = (await this.#store.keys('history')).find((k) => k.startsWith(`${roomId}|`) && k.endsWith(`|${id}`));
    if (!key) return undefined;
    const next = change(dec(await this.#store.get('history', key)));
    if (next) await this.#store.put('history', key, enc(next));
    return next;
  }

  /** Forgets a stored message of a room by id (a self-destructed one); resolves whether it was there. */
  async removeMessage(roomId, id) {
    const key = (await this.#store.keys('history')).find((k) => k.startsWith(`${roomId}|`) && k.endsWith(`|${id}`));
    if (key) await this.#store.delete('history', key);
    return Boolean(key);
  }

  /** The room's history, oldest first (at most the last `limit`). */
  async messages(roomId, limit = 500) {
    const keys = (await this.#store.keys('history')).filter((k) => k.startsWith(`${roomId}|`)).sort().slice(-limit);
    const out = [];
    for (const k of keys) {
      const v = await this.#store.get('history', k);
      if (v) out.push(dec(v));
    }
    return out;
  }

  /** Every known room, the most recent first. */
  async rooms() {
    const out = [];
    for (const k of await this.#store.keys('rooms')) {
      const v = await this.#store.get('rooms', k);
      if (v) out.push(dec(v));
    }
    return out.sort((a, b) => (b.lastAt ?? 0) - (a.lastAt ?? 0) || a.name.localeCompare(b.name));
  }

  async room(roomId) {
    const v = await this.#store.get('rooms', roomId);
    return v ? dec(v) : undefined;
  }

  /** Creates or updates a room's entry with `fields`, returning the new entry. */
  async upsertRoom(roomId, fields) {
    const now = (await this.room(roomId)) ?? { roomId, kind: 'GROUP', name: roomId, unread: 0, lastAt: 0 };
    const next = { ...now, ...fields, roomId };
    await this.#store.put('rooms', roomId, enc(next));
    return next;
  }

  /** One more unread message in `roomId` (not open at the time). */
  async countUnread(roomId, at) {
    const r = (await this.room(roomId)) ?? { roomId, kind: 'GROUP', name: roomId, unread: 0 };
    return this.upsertRoom(roomId, { unread: (r.unread ?? 0) + 1, lastAt: Math.max(r.lastAt ?? 0, at) });
  }
}

/**
 * A stored message after a content from `who` (docs/protocol.md "Client payloads", receiver rules),
 * or undefined when it does not apply: EDIT and DELETE only of the sender's own messages, a
 * REACTION added (`f` not false) or removed, RECEIPT_DELIVERED/RECEIPT_READ only of this user's
 * own messages (`mine`), each user counted once.
 */
export function applyContent(m, who, c) {
  switch (c.k) {
    case 'EDIT':
      return m.from === who && !m.deleted && typeof c.b === 'string' ? { ...m, body: c.b, edited: true } : undefined;
    case 'DELETE':
      return m.from === who ? { ...m, body: '', deleted: true, reactions: undefined, file: undefined } : undefined;
    case 'REACTION': {
      if (typeof c.e !== 'string' || m.deleted) return undefined;
      const reactions = { ...(m.reactions ?? {}) };
      const users = new Set(reactions[c.e] ?? []);
      if (c.f === false) users.delete(who); else users.add(who);
      if (users.size) reactions[c.e] = [...users]; else delete reactions[c.e];
      return { ...m, reactions };
    }
    case 'RECEIPT_DELIVERED':
    case 'RECEIPT_READ': {
      const field = c.k === 'RECEIPT_READ' ? 'read' : 'delivered';
      return m.mine && !(m[field] ?? []).includes(who) ? { ...m, [field]: [...(m[field] ?? []), who] } : undefined;
    }
    default:
      return undefined;
  }
}
