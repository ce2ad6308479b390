// The client's key and state store: a small asynchronous key-value interface over byte values, so
// that an IndexedDB implementation (one object store per namespace) can replace the in-memory one
// without touching the client.

/**
 * What the client keeps, by namespace (each value a Uint8Array the client encodes itself):
 *
 * | namespace | key | value |
 * | --- | --- | --- |
 * | `local` | `identity`, `account`, `token`, `state` | the device's identity key pair, the account key seed (first device), the bearer token, counters |
 * | `prekeys` | `spk:<id>`, `otk:<id>`, `kem:<id>` | prekey storage encodings (docs/protocol.md "Key types and encodings") |
 * | `sessions` | `user.device` | the pairwise session record (protocol.md "Pairwise session records": `0xA1`, current first) |
 * | `accounts` | user id | the pinned account key (32 bytes) |
 * | `senderKeys` | room id | this device's own sender-key chain for the room |
 * | `groupKeys` | `room|user.device` | a peer's sender-key chain for the room |
 * | `seen` | message id | empty: message ids already processed |
 * | `outbox` | time.counter (sorts in send order) | an entry waiting for the server's `sent` (outbox.js) |
 * | `messages` | message id | what the features need: room, sender, expiry, deleted (no text) |
 * | `unread` | room id | JSON list of received message ids not yet marked read |
 * | `revocations` | user id | JSON list of verified device revocations (base64url) |
 * | `held` | message id | a group delivery waiting for its sender key |
 *
 * Every value is secret except `seen`, `accounts` and `revocations`: a persistent implementation must encrypt
 * them at rest (`IdbStore` in idb-store.js seals every value under a non-extractable WebCrypto key).
 * Implementations must return copies (the client may change what it reads).
 *
 * @typedef {object} KeyValueStore
 * @property {(ns: string, key: string) => Promise<Uint8Array|undefined>} get
 * @property {(ns: string, key: string, value: Uint8Array) => Promise<void>} put
 * @property {(ns: string, key: string) => Promise<void>} delete
 * @property {(ns: string) => Promise<string[]>} keys
 */

/** The in-memory store: everything is lost when the page or process ends. Not shared. */
export class MemoryStore {
  #data = new Map();

  #ns(ns) {
    if (typeof ns !== 'string' || ns.length === 0) throw new TypeError(`bad namespace: ${ns}`);
    let m = this.#data.get(ns);
    if (!m) this.#data.set(ns, (m = new Map()));
    return m;
  }

  async get(ns, key) {
    const v = this.#ns(ns).get(key);
    return v === undefined ? undefined : v.slice();
  }

  async put(ns, key, value) {
    if (!(value instanceof Uint8Array)) throw new TypeError(`value for ${ns}/${key} is not a Uint8Array`);
    this.#ns(ns).set(key, value.slice());
  }

  async delete(ns, key) {
    const v = this.#ns(ns).get(key);
    if (v) v.fill(0);
    this.#ns(ns).delete(key);
  }

  async keys(ns) {
    return [...this.#ns(ns).keys()];
  }
}
