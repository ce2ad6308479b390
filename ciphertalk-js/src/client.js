// The CipherTalk wire client in JavaScript: REST register/login, the WebSocket protocol of
// docs/protocol.md "Wire", key publication with a device certificate, PQXDH sessions, 1:1 and group
// (Sender Keys) messages with the content JSON of "Client payloads". It interoperates with the Java
// SDK through a real server. Runs in browsers and in Node 20 (global WebSocket: Node needs
// --experimental-websocket, or pass any WHATWG-compatible constructor as `WebSocket`).
import { concat, equal, fromBase64Url, toBase64Url, u32, utf8 } from './bytes.js';
import { ed25519Public, ed25519Sign, mlKemKeyPair, x25519Public } from './primitives.js';
import {
  LABELS, clamp, decrypt, encrypt, identityKeyPairFromStorage, initiate, isSameHandshake, kemPreKeyFromStorage,
  oneTimePreKeyFromStorage, parseAddress, parseIdentityKey, parseInitialMessage, respond, signedPreKeyFromStorage,
  verifyBundle,
} from './session.js';
import { MAX_EPOCH, decryptGroupMessage, encodeDistribution, encryptGroupMessage, parseDistribution, parseGroupMessage } from './group.js';
import { issueDeviceCertificate, verifyDeviceCertificate } from './account.js';
import { AccountDevices, RevocationBook } from './linking.js';
import { Directory } from './directory.js';
import { CONTROL, FINAL_CLOSE_CODES, Outbox, OutboxSender, backoffDelay } from './outbox.js';
import { MessageFeatures, TYPING_TTL_MS, requireFields } from './messages.js';
import { Attachment, downloadAttachment } from './attachments.js';
import {
  CipherTalkError, ConnectionClosedError, DuplicateMessageError, InvalidMessageError, InvalidStateError, NoSessionError,
  RequestFailedError, TimeoutError, TooManySkippedMessagesError, UntrustedDeviceError,
} from './errors.js';
import { MemoryStore } from './store.js';
import {
  MAX_PREVIOUS, decodeContent, decodeJson, decodeRecord, encodeContent, encodeJson, encodeRecord, privateRoomId, uuidBytes,
  uuidText,
} from './formats.js';

const PROTOCOL = '1.0';
const CLIENT_NAME = 'ciphertalk-js/0.1';
/** One-time prekeys published at first and per refill (as the Java SDK); the server warns below 10. */
const ONE_TIME_BATCH = 100;
const DAY_MS = 24 * 60 * 60 * 1000;
/** One-time KEM prekey ids count up from here, apart from the last-resort key's (2). */
const ONE_TIME_KEM_FIRST_ID = 1 << 24;
/** One-time KEM prekeys per prekeys_publish frame (the server takes up to 100; 25 are about 43 KB). */
const KEM_PREKEYS_PER_FRAME = 25;
const MAX_HELD = 1000;
const HELD = Symbol('held');
const addr = (a) => `${a.userId}.${a.deviceId}`;
const secureRandom = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
/** Errors about the message itself: it is dropped and acknowledged (protocol.md "Pairwise session records"). */
const DROPPED = [InvalidMessageError, DuplicateMessageError, TooManySkippedMessagesError, NoSessionError, UntrustedDeviceError, InvalidStateError];

/**
 * A CipherTalk client for one device of one account. Create with {@link CipherTalkClient.create};
 * then `register`/`login`, `connect`, and send with `sendText`. Listen with `on(event, fn)`:
 *
 * - `message` {roomId, sender: {userId, deviceId}, messageId, body, sentAt, kind: 'DIRECT'|'GROUP', replyTo?, expiresAt?, own,
 *   attachment?}: `attachment` (an {@link Attachment}: name, mimeType, size, thumbnail?) for a file message, whose
 *   `body` is the file name; fetch it with `downloadAttachment`
 * - `edited` {roomId, messageId, sender, body, editId, at}; `deleted` {roomId, messageId, sender}
 * - `reaction` {roomId, messageId, sender, emoji, added}
 * - `receipt` {roomId, messageId, from: {userId, deviceId}, status: 'DELIVERED'|'READ', at}: for this user's own messages
 * - `typing` {roomId, userId, deviceId, typing}: `typing: false` also when a start is not repeated within 6 s
 * - `expired` {roomId, messageId}: a self-destructing message reached its time; `readSync` {roomId, messageIds}
 * - `sent` {roomId, messageId, kind}; `sendFailed` {roomId, messageId, kind, error}: the outbox's outcome
 * - `connected` {}; `reconnecting` {attempt, delayMs}
 * - `linkingRequired` {userId, deviceId}; `linkCompleted` {confirmationCode, from}; `linkFailed` {from, error}
 * - `deviceLinked` {userId, deviceId}; `deviceRevoked` {userId, deviceId, revokedBy}; `devicesChanged` {userId};
 *   `revocationRefused` {userId, error}
 * - `content` any other decrypted content (a kind this client does not know): {roomId, sender, content}
 * - `undecryptable` {messageId, sender, stream, error}: a delivery that was dropped (and
 *   acknowledged) because it did not decrypt or verify; `error` is a CipherTalkError subclass
 * - `room` {change, room}: a `room_event`
 * - `notice` the `notice` frame; `closed` {code, reason}
 * - `error` a CipherTalkError that stopped delivery processing (a timeout, a refused request): the
 *   client closed the connection so the unfinished delivery comes again after `connect()`
 *
 * Not thread-safe in the sense that matters here: one client per device, used from one event loop.
 * Listener exceptions are caught and reported to `console.error`, never break the connection.
 */
export class CipherTalkClient {
  #opts;
  #store;
  #random;
  #now;
  #listeners = new Map();
  #ws = null;
  #nextId = 1;
  #pending = new Map();
  #queue = Promise.resolve();
  #token = null;
  #identity = null;
  #rooms = new Map();
  #refilling = false;
  #up = false; // the current socket said hello and published: sends may go
  #closing = false;
  #attempt = 0;
  #reconnectTimer = null;
  #needsLink = false;
  #revocations;
  #sender; // OutboxSender: the outbox, sent in order while connected
  #features; // MessageFeatures: edits, deletes, reactions, receipts, typing, expiry
  #account; // AccountDevices: linking, approving, listing and revoking this account's devices
  #depth = 0; // deliveries queued and not finished
  #directory; // Directory: certified, unrevoked devices of each user

