// The client's store in IndexedDB (browsers): the KeyValueStore interface of store.js, every value
// sealed with AES-256-GCM under a non-extractable WebCrypto key that lives in the same database.
import { concat, utf8 } from './bytes.js';
import { CipherTalkError } from './errors.js';

const DB_VERSION = 1;
const VALUES = 'values';
const META = 'meta';
const WRAPPING_KEY = 'wrapping-key';
const IV_BYTES = 12;

/**
 * A value in the database that does not open under the store's key: it was altered, moved to
 * another namespace or key, or written under another key (the database was tampered with, or the
 * wrapping key was replaced). Thrown by `get`; nothing is changed.
 */
export class StoreCorruptedError extends CipherTalkError {
  constructor(message, options) {
    super('store_corrupted', message, options);
  }
}

/**
 * The persistent store of the browser client: IndexedDB database `name` (default `ciphertalk`)
 * with two object stores, `values` (key `[namespace, key]`, value `{iv, ct}`) and `meta` (the
 * wrapping key).
 *
 * **At rest.** Each value is sealed with AES-256-GCM (random 96-bit nonce) under a *wrapping key*
 * generated with `extractable: false` and stored as a `CryptoKey` object (IndexedDB keeps
 * non-extractable keys by structured clone, so no script, this one included, can read its bytes:
 * the browser's key store holds them); the associated data is `namespace || 0x00 || key`, so a
 * value cannot be moved to another entry without `get` refusing it. This protects what the store
 * holds against reading the profile's IndexedDB files or a backup of them (the database alone is
 * useless without the browser's key handling), not against script running in the page's origin
 * (an XSS could call `get` like the client does): that is what the web app's strict CSP is for.
 *
 * **What is not a non-extractable WebCrypto key, and why.** The protocol's own secrets (identity
 * key seeds, signed, one-time and ML-KEM prekeys, the account key seed, ratchet root and chain
 * keys, sender-key chains) are bytes in the client's memory while it uses them and sealed bytes in
 * here: (1) their storage encodings are the protocol's byte formats (docs/protocol.md "Key types
 * and encodings"), shared with the Java SDK; (2) chain keys are HKDF/HMAC outputs that are
 * themselves the input of the next step, and WebCrypto cannot derive a key from a non-extractable
 * HMAC key's output without exposing the bytes; (3) ML-KEM-768 is not in WebCrypto at all
 * (@noble/post-quantum works on bytes); (4) the account key seed must be exportable for the
 * passphrase backup (account-backup.js). The wrapping key above is the one key that never leaves
 * WebCrypto.
 *
 * Values are copies both ways (as `MemoryStore`). Operations are single IndexedDB transactions;
 * concurrent use from two tabs of the same origin is not coordinated (use one client per database).
 */
export class IdbStore {
  #db;
  #key;
  #subtle;

  constructor(db, key, subtle) {
    this.#db = db;
    this.#key = key;
    this.#subtle = subtle;
  }

  /**
   * Opens (creating if needed) the database and its wrapping key.
   * @param {{name?: string, indexedDB?: IDBFactory, crypto?: Crypto}} [options] `indexedDB` and
   *   `crypto` default to the globals (the global `IDBKeyRange` is used with either)
   * @returns {Promise<IdbStore>}
   */
  static async open({ name = 'ciphertalk', indexedDB = globalThis.indexedDB, crypto = globalThis.crypto } = {}) {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`bad database name: ${name}`);
    if (!indexedDB) throw new TypeError('no IndexedDB here (pass options.indexedDB)');
    const db = await request(Object.assign(indexedDB.open(name, DB_VERSION), {
      onupgradeneeded: (e) => {
        const d = e.target.result;
        if (!d.objectStoreNames.contains(VALUES)) d.createObjectStore(VALUES);
        if (!d.objectStoreNames.contains(META)) d.createObjectStore(META);
      },
    }));
    let key = await run(db, META, 'readonly', (s) => s.get(WRAPPING_KEY));
    if (!key) {
      const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      // add, not put: a second tab opening a new database at the same moment keeps the first key.
      try {
        await run(db, META, 'readwrite', (s) => s.add(fresh, WRAPPING_KEY));
      } catch (e) {
        if (e?.name !== 'ConstraintError') throw e;
      }
      key = await run(db, META, 'readonly', (s) => s.get(WRAPPING_KEY));
    }
    if (!key || key.extractable !== false || key.algorithm?.name !== 'AES-GCM') {
      db.close();
      throw new StoreCorruptedError(`database ${name} holds no usable wrapping key`);
    }
    return new IdbStore(db, key, crypto.subtle);
  }

  /** Deletes the whole database `name` (identity, keys, sessions, history): signing out for good. */
  static async destroy({ name = 'ciphertalk', indexedDB = globalThis.indexedDB } = {}) {
    await request(indexedDB.deleteDatabase(name));
  }

  /** The wrapping key (non-extractable): exposed so tests can check it. */
  get wrappingKey() {
    return this.#key;
  }

  async get(ns, key) {
    checkNs(ns);
    const sealed = await run(this.#db, VALUES, 'readonly', (s) => s.get([ns, key]));
    if (sealed === undefined) return undefined;
    try {
      return new Uint8Array(await this.#subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: ad(ns, key) },
        this.#key, sealed.ct));
    } catch (e) {
      throw new StoreCorruptedError(`${ns}/${key} does not open under the store's key`, { cause: e });
    }
  }

  async put(ns, key, value) {
    checkNs(ns);
    if (typeof key !== 'string') throw new TypeError(`key in ${ns} is not a string: ${key}`);
    if (!(value instanceof Uint8Array)) throw new TypeError(`value for ${ns}/${key} is not a Uint8Array`);
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ct = new Uint8Array(await this.#subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad(ns, key) }, this.#key, value));
    await run(this.#db, VALUES, 'readwrite', (s) => s.put({ iv, ct }, [ns, key]));
  }

  async delete(ns, key) {
    checkNs(ns);
    await run(this.#db, VALUES, 'readwrite', (s) => s.delete([ns, key]));
  }

  async keys(ns) {
    checkNs(ns);
    // Array keys sort after strings, so [ns, []] bounds every [ns, "..."].
    const all = await run(this.#db, VALUES, 'readonly', (s) => s.getAllKeys(IDBKeyRange.bound([ns], [ns, []])));
    return all.map((k) => k[1]);
  }

  /** Closes the connection (the store cannot be used afterwards). */
  close() {
    this.#db.close();
  }
}

function checkNs(ns) {
  if (typeof ns !== 'string' || ns.length === 0) throw new TypeError(`bad namespace: ${ns}`);
}

function ad(ns, key) {
  return concat(utf8(ns), Uint8Array.of(0), utf8(key));
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new CipherTalkError('store_blocked', 'the database is open in another tab with an older version'));
  });
}

/** One request in its own transaction; resolves when the transaction has committed. */
function run(db, storeName, mode, makeRequest) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const req = makeRequest(tx.objectStore(storeName));
    let result;
    req.onsuccess = () => { result = req.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error ?? req.error);
    tx.onabort = () => reject(tx.error ?? new CipherTalkError('store_aborted', 'the IndexedDB transaction was aborted'));
  });
}
