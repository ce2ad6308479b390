// The persistent outbox and the reconnect backoff of the wire client (docs/protocol.md "Client
// payloads", "Sending"): every message, edit, delete, reaction and receipt is written to the store
// before it is sent, leaves the outbox when the server's `sent` answer arrives, and is sent again
// after a reconnect under the same message id (which the server deduplicates) if it did not.
import { CipherTalkError, ConnectionClosedError, RequestFailedError, TimeoutError } from './errors.js';
import { decodeJson, encodeJson } from './formats.js';

const NS = 'outbox';

/**
 * An outbox over a store namespace. Entries: {id, roomId, route: 'ROOM'|'USERS', users, content,
 * expiresAt}; `content` is the content object (encoded at send time), `expiresAt` 0 for none.
 * Keys sort in append order (time, then a per-process counter), also across restarts.
 */
export class Outbox {
  #store;
  #now;
  #counter = 0;

  constructor(store, now) {
    this.#store = store;
    this.#now = now;
  }

  /** Appends `entry` (persisted when the promise resolves); returns its key. */
  async append(entry) {
    const key = `${String(this.#now()).padStart(15, '0')}.${String(this.#counter++).padStart(9, '0')}`;
    await this.#store.put(NS, key, encodeJson(entry));
    return key;
  }

  /** The keys in send order. */
  async keys() {
    return (await this.#store.keys(NS)).sort();
  }

  async get(key) {
    const v = await this.#store.get(NS, key);
    return v ? decodeJson(v) : undefined;
  }

  async remove(key) {
    await this.#store.delete(NS, key);
  }
}

/**
 * Whether a send failed for a reason that goes away (a dropped or unanswered connection, a rate
 * limit, a server error): such an entry stays in the outbox and is sent again later.
 */
export function isTransient(e) {
  if (e instanceof ConnectionClosedError || e instanceof TimeoutError) return true;
  return e instanceof RequestFailedError && ['RATE_LIMITED', 'INTERNAL', 'UNAUTHENTICATED'].includes(e.code);
}

/**
 * Exponential backoff with jitter: attempt n waits a random time in [d/2, d] with
 * d = min(maxMs, initialMs * 2^n) (the "equal jitter" of the AWS architecture blog).
 */
export function backoffDelay(attempt, { initialMs, maxMs }, random01 = Math.random) {
  const d = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(d / 2 + (d / 2) * random01());
}

/** WebSocket close codes after which reconnecting is pointless: bad token (4001), replaced (4010), revoked (4011). */
export const FINAL_CLOSE_CODES = new Set([4001, 4010, 4011]);

/** Contents sent for the protocol's sake, not the user's: no `sent` event, and skipped when nobody is there to get them. */
export const CONTROL = ['RECEIPT_DELIVERED', 'RECEIPT_READ', 'READ_SYNC'];

/**
 * Sends an Outbox in order (docs/protocol.md "Sending"), one entry at a time, through
 * `ctx.send(entry)` while `ctx.ready()`; raises `sent` and `sendFailed` through `ctx.emit`.
 * Callers may wait for an entry's outcome (`queueAndWait`). One per client; not shared.
 */
export class OutboxSender {
  #outbox;
  #c;
  #waiters = new Map();
  #flushing = false;
  #again = false;
  #timer = null;

  /** @param {Outbox} outbox @param {{ready: () => boolean, send: (entry: object) => Promise<unknown>, now: () => number, emit: (event: string, value: object) => void}} ctx */
  constructor(outbox, ctx) {
    this.#outbox = outbox;
    this.#c = ctx;
  }

  /** Appends without waiting for the send (receipts); call `flush()` after. */
  append(entry) {
    return this.#outbox.append(entry);
  }

  /** Stops a pending retry timer (the client is closing). */
  stop() {
    clearTimeout(this.#timer);
  }

  /** Appends to the outbox, flushes, and resolves with the id once the server stored it (rejects if it refused). */
  async queueAndWait(entry) {
    const done = new Promise((resolve, reject) => this.#waiters.set(entry.id, { resolve, reject }));
    await this.#outbox.append(entry);
    this.flush();
    await done;
    return entry.id;
  }

  #settle(id, error) {
    const w = this.#waiters.get(id);
    if (!w) return;
    this.#waiters.delete(id);
    if (error) w.reject(error);
    else w.resolve(id);
  }

  /**
   * Sends the outbox in order while connected. An entry leaves it on the server's answer; a
   * transient failure (dropped connection, timeout, rate limit) stops the pass and the entry is
   * sent again, with the same message id, after the reconnect (the server deduplicates by id); a
   * refusal drops it with a `sendFailed` event.
   */
  async flush() {
    if (this.#flushing) {
      this.#again = true;
      return;
    }
    this.#flushing = true;
    try {
      do {
        this.#again = false;
        for (const key of await this.#outbox.keys()) {
          if (!this.#c.ready()) return;
          const e = await this.#outbox.get(key);
          if (!e) continue;
          if (e.expiresAt && e.expiresAt <= this.#c.now()) {
            await this.#outbox.remove(key); // self-destructed before it could leave
            this.#settle(e.id, new CipherTalkError('expired', `message ${e.id} expired before it was sent`));
            continue;
          }
          try {
            await this.#c.send(e);
          } catch (err) {
            if (isTransient(err)) {
              if (this.#c.ready()) this.#flushLater(err.retryAfterMs ?? 1000);
              return;
            }
            await this.#outbox.remove(key);
            this.#settle(e.id, err);
            this.#c.emit('sendFailed', { roomId: e.roomId, messageId: e.id, kind: e.content.k, error: err });
            continue;
          }
          await this.#outbox.remove(key);
          this.#settle(e.id);
          if (!CONTROL.includes(e.content.k)) this.#c.emit('sent', { roomId: e.roomId, messageId: e.id, kind: e.content.k });
        }
      } while (this.#again);
    } catch (e) {
      console.error('ciphertalk-js: outbox', e);
    } finally {
      this.#flushing = false;
    }
  }

  #flushLater(delayMs) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.flush(), delayMs);
    this.#timer.unref?.();
  }

}