  constructor(opts, store, identity) {
    this.#opts = opts;
    this.#store = store;
    this.#random = opts.random;
    this.#now = opts.now;
    this.#identity = identity;
    this.#revocations = new RevocationBook(store);
    this.#directory = new Directory({ store, address: this.address, request: (f) => this.request(f), emit: (e, v) => this.#emit(e, v),
      revocations: this.#revocations });
    const emit = (event, value) => this.#emit(event, value);
    const ready = () => this.connected && !this.#needsLink;
    const send = (entry) => this.#run(() => this.#sendEntry(entry));
    this.#sender = new OutboxSender(new Outbox(store, opts.now), { ready, send, now: opts.now, emit });
    this.#features = new MessageFeatures({ store, userId: opts.userId, deviceId: opts.deviceId, now: opts.now, emit, ready, send,
      newMessageId: () => this.newMessageId(), outbox: this.#sender, typingTtlMs: opts.typingTtlMs, deliveryReceipts: opts.deliveryReceipts });
    this.#account = new AccountDevices({ store, userId: opts.userId, deviceId: opts.deviceId, address: this.address, random: opts.random,
      now: opts.now, request: (f) => this.request(f), emit, flush: () => this.#sender.flush(), publishKeys: () => this.#publishKeysIfNeeded(),
      devicesOf: (u) => this.#directory.devicesOf(u), acceptRevocations: (u, l) => this.#directory.acceptRevocations(u, l), revocations: this.#revocations });
  }

  /**
   * @param {{userId: string, deviceId?: number, httpUrl: string, wsUrl: string, store?: import('./store.js').KeyValueStore,
   *   WebSocket?: typeof WebSocket, fetch?: typeof fetch, random?: (n: number) => Uint8Array, now?: () => number,
   *   requestTimeoutMs?: number, oneTimePreKeys?: number, reconnect?: boolean, backoff?: {initialMs: number, maxMs: number},
   *   typingTtlMs?: number, deliveryReceipts?: boolean, signedPreKeyRotationMs?: number, preKeyGraceMs?: number}} options
   *   oneTimePreKeys: per publish and refill, 10-200 (default 100);
   *   signedPreKeyRotationMs: the signed prekey and the last-resort ML-KEM prekey are replaced together this often, checked
   *   at every connect (default 7 days, 1-365 days); preKeyGraceMs: a replaced pair still opens initial messages this long,
   *   then is deleted (default 30 days, 1-365 days), as docs/protocol.md "Prekey lifecycle" says;
   *   reconnect: reconnect with `backoff` after the socket drops (default true, 250 ms doubling to 30 s, jittered);
   *   deliveryReceipts: send delivery receipts for received texts (default true)
   */
  static async create(options) {
    // fetch through a wrapper: called unbound (as this.#opts.fetch), a browser's fetch throws "Illegal invocation".
    const o = { deviceId: 1, store: new MemoryStore(), WebSocket: globalThis.WebSocket, fetch: (...a) => globalThis.fetch(...a),
      random: secureRandom, now: Date.now, requestTimeoutMs: 20000, oneTimePreKeys: ONE_TIME_BATCH, reconnect: true,
      backoff: { initialMs: 250, maxMs: 30000 }, typingTtlMs: TYPING_TTL_MS, deliveryReceipts: true,
      signedPreKeyRotationMs: 7 * DAY_MS, preKeyGraceMs: 30 * DAY_MS, ...options };
    if (typeof o.userId !== 'string' || !/^[a-z0-9][a-z0-9._-]{2,31}$/.test(o.userId)) throw new TypeError(`bad userId: ${o.userId}`);
    if (!Number.isInteger(o.deviceId) || o.deviceId < 1 || o.deviceId > 0x7fffffff) throw new TypeError(`bad deviceId: ${o.deviceId}`);
    if (!Number.isInteger(o.oneTimePreKeys) || o.oneTimePreKeys < 10 || o.oneTimePreKeys > 200) throw new TypeError(`oneTimePreKeys must be 10-200: ${o.oneTimePreKeys}`);
    if (!Number.isInteger(o.signedPreKeyRotationMs) || o.signedPreKeyRotationMs < DAY_MS || o.signedPreKeyRotationMs > 365 * DAY_MS) {
      throw new TypeError(`signedPreKeyRotationMs must be 1 to 365 days: ${o.signedPreKeyRotationMs}`);
    }
    if (!Number.isInteger(o.preKeyGraceMs) || o.preKeyGraceMs < DAY_MS || o.preKeyGraceMs > 365 * DAY_MS) {
      throw new TypeError(`preKeyGraceMs must be 1 to 365 days: ${o.preKeyGraceMs}`);
    }
    for (const u of ['httpUrl', 'wsUrl']) if (typeof o[u] !== 'string') throw new TypeError(`${u} is required`);
    if (typeof o.WebSocket !== 'function') throw new TypeError('no WebSocket constructor (Node 20: --experimental-websocket)');
    let stored = await o.store.get('local', 'identity');
    if (!stored) {
      stored = concat(Uint8Array.of(1), o.random(32), clamp(o.random(32)));
      await o.store.put('local', 'identity', stored);
    }
    const identity = await identityKeyPairFromStorage(stored);
    const client = new CipherTalkClient(o, o.store, identity);
    const token = await o.store.get('local', 'token');
    if (token) client.#token = new TextDecoder().decode(token);
    return client;
  }

  /** This device's address. */
  get address() {
    return { userId: this.#opts.userId, deviceId: this.#opts.deviceId };
  }

  /** This device's identity key (128-byte encoding). */
  get identityKey() {
    return this.#identity.publicKey.encoded.slice();
  }

  on(event, listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(listener);
    return () => this.#listeners.get(event).delete(listener);
  }

  #emit(event, value) {
    for (const l of this.#listeners.get(event) ?? []) {
      try {
        l(value);
      } catch (e) {
        console.error(`ciphertalk-js: a '${event}' listener threw`, e);
      }
    }
  }

  // ------------------------------------------------------------------ REST

