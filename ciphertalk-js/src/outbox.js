// The persistent outbox and the reconnect backoff of the wire client (docs/protocol.md "Client
// payloads", "Sending"): every message, edit, delete, reaction and receipt is written to the store
// before it is sent, leaves the outbox when the server's `sent` answer arrives, and is sent again
// after a reconnect under the same message id (which the server deduplicates) if it did not.
import { ConnectionClosedError, RequestFailedError, TimeoutError } from './errors.js';
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