  async #post(path, body) {
    const res = await this.#opts.fetch(new URL(path, this.#opts.httpUrl), {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    let json = {};
    try {
      json = await res.json();
    } catch {
      // an empty or non-JSON body: the status says enough
    }
    if (!res.ok) {
      const retry = res.headers.get('Retry-After');
      throw new RequestFailedError(json.error ?? `http_${res.status}`, `${path} answered ${res.status}: ${json.message ?? json.error ?? ''}`,
          { status: res.status, retryAfterMs: retry ? Number(retry) * 1000 : undefined });
    }
    return json;
  }

  /** POST /api/register. Throws RequestFailedError (e.g. 409 for a taken name, 429). */
  async register(password) {
    await this.#post('/api/register', { username: this.#opts.userId, password });
  }

  /** POST /api/login; keeps the bearer token (in the store) for `connect`. */
  async login(password, totp) {
    const body = { username: this.#opts.userId, password };
    if (totp) body.totp = totp;
    const json = await this.#post('/api/login', body);
    this.#token = json.token;
    await this.#store.put('local', 'token', utf8(json.token));
  }

  // ------------------------------------------------------------------ socket

  /**
   * Opens the WebSocket, authenticates with `hello`, publishes this device's keys the first time
   * (creating the account key on the account's first device), and starts receiving.
   */
  async connect() {
    if (!this.#token) throw new CipherTalkError('not_signed_in', 'register or login before connect');
    this.#closing = false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const ws = new this.#opts.WebSocket(this.#opts.wsUrl);
    this.#ws = ws;
    let up = false;
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new ConnectionClosedError(`cannot connect to ${this.#opts.wsUrl}`));
      ws.onclose = () => reject(new ConnectionClosedError(`cannot connect to ${this.#opts.wsUrl}`));
    });
    ws.onerror = () => {};
    ws.onmessage = (e) => this.#onFrame(e.data, ws);
    ws.onclose = (e) => {
      for (const [id, p] of this.#pending) {
        if (p.ws !== ws) continue; // a request on a newer connection
        this.#pending.delete(id);
        p.reject(new ConnectionClosedError(`connection closed (${e.code})`, e.code));
      }
      if (this.#ws === ws) {
        this.#ws = null;
        this.#up = false;
      }
      this.#emit('closed', { code: e.code, reason: e.reason });
      // Dropped after it was up (not closed here, not revoked or replaced): reconnect and resume.
      if (up && !this.#closing && this.#opts.reconnect && !FINAL_CLOSE_CODES.has(e.code)) this.#scheduleReconnect();
    };
    try {
      await this.request({ type: 'hello', token: this.#token, device: this.#opts.deviceId, client: CLIENT_NAME });
      await this.#publishKeysIfNeeded();
      await this.#rotateSignedPreKeysIfDue();
    } catch (e) {
      ws.close(1000, 'setup failed');
      throw e;
    }
    if (this.#closing) { // close() was called while this (re)connect was under way
      ws.close(1000, 'bye');
      throw new ConnectionClosedError('closed while connecting');
    }
    up = true;
    this.#up = this.#ws === ws;
    this.#attempt = 0;
    await this.#features.resumeExpiry();
    this.#emit('connected', {});
    this.#sender.flush();
  }

  /** Whether the socket is open and authenticated (sends leave at once; otherwise they wait in the outbox). */
  get connected() {
    return this.#up && this.#ws !== null && this.#ws.readyState === 1;
  }

  /** False while this device waits to be linked to its account (see `startLinking`). */
  get linked() {
    return !this.#needsLink;
  }

  #scheduleReconnect() {
    if (this.#reconnectTimer || this.#closing) return;
    const delayMs = backoffDelay(this.#attempt++, this.#opts.backoff);
    this.#emit('reconnecting', { attempt: this.#attempt, delayMs });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#closing) return;
      this.connect().catch((e) => {
        if (e instanceof RequestFailedError && ['AUTH_FAILED', 'FORBIDDEN'].includes(e.code)) {
          this.#emit('error', e); // the token is gone, or this device was revoked: retrying cannot help
          return;
        }
        this.#scheduleReconnect();
      });
    }, delayMs);
  }

  /** Closes the socket after the deliveries already received are processed; no reconnect follows. */
  async close() {
    this.#closing = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#sender.stop();
    this.#features.stop();
    await this.#queue;
    const ws = this.#ws;
    if (ws && ws.readyState <= 1) {
      await new Promise((resolve) => {
        ws.addEventListener('close', resolve);
        ws.close(1000, 'bye');
        setTimeout(resolve, 2000);
      });
    }
  }

  /**
   * Sends one request frame (fields other than `v` and `id`) and resolves with its response;
   * an `error` response rejects with RequestFailedError carrying the server's code.
   */
  request(frame) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return Promise.reject(new ConnectionClosedError('not connected'));
    const id = `c${this.#nextId++}`;
    const text = JSON.stringify({ v: PROTOCOL, type: frame.type, id, ...frame });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TimeoutError(`no answer to ${frame.type} in ${this.#opts.requestTimeoutMs} ms`));
      }, this.#opts.requestTimeoutMs);
      this.#pending.set(id, {
        ws,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      ws.send(text);
    });
  }

  #onFrame(text, ws) {
    let f;
    try {
      f = JSON.parse(text);
    } catch {
      return; // the server sends only JSON; nothing to answer to
    }
    const p = this.#pending.get(f.id);
    if (p && !['deliver', 'notice', 'room_event', 'presence_event', 'typing_event', 'receipt_event', 'link_deliver'].includes(f.type)) {
      this.#pending.delete(f.id);
      if (f.type === 'error') {
        p.reject(new RequestFailedError(f.code, f.message ?? f.code, f));
      } else {
        p.resolve(f);
      }
      return;
    }
    switch (f.type) {
      case 'deliver':
        this.#enqueue(() => this.#onDeliver(f.delivery, ws));
        break;
      case 'link_deliver':
        this.#enqueue(() => this.#account.onLinkDeliver(f));
        break;
      case 'notice':
        // One refill at a time: notices keep coming while the stock is low and the refill is on its way.
        if (f.kind === 'PREKEYS_LOW' && Number.isInteger(f.count) && f.count < 10 && !this.#refilling) {
          this.#refilling = true;
          this.#enqueue(() => this.#refillOneTimePreKeys().finally(() => { this.#refilling = false; }));
        }
        if (f.kind === 'DEVICES_CHANGED' && typeof f.message === 'string' && f.message) {
          this.#enqueue(() => this.#directory.onDevicesChanged(f.message));
        }
        this.#emit('notice', f);
        break;
      case 'room_event':
        if (f.room) this.#rooms.set(f.room.roomId, f.room);
        this.#emit('room', { change: f.change, room: f.room });
        break;
      default:
        this.#emit(f.type, f);
    }
  }

  /** Runs deliveries one at a time, in arrival order, so acks never pass an unfinished one. */
  #enqueue(task) {
    this.#depth++;
    this.#queue = this.#queue.then(task).catch((e) => console.error('ciphertalk-js: delivery task failed', e))
        .finally(() => {
          // The end of a batch (nothing more arrived meanwhile): one delivery receipt per room and sender.
          if (--this.#depth === 0 && this.#features.owesReceipts) {
            this.#features.writeOwedReceipts().catch((e) => console.error('ciphertalk-js: receipts', e));
          }
        });
  }

  // ------------------------------------------------------------------ keys

  async #publishKeysIfNeeded() {
    if (await this.#store.get('local', 'published')) return;
    const own = await this.request({ type: 'bundle_fetch', user: this.#opts.userId, withOneTimePreKey: false });
    let accountSeed = await this.#store.get('local', 'account');
    if (!accountSeed) {
      if (own.bundles.some((b) => b.certificate && b.device !== addr(this.address))) {
        // Not the account's first device: publish nothing until an existing device links this one.
        this.#needsLink = true;
        this.#emit('linkingRequired', this.address);
        return;
      }
      accountSeed = this.#random(32);
      await this.#store.put('local', 'account', accountSeed);
    }
    const certificate = await issueDeviceCertificate({ accountSeed, address: this.address,
      identityKey: this.#identity.publicKey.encoded, createdAt: this.#now() });
    const pair = await this.#newSignedPair(1, 2);
    const oneTime = await this.#newOneTimePreKeys(3);
    const oneTimeKem = await this.#newOneTimeKemPreKeys();
    await this.request({
      type: 'prekeys_publish',
      identityKey: toBase64Url(this.#identity.publicKey.encoded),
      ...pair,
      oneTimePreKeys: oneTime,
      oneTimeKemPreKeys: oneTimeKem.slice(0, KEM_PREKEYS_PER_FRAME),
      certificate: toBase64Url(certificate),
    });
    await this.#publishKemPreKeys(oneTimeKem.slice(KEM_PREKEYS_PER_FRAME));
    await this.#store.put('local', 'signedPreKeys', encodeJson({ spk: 1, kem: 2, at: this.#now(), next: 3, retired: [] }));
    await this.#store.put('local', 'published', Uint8Array.of(1));
    this.#needsLink = false;
    // Our own certificate pins our account key, as a peer would.
    const cert = await verifyDeviceCertificate(certificate, { address: this.address });
    await this.#store.put('accounts', this.#opts.userId, cert.accountKey);
  }

  async #newOneTimePreKeys(firstId) {
    const out = [];
    for (let id = firstId; id < firstId + this.#opts.oneTimePreKeys; id++) {
      const priv = clamp(this.#random(32));
      await this.#store.put('prekeys', `otk:${id}`, concat(Uint8Array.of(1), u32(id), priv));
      out.push({ keyId: id, publicKey: toBase64Url(await x25519Public(priv)) });
    }
    await this.#store.put('local', 'nextPreKeyId', u32(firstId + this.#opts.oneTimePreKeys));
    return out;
  }

  /** The identity key's signature over a prekey: label, id, public key (docs/protocol.md). */
  #signPreKey(label, id, publicKey) {
    return ed25519Sign(this.#identity.seed, concat(utf8(label), u32(id), publicKey));
  }

  /**
   * A new signed X25519 prekey and signed last-resort ML-KEM-768 prekey, kept as `spk:ID` and
   * `kem:ID`; returns them as `prekeys_publish` fields.
   */
  async #newSignedPair(spkId, kemId) {
    const spkPrivate = clamp(this.#random(32));
    const spkPublic = await x25519Public(spkPrivate);
    const spkSig = await this.#signPreKey(LABELS.signedPreKey, spkId, spkPublic);
    await this.#store.put('prekeys', `spk:${spkId}`, concat(Uint8Array.of(1), u32(spkId), spkPrivate, spkSig));
    const kemSeed = this.#random(64);
    const kem = mlKemKeyPair(kemSeed);
    const kemSig = await this.#signPreKey(LABELS.kemPreKey, kemId, kem.publicKey);
    await this.#store.put('prekeys', `kem:${kemId}`, concat(Uint8Array.of(1), u32(kemId), kemSeed, kemSig));
    return {
      signedPreKey: { keyId: spkId, publicKey: toBase64Url(spkPublic), signature: toBase64Url(spkSig) },
      kemPreKey: { keyId: kemId, publicKey: toBase64Url(kem.publicKey), signature: toBase64Url(kemSig) },
    };
  }

  /**
   * Signed one-time ML-KEM-768 prekeys (PQXDH's PQOPK), as many as the X25519 ones per batch, so
   * the two stocks stay level; their ids count up from 2^24 on their own (never the last-resort
   * key's), and their private halves are kept as `okem:ID` until an initial message using one
   * decrypts (docs/protocol.md, "Prekey lifecycle").
   */
  async #newOneTimeKemPreKeys() {
    const next = await this.#store.get('local', 'nextKemPreKeyId');
    const first = next ? new DataView(next.buffer, next.byteOffset).getUint32(0) : ONE_TIME_KEM_FIRST_ID;
    const out = [];
    for (let id = first; id < first + this.#opts.oneTimePreKeys; id++) {
      const seed = this.#random(64);
      const { publicKey } = mlKemKeyPair(seed);
      const sig = await this.#signPreKey(LABELS.kemPreKey, id, publicKey);
      await this.#store.put('prekeys', `okem:${id}`, concat(Uint8Array.of(1), u32(id), seed, sig));
      out.push({ keyId: id, publicKey: toBase64Url(publicKey), signature: toBase64Url(sig) });
    }
    await this.#store.put('local', 'nextKemPreKeyId', u32(first + this.#opts.oneTimePreKeys));
    return out;
  }

  /**
   * Replaces the signed X25519 prekey and the last-resort ML-KEM prekey together once they are
   * `signedPreKeyRotationMs` old (new ids: the next of a counter below the one-time KEM ids), keeps
   * the replaced pair for initial messages still in flight, and deletes every replaced pair older
   * than `preKeyGraceMs`, so a later compromise of this device cannot open initial messages sent to
   * it (which matters when a server withholds one-time prekeys). A device that published before
   * this existed counts its first pair from the first connect that finds no record.
   */
  async #rotateSignedPreKeysIfDue() {
    if (this.#needsLink || !(await this.#store.get('local', 'published'))) return;
    const now = this.#now();
    const stored = await this.#store.get('local', 'signedPreKeys');
    const state = stored ? decodeJson(stored) : { spk: 1, kem: 2, at: now, next: 3, retired: [] };
    let changed = !stored;
    if (now - state.at >= this.#opts.signedPreKeyRotationMs) {
      const spkId = state.next;
      const kemId = state.next + 1;
      await this.#newSignedPair(spkId, kemId);
      // Saved before it is published (and marked so): a crash in between publishes it at the next
      // connect, and the old pair is kept as retired either way.
      state.retired.push({ spk: state.spk, kem: state.kem, retiredAt: now });
      Object.assign(state, { spk: spkId, kem: kemId, at: now, next: state.next + 2, unpublished: true });
      await this.#store.put('local', 'signedPreKeys', encodeJson(state));
      changed = false;
    }
    if (state.unpublished) {
      const spk = await signedPreKeyFromStorage(await this.#store.get('prekeys', `spk:${state.spk}`));
      const kem = kemPreKeyFromStorage(await this.#store.get('prekeys', `kem:${state.kem}`));
      await this.request({ type: 'prekeys_publish', identityKey: toBase64Url(this.#identity.publicKey.encoded),
        signedPreKey: { keyId: spk.id, publicKey: toBase64Url(spk.publicKey), signature: toBase64Url(spk.signature) },
        kemPreKey: { keyId: kem.id, publicKey: toBase64Url(kem.publicKey), signature: toBase64Url(kem.signature) },
        oneTimePreKeys: [] });
      delete state.unpublished;
      changed = true;
    }
    // A retired pair is deleted after its grace period, counted from when it was replaced.
    const expired = state.retired.filter((r) => now - r.retiredAt >= this.#opts.preKeyGraceMs);
    for (const r of expired) {
      await this.#store.delete('prekeys', `spk:${r.spk}`);
      await this.#store.delete('prekeys', `kem:${r.kem}`);
    }
    if (expired.length) {
      state.retired = state.retired.filter((r) => !expired.includes(r));
      changed = true;
    }
    if (changed) await this.#store.put('local', 'signedPreKeys', encodeJson(state));
  }

  /** Publishes one-time KEM prekeys, 25 per frame (about 43 KB), as the Java SDK does. */
  async #publishKemPreKeys(keys) {
    for (let i = 0; i < keys.length; i += KEM_PREKEYS_PER_FRAME) {
      await this.request({ type: 'prekeys_publish', identityKey: toBase64Url(this.#identity.publicKey.encoded),
        oneTimePreKeys: [], oneTimeKemPreKeys: keys.slice(i, i + KEM_PREKEYS_PER_FRAME) });
    }
  }

  async #refillOneTimePreKeys() {
    if (!(await this.#store.get('local', 'published'))) return;
    const next = await this.#store.get('local', 'nextPreKeyId');
    const first = next ? new DataView(next.buffer).getUint32(0) : 3;
    const kemKeys = await this.#newOneTimeKemPreKeys();
    await this.request({ type: 'prekeys_publish', identityKey: toBase64Url(this.#identity.publicKey.encoded),
      oneTimePreKeys: await this.#newOneTimePreKeys(first), oneTimeKemPreKeys: kemKeys.slice(0, KEM_PREKEYS_PER_FRAME) });
    await this.#publishKemPreKeys(kemKeys.slice(KEM_PREKEYS_PER_FRAME));
  }

  // ------------------------------------------------------------------ sessions

  async #record(device) {
    const bytes = await this.#store.get('sessions', device);
    return bytes ? decodeRecord(bytes, this.#random) : [];
  }

  async #saveRecord(device, states) {
    await this.#store.put('sessions', device, encodeRecord(states.slice(0, MAX_PREVIOUS + 1)));
  }

  /** Starts a PQXDH session with `device` from a freshly fetched bundle (with a one-time prekey). */
  async #startSession(device) {
    const address = parseAddress(device);
    const reply = await this.request({ type: 'bundle_fetch', user: address.userId, device: address.deviceId });
    const w = reply.bundles.find((b) => b.device === device);
    if (!w) throw new NoSessionError(`${device} has no bundle`);
    const identity = await this.#directory.checkCertificate(w, reply.revocations);
    const b64 = fromBase64Url;
    const kem = w.oneTimeKemPreKey ?? w.kemPreKey;
    if (!kem) throw new UntrustedDeviceError(`${device} published no ML-KEM prekey`, address);
    const bundle = {
      address, identity: await parseIdentityKey(b64(w.identityKey)),
      signedPreKey: { id: w.signedPreKey.keyId, publicKey: b64(w.signedPreKey.publicKey), signature: b64(w.signedPreKey.signature) },
      oneTime: w.oneTimePreKey ? { id: w.oneTimePreKey.keyId, publicKey: b64(w.oneTimePreKey.publicKey) } : null,
      kem: { id: kem.keyId, publicKey: b64(kem.publicKey), signature: b64(kem.signature) },
      rsa: null,
    };
    if (!equal(bundle.identity.encoded, identity.encoded)) throw new UntrustedDeviceError(`${device}: bundle and certificate differ`, address);
    try {
      await verifyBundle(bundle);
    } catch (e) {
      throw new UntrustedDeviceError(`bundle of ${device} refused: ${e.message}`, address);
    }
    const state = await initiate({ identity: this.#identity, localAddress: this.address, bundle, suite: 'PQXDH', random: this.#random });
    const record = await this.#record(device);
    await this.#saveRecord(device, [state, ...record]);
  }

  /**
   * Encrypts `plaintext` for every given device (starting sessions where needed) and returns the
   * `recipients` of a `send`. Exposed for tests and tools that send their own frames.
   */
  async encryptForDevices(devices, plaintext, messageId, expiresAt = 0) {
    const out = [];
    for (const device of devices) {
      let record = await this.#record(device);
      if (record.length === 0) {
        await this.#startSession(device);
        record = await this.#record(device);
      }
      const ciphertext = await encrypt(record[0], plaintext, uuidBytes(messageId), expiresAt);
      await this.#saveRecord(device, record);
      out.push({ to: device, ciphertext: toBase64Url(ciphertext) });
    }
    return out;
  }

  /** Sends a pairwise `send` to every device of `users` and this user's other devices. */
  async #sendPairwise(roomId, users, content, messageId, expiresAt = 0) {
    const plaintext = encodeContent(content);
    for (let attempt = 0; ; attempt++) {
      const devices = [];
      for (const u of new Set([...users, this.#opts.userId])) devices.push(...(await this.#directory.devicesOf(u)));
      if (devices.length === 0 && CONTROL.includes(content.k)) return null; // nobody to tell
      const recipients = await this.encryptForDevices(devices, plaintext, messageId, expiresAt);
      if (recipients.length === 0) throw new NoSessionError(`no certified device to send to in ${roomId}`);
      const frame = { type: 'send', messageId, room: roomId, recipients };
      if (expiresAt) frame.expiresAt = expiresAt;
      try {
        return await this.request(frame);
      } catch (e) {
        // The device list changed between listing and sending: list again and retry (same id).
        if (!(e instanceof RequestFailedError) || e.code !== 'STALE_DEVICES' || attempt >= 2) throw e;
      }
    }
  }

  // ------------------------------------------------------------------ rooms

  /** The room's info from the server (cached from room events otherwise). */
  async room(roomId) {
    const reply = await this.request({ type: 'room_get', room: roomId });
    this.#rooms.set(roomId, reply.room);
    return reply.room;
  }

  /** Opens (or finds) the private room with `userId`; returns its id (p-lo-hi). */
  async privateRoom(userId) {
    const reply = await this.request({ type: 'room_create', kind: 'PRIVATE', members: [userId] });
    const room = reply.room;
    const members = room.members.map((m) => m.user).sort();
    if (room.kind !== 'PRIVATE' || members.length !== 2 || !members.includes(userId) || !members.includes(this.#opts.userId)
        || room.roomId !== await privateRoomId(userId, this.#opts.userId)) {
      throw new CipherTalkError('private_room_mismatch', `the server answered room ${room.roomId} for a private room with ${userId}`);
    }
    this.#rooms.set(room.roomId, room);
    return room.roomId;
  }

  /** Creates a group room with the given other members; returns its id. */
  async createGroup(name, members) {
    const reply = await this.request({ type: 'room_create', kind: 'GROUP', name, members });
    this.#rooms.set(reply.room.roomId, reply.room);
    return reply.room.roomId;
  }

  /** A new message id: UUIDv7 (RFC 9562), as the wire asks. */
  newMessageId() {
    const b = this.#random(16);
    const ms = BigInt(this.#now());
    for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    return uuidText(b);
  }

  /**
   * Sends a text to a private room (pairwise to every device) or a group room (one Sender Keys
   * message, after distributing this device's sender key to member devices that lack it).
   * Resolves with the message id once the server stored it.
   *
   * @param {string} roomId @param {string} text
   * @param {{replyTo?: string, expiresInMs?: number}} [options] replyTo: a message id; expiresInMs: self-destruct delay
   */
  async sendText(roomId, text, { replyTo, expiresInMs } = {}) {
    if (typeof text !== 'string' || text.length === 0 || text.length > 8192) throw new RangeError('text must be 1-8192 characters');
    if (expiresInMs !== undefined && (!Number.isSafeInteger(expiresInMs) || expiresInMs < 1)) throw new RangeError(`expiresInMs must be a positive integer: ${expiresInMs}`);
    await this.#roomForSend(roomId);
    return this.#features.sendText(roomId, text, { replyTo, expiresInMs });
  }

  /**
   * Downloads a received file (the `attachment` of a `message` event) from the server's blob store
   * with this device's token, verifies every chunk and the digest, and resolves with a Blob of the
   * plaintext, made only once all of it verified (attachments.js `downloadAttachment`).
   * @param {import('./attachments.js').Attachment} attachment
   * @param {{maxBytes?: number, type?: string, onProgress?: (received: number, total: number) => void, signal?: AbortSignal}} [options]
   *   maxBytes: the most ciphertext to hold in memory (default 64 MiB); type: the Blob's type instead of the sender's MIME type
   * @returns {Promise<Blob>} rejects with AttachmentIntegrityError (nothing usable), AttachmentTooLargeError, RequestFailedError
   */
  async downloadAttachment(attachment, options = {}) {
    if (!(attachment instanceof Attachment)) throw new TypeError('downloadAttachment needs the attachment of a message event');
    if (!this.#token) throw new CipherTalkError('not_signed_in', 'register or login before downloading');
    return downloadAttachment(attachment, { ...options, fetch: this.#opts.fetch, httpUrl: this.#opts.httpUrl, token: this.#token });
  }

  // Message features (MessageFeatures in messages.js holds the rules; each resolves once the server stored it).

  /** EDIT of this user's message; resolves with the edit's id. RangeError for an unknown, deleted or foreign message. */
  edit(roomId, messageId, text) {
    return this.#features.edit(roomId, messageId, text);
  }

  /** DELETE for everyone of this user's message; resolves with the delete's id. */
  deleteForEveryone(roomId, messageId) {
    return this.#features.deleteForEveryone(roomId, messageId);
  }

  /** Adds (or with `add` false removes) a reaction to a message of the room; resolves with its id. */
  react(roomId, messageId, emoji, add = true) {
    return this.#features.react(roomId, messageId, emoji, add);
  }

  /** Read receipts to each sender of the room's unread messages and a read-sync to this user's other devices (queued). */
  markRead(roomId) {
    return this.#features.markRead(roomId);
  }

  /** How many received messages of the room are not yet marked read. */
  unreadCount(roomId) {
    return this.#features.unreadCount(roomId);
  }

  /** Typing started (or stopped); never queued: resolves false when not connected. Receivers expire a start after 6 s. */
  typing(roomId, isTyping = true) {
    return this.#features.typing(roomId, isTyping);
  }

  // Account and devices (AccountDevices in linking.js).

  /**
   * On a new device of an existing account (after `linkingRequired`): the linking code to show,
   * {text (16 groups of 4, as the Java console), qrPayload, bytes}; `linkCompleted` follows.
   */
  startLinking() {
    return this.#account.start();
  }

  /**
   * On a linked device: sends the account key sealed to the new device's `code` (typed or scanned);
   * resolves with the confirmation code both devices show. InvalidLinkError for a bad code.
   */
  approveLink(code) {
    return this.#account.approve(code);
  }

  /** This account's certified, unrevoked devices (this one included), as device ids. */
  devices() {
    return this.#account.devices();
  }

  /** Signs and publishes the revocation of this account's device `deviceId` (a lost one, or this one). */
  revokeDevice(deviceId) {
    return this.#account.revoke(deviceId);
  }

  /** The room a send goes to: asked from the server when connected, else the one last seen. */
  async #roomForSend(roomId) {
    if (this.#needsLink) throw new CipherTalkError('not_linked', 'this device is not linked to its account yet');
    if (this.connected) return this.room(roomId);
    const room = this.#rooms.get(roomId);
    if (!room) throw new ConnectionClosedError(`not connected, and room ${roomId} is not known here`);
    return room;
  }

  // ------------------------------------------------------------------ outbox

  /** Encrypts and sends one entry: ROOM to the room (pairwise or Sender Keys), USERS pairwise to those users. */
  async #sendEntry(e) {
    const room = await this.room(e.roomId);
    if (e.route === 'USERS') return this.#sendPairwise(e.roomId, e.users, e.content, e.id, e.expiresAt);
    if (room.kind === 'PRIVATE') {
      const others = room.members.map((m) => m.user).filter((u) => u !== this.#opts.userId);
      return this.#sendPairwise(e.roomId, others, e.content, e.id, e.expiresAt);
    }
    return this.#sendGroup(room, e.content, e.id, e.expiresAt);
  }

  /** Runs a send in the delivery queue, so it never interleaves with a decryption of the same sessions. */
  #run(task) {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #ownSenderKey(roomId) {
    const stored = await this.#store.get('senderKeys', roomId);
    return stored ? decodeJson(stored) : this.#newSenderKey(roomId, 0);
  }

  /** A fresh sending chain for `epoch` (the old one is overwritten: nothing derives the new one). */
  async #newSenderKey(roomId, epoch) {
    if (!Number.isSafeInteger(epoch) || epoch > MAX_EPOCH) throw new CipherTalkError('epoch_out_of_range', `epoch ${epoch} out of range`);
    const chainId = new DataView(this.#random(4).buffer).getUint32(0);
    const own = { roomId, epoch, sender: this.address, signingSeed: this.#random(32), chainId, iteration: 0,
      chainKey: this.#random(32), distributedTo: [] };
    await this.#store.put('senderKeys', roomId, encodeJson(own));
    return own;
  }

  /** The highest epoch of any member's sender key this device holds for the room. */
  async #peerEpoch(roomId) {
    let max = 0;
    for (const k of await this.#store.keys('groupKeys')) {
      if (k.startsWith(`${roomId}|`)) max = Math.max(max, decodeJson(await this.#store.get('groupKeys', k)).epoch);
    }
    return max;
  }

  /** This device's sender key in the room's current epoch, for the current epoch of the group. */
  async senderKeyEpoch(roomId) {
    const stored = await this.#store.get('senderKeys', roomId);
    return stored ? decodeJson(stored).epoch : null;
  }

  async #sendGroup(room, content, messageId, expiresAt = 0) {
    let own = await this.#ownSenderKey(room.roomId);
    const devices = [];
    for (const m of room.members) devices.push(...(await this.#directory.devicesOf(m.user)));
    // Max wins (protocol.md "Sender-key epochs"): a device that got the key and is gone (member
    // removed or left, device revoked) means a new epoch; a member already in a later epoch means
    // joining it. Either way a fresh key, sent to every current member device.
    const gone = own.distributedTo.some((d) => !devices.includes(d));
    const peer = await this.#peerEpoch(room.roomId);
    const epoch = Math.max(gone ? own.epoch + 1 : own.epoch, peer);
    if (epoch !== own.epoch) own = await this.#newSenderKey(room.roomId, epoch);
    const lacking = devices.filter((d) => !own.distributedTo.includes(d));
    if (lacking.length > 0) {
      // The distribution message as the state is now, so it opens the next message we send.
      const km = await encodeDistribution(own);
      const keyUsers = [...new Set(lacking.map((d) => parseAddress(d).userId))];
      const keyId = this.newMessageId();
      await this.#sendPairwise(room.roomId, keyUsers,
          { k: 'SENDER_KEY', r: room.roomId, id: keyId, t: this.#now(), km: toBase64Url(km) }, keyId);
      own.distributedTo = [...new Set([...own.distributedTo, ...lacking])];
    }
    const sealed = await encryptGroupMessage(own, encodeContent(content), uuidBytes(messageId), expiresAt, this.#random(12));
    own.chainKey = sealed.chainKey;
    own.iteration = sealed.iteration;
    await this.#store.put('senderKeys', room.roomId, encodeJson(own)); // before it leaves: never reuse a key
    const frame = { type: 'send_group', messageId, room: room.roomId, ciphertext: toBase64Url(sealed.bytes) };
    if (expiresAt) frame.expiresAt = expiresAt;
    await this.request(frame);
  }

  // ------------------------------------------------------------------ receiving

  async #onDeliver(d, ws) {
    // From a socket that is gone: not acknowledged, the server delivers it again after the reconnect.
    if (!ws || ws !== this.#ws || ws.readyState !== 1) return;
    try {
      if (!(await this.#store.get('seen', d.messageId))) {
        const result = d.kind === 'GROUP' ? await this.#onGroup(d) : await this.#onPairwise(d);
        if (result !== HELD) await this.#store.put('seen', d.messageId, new Uint8Array(0));
      }
    } catch (e) {
      if (!DROPPED.some((type) => e instanceof type)) {
        // Not the message's fault (a timeout, a refused or unanswered request, a bug): it is not
        // finished, and acks are cumulative, so nothing after it on this connection may be
        // acknowledged either. Close; after a reconnect the server delivers it again.
        ws.close(4000, 'delivery not processed');
        if (!(e instanceof CipherTalkError)) throw e;
        this.#emit('error', e);
        return;
      }
      // Dropped on purpose: reported (never with content), and acknowledged below.
      this.#emit('undecryptable', { messageId: d.messageId, sender: safeAddress(d.sender), stream: d.stream, error: e });
    }
    this.request({ type: 'ack', stream: d.stream, seq: d.seq }).catch(() => {});
  }

  async #onPairwise(d) {
    const sender = parseAddress(d.sender);
    let bytes;
    try {
      bytes = fromBase64Url(d.ciphertext);
    } catch {
      throw new InvalidMessageError('ciphertext is not base64url');
    }
    const certified = await this.#directory.senderIdentity(d.sender);
    const record = await this.#record(d.sender);
    let opened;
    if (bytes.length > 1 && bytes[1] === 1) {
      let initial;
      try {
        initial = parseInitialMessage(bytes);
      } catch (e) {
        throw new InvalidMessageError(`not an initial message: ${e.message}`);
      }
      // A certified sender whose certificate names another identity key: a relabelled message.
      if (!equal(initial.identity, certified.encoded)) throw new InvalidMessageError(`initial message from ${d.sender} carries an uncertified identity key`);
      const index = record.findIndex((s) => isSameHandshake(s, bytes));
      if (index >= 0) {
        opened = await decrypt(record[index], bytes);
      } else {
        const res = await this.#respond(sender, initial, bytes);
        opened = res;
        const current = record[0];
        const keepOurs = current && current.prefix && compareAddress(this.address, sender) < 0;
        if (keepOurs) record.splice(1, 0, res.state);
        else record.unshift(res.state);
      }
    } else {
      // Current session first, then the previous ones; decrypt changes a state only on success.
      let lastError = new NoSessionError(`no session with ${d.sender}`);
      for (const s of record) {
        try {
          opened = await decrypt(s, bytes);
          break;
        } catch (e) {
          if (!(e instanceof CipherTalkError)) throw e;
          lastError = e;
        }
      }
      if (!opened) throw lastError;
    }
    await this.#saveRecord(d.sender, record);
    if (uuidText(opened.messageId) !== d.messageId) throw new InvalidMessageError('message id differs from the frame\'s');
    await this.#onContent(d, sender, decodeContent(opened.plaintext), 'DIRECT', opened.expiresAt);
  }

  async #respond(sender, initial, bytes) {
    const spk = await this.#store.get('prekeys', `spk:${initial.signedPreKeyId}`);
    const otk = initial.oneTimePreKeyId ? await this.#store.get('prekeys', `otk:${initial.oneTimePreKeyId}`) : undefined;
    // A one-time KEM prekey if the id names one (deleted below once used), else the last-resort one.
    const oneTimeKem = initial.kemId ? await this.#store.get('prekeys', `okem:${initial.kemId}`) : undefined;
    const kem = oneTimeKem ?? (initial.kemId ? await this.#store.get('prekeys', `kem:${initial.kemId}`) : undefined);
    if (!spk) throw new InvalidMessageError('unknown signed prekey');
    if (initial.oneTimePreKeyId && !otk) throw new InvalidMessageError('unknown or used one-time prekey');
    const res = await respond({
      identity: this.#identity, localAddress: this.address, remoteAddress: sender,
      signedPreKey: await signedPreKeyFromStorage(spk),
      oneTimePreKey: otk ? await oneTimePreKeyFromStorage(otk) : undefined,
      kemPreKey: kem ? kemPreKeyFromStorage(kem) : undefined,
      message: bytes, random: this.#random,
    });
    if (otk) await this.#store.delete('prekeys', `otk:${initial.oneTimePreKeyId}`); // used once, only on success
    if (oneTimeKem) await this.#store.delete('prekeys', `okem:${initial.kemId}`); // likewise: a replay naming it fails
    return res;
  }

  async #onContent(d, sender, c, kind, expiresAt) {
    if (c.id !== d.messageId) throw new InvalidMessageError('content id differs from the frame\'s message id');
    if (d.room && c.r !== d.room) throw new InvalidMessageError('content names another room than the frame');
    // The expiry is bound into the ciphertext's associated data; the frame's and the content's must agree with it.
    if ((d.expiresAt ?? 0) !== (expiresAt ?? 0)) throw new InvalidMessageError('the frame\'s expiry differs from the message\'s');
    if (c.k !== 'TYPING' && c.k !== 'SENDER_KEY' && (c.x ?? 0) !== (expiresAt ?? 0)) {
      throw new InvalidMessageError('the content\'s expiry differs from the message\'s');
    }
    if (c.k === 'SENDER_KEY') {
      if (kind !== 'DIRECT') throw new InvalidMessageError('a sender key must arrive pairwise');
      let dist;
      try {
        dist = await parseDistribution(fromBase64Url(c.km ?? ''));
      } catch (e) {
        throw new InvalidMessageError(`sender key refused: ${e.message}`);
      }
      if (dist.roomId !== c.r || addr(dist.sender) !== addr(sender)) throw new InvalidMessageError('sender key names another room or device');
      let room = this.#rooms.get(c.r);
      if (!room || !room.members.some((m) => m.user === sender.userId)) room = await this.room(c.r);
      if (!room.members.some((m) => m.user === sender.userId)) throw new InvalidMessageError(`${sender.userId} is not a member of ${c.r}`);
      const key = `${c.r}|${addr(sender)}`;
      const old = await this.#store.get('groupKeys', key);
      const prev = old ? decodeJson(old) : null;
      if (!prev || dist.epoch > prev.epoch || (dist.epoch === prev.epoch && dist.chainId !== prev.chainId)) {
        await this.#store.put('groupKeys', key, encodeJson(dist));
      }
      await this.#retryHeld(key);
      return;
    }
    const own = sender.userId === this.#opts.userId;
    let room = this.#rooms.get(c.r);
    if (!room || (!own && !room.members.some((m) => m.user === sender.userId))) {
      try {
        room = await this.room(c.r);
      } catch (e) {
        if (e instanceof RequestFailedError) throw new InvalidMessageError(`content for room ${c.r}, which this device cannot see`);
        throw e;
      }
    }
    if (!own && !room.members.some((m) => m.user === sender.userId)) throw new InvalidMessageError(`${sender.userId} is not a member of ${c.r}`);
    requireFields(c);
    await this.#features.dispatch(c, sender, kind, own);
  }

  async #onGroup(d) {
    const sender = parseAddress(d.sender);
    let bytes;
    let m;
    try {
      bytes = fromBase64Url(d.ciphertext);
      m = parseGroupMessage(bytes);
    } catch (e) {
      throw new InvalidMessageError(`not a group message: ${e.message}`);
    }
    if (addr(m.sender) !== d.sender || m.roomId !== d.room) throw new InvalidMessageError('group message names another sender or room than the frame');
    const key = `${m.roomId}|${d.sender}`;
    const stored = await this.#store.get('groupKeys', key);
    if (!stored || decodeJson(stored).chainId !== m.chainId) {
      // The sender key may still be on its way (it comes pairwise): hold the delivery in the store
      // (so acknowledging it loses nothing) and open it when the key arrives.
      if ((await this.#store.keys('held')).length >= MAX_HELD) throw new NoSessionError(`no sender key for ${d.sender} in ${m.roomId}`);
      await this.#store.put('held', d.messageId, encodeJson({ key, d }));
      return HELD;
    }
    await this.#openGroup(key, decodeJson(stored), d, sender, bytes);
  }

  async #openGroup(key, chain, d, sender, bytes) {
    let read;
    try {
      read = await decryptGroupMessage(bytes, chain);
    } catch (e) {
      throw new InvalidMessageError(`group message refused: ${e.message}`);
    }
    await this.#store.put('groupKeys', key, encodeJson({ ...chain, chainKey: read.chainKey, iteration: read.iteration,
      skipped: [...read.skipped] }));
    if (uuidText(read.message.messageId) !== d.messageId) throw new InvalidMessageError('message id differs from the frame\'s');
    await this.#onContent(d, sender, decodeContent(read.plaintext), 'GROUP', read.message.expiresAt);
  }

  async #retryHeld(key) {
    for (const id of await this.#store.keys('held')) {
      const { key: k, d } = decodeJson(await this.#store.get('held', id));
      if (k !== key) continue;
      await this.#store.delete('held', id);
      try {
        await this.#openGroup(key, decodeJson(await this.#store.get('groupKeys', key)), d, parseAddress(d.sender), fromBase64Url(d.ciphertext));
        await this.#store.put('seen', d.messageId, new Uint8Array(0));
      } catch (e) {
        if (!(e instanceof CipherTalkError)) throw e;
        this.#emit('undecryptable', { messageId: d.messageId, sender: safeAddress(d.sender), stream: d.stream, error: e });
      }
    }
  }
}

function safeAddress(text) {
  try {
    return parseAddress(text);
  } catch {
    return null;
  }
}

/** Orders addresses by user id, then device id (protocol.md "Pairwise session records"). */
function compareAddress(a, b) {
  if (a.userId !== b.userId) return a.userId < b.userId ? -1 : 1;
  return a.deviceId - b.deviceId;
}
