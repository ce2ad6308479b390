// The JavaScript client against the real Java server (the standalone jar) and a real Java client
// (the console client jar, driven through its piped stdin/stdout): 1:1 and group chat both ways,
// and a tampered ciphertext that must end as a typed error, not a crash.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CipherTalkClient, InvalidMessageError, CipherTalkError, MemoryStore, UntrustedDeviceError, RequestFailedError, encodeContent, fromBase64Url,
  toBase64Url, concat, utf8, u32, clamp, LABELS, ed25519Sign, x25519Public, mlKemKeyPair, identityKeyPairFromStorage,
  issueDeviceCertificate, parseAddress, parseIdentityKey, initiate, encrypt,
} from '../src/index.js';
import { jarsOrSkip, killAll, startConsole, startServer } from './support/processes.js';
import { next } from './support/events.js';

const { skip, missing } = jarsOrSkip();
const PASSWORD = 'interop password 1';


/**
 * A hostile device written with the protocol functions only, so it can publish what an honest
 * client never would: no certificate, or a certificate of another identity key than it uses.
 */
async function hostileDevice(server, userId, { certify, certifiedIdentity }) {
  const post = async (path, body) => {
    const res = await fetch(new URL(path, server.httpUrl), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return res.json();
  };
  await post('/api/register', { username: userId, password: PASSWORD });
  const { token } = await post('/api/login', { username: userId, password: PASSWORD });
  const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
  const newIdentity = () => identityKeyPairFromStorage(concat(Uint8Array.of(1), random(32), clamp(random(32))));
  const identity = await newIdentity();
  const published = certifiedIdentity ? await newIdentity() : identity; // the key its certificate names
  const ws = new WebSocket(server.wsUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let n = 0;
  const waiting = new Map();
  ws.onmessage = (e) => {
    const f = JSON.parse(e.data);
    if (waiting.has(f.id)) { waiting.get(f.id)(f); waiting.delete(f.id); }
  };
  const request = (frame) => new Promise((resolve) => {
    const id = `c${++n}`;
    waiting.set(id, resolve);
    ws.send(JSON.stringify({ v: '1.0', id, ...frame }));
  });
  assert.equal((await request({ type: 'hello', token, device: 1 })).type, 'welcome');
  const sign = (label, id, pub) => ed25519Sign(published.seed, concat(utf8(label), u32(id), pub));
  const spk = await x25519Public(clamp(random(32)));
  const kem = mlKemKeyPair(random(64));
  const address = { userId, deviceId: 1 };
  const publish = {
    type: 'prekeys_publish', identityKey: toBase64Url(published.publicKey.encoded),
    signedPreKey: { keyId: 1, publicKey: toBase64Url(spk), signature: toBase64Url(await sign(LABELS.signedPreKey, 1, spk)) },
    kemPreKey: { keyId: 2, publicKey: toBase64Url(kem.publicKey), signature: toBase64Url(await sign(LABELS.kemPreKey, 2, kem.publicKey)) },
    oneTimePreKeys: [],
  };
  if (certify) {
    publish.certificate = toBase64Url(await issueDeviceCertificate({ accountSeed: random(32), address,
      identityKey: published.publicKey.encoded, createdAt: Date.now() }));
  }
  assert.equal((await request(publish)).type, 'ok');
  return {
    ws,
    /** Sends `text` to every device of `peer` in their private room, opening a session with `identity`. */
    async sendTo(peer, text) {
      return this.sendWith(peer, await this.fetch(peer), text);
    },
    /** `peer`'s bundles as the server hands them out now. */
    fetch(peer) {
      return request({ type: 'bundle_fetch', user: peer });
    },
    /** Sends `text` with a new session on bundles fetched earlier (`reply` of {@link fetch}). */
    async sendWith(peer, reply, text) {
      const room = (await request({ type: 'room_create', kind: 'PRIVATE', members: [peer] })).room.roomId;
      const recipients = [];
      const messageId = '019ade81-3100-7001-8000-' + Date.now().toString(16).padStart(12, '0').slice(-12);
      for (const w of reply.bundles) {
        const b64 = fromBase64Url;
        const bundle = { address: parseAddress(w.device), identity: await parseIdentityKey(b64(w.identityKey)),
          signedPreKey: { id: w.signedPreKey.keyId, publicKey: b64(w.signedPreKey.publicKey), signature: b64(w.signedPreKey.signature) },
          oneTime: w.oneTimePreKey ? { id: w.oneTimePreKey.keyId, publicKey: b64(w.oneTimePreKey.publicKey) } : null,
          kem: { id: w.kemPreKey.keyId, publicKey: b64(w.kemPreKey.publicKey), signature: b64(w.kemPreKey.signature) }, rsa: null };
        const session = await initiate({ identity, localAddress: address, bundle, suite: 'PQXDH', random });
        const plaintext = encodeContent({ k: 'TEXT', r: room, id: messageId, t: Date.now(), b: text });
        const bytes = await encrypt(session, plaintext, Uint8Array.from(messageId.replace(/-/g, '').match(/../g), (h) => parseInt(h, 16)), 0);
        recipients.push({ to: w.device, ciphertext: toBase64Url(bytes) });
      }
      const sent = await request({ type: 'send', messageId, room, recipients });
      assert.equal(sent.type, 'sent', JSON.stringify(sent));
      return messageId;
    },
  };
}

async function jsClient(server, userId) {
  // 20 one-time prekeys instead of 100: plenty here, and key generation is most of connect's time.
  const c = await CipherTalkClient.create({ userId, httpUrl: server.httpUrl, wsUrl: server.wsUrl, oneTimePreKeys: 20, requestTimeoutMs: 45000 });
  await c.register(PASSWORD);
  await c.login(PASSWORD);
  await c.connect();
  return c;
}

describe('JavaScript client with a Java client through the Java server', { skip }, () => {
  let server;
  let java;
  let javaTwo;
  let js;
  const clients = [];

  before(async () => {
    if (missing) throw new Error(`CI=true and ${missing}`);
    server = await startServer();
    [js, java, javaTwo] = await Promise.all([jsClient(server, 'jsuser'), startConsole(server, 'javauser', PASSWORD),
      startConsole(server, 'javatwo', PASSWORD)]);
    clients.push(js);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await killAll();
  });

  test('1:1 both ways: Java opens the private room and writes first, then several turns each way', async () => {
    java.type('/dm jsuser');
    await java.awaitLine('now in @jsuser');
    const first = next(js, 'message', (m) => m.body === 'hello from java');
    java.type('hello from java');
    const m = await first;
    assert.deepEqual(m.sender, { userId: 'javauser', deviceId: 1 });
    assert.equal(m.roomId, 'p-javauser-jsuser');
    assert.equal(m.kind, 'DIRECT');

    await js.sendText(m.roomId, 'hello from js');
    assert.match(await java.awaitLine('jsuser: hello from js'), /^\[\d+\] \d\d:\d\d jsuser: hello from js$/);
    for (let i = 0; i < 3; i++) {
      const got = next(js, 'message', (x) => x.body === `java turn ${i}`);
      java.type(`java turn ${i}`);
      await got;
      await js.sendText(m.roomId, `js turn ${i}`);
      await java.awaitLine(`jsuser: js turn ${i}`);
    }
  });

  test('1:1 started by the JavaScript side reaches the Java client', async () => {
    const peer = javaTwo;
    const room = await js.privateRoom('javatwo');
    assert.equal(room, 'p-javatwo-jsuser');
    await js.sendText(room, 'js writes first');
    await peer.awaitLine('jsuser: js writes first');
    peer.type('/dm jsuser');
    await peer.awaitLine('now in @jsuser');
    const reply = next(js, 'message', (x) => x.body === 'java answers');
    peer.type('java answers');
    assert.deepEqual((await reply).sender, { userId: 'javatwo', deviceId: 1 });
  });

  test('group both ways: a room the Java client creates, and one the JavaScript client creates', async () => {
    java.type('/create crew jsuser');
    await java.awaitLine('now in #crew');
    const hi = next(js, 'message', (x) => x.body === 'hi crew from java');
    java.type('hi crew from java');
    const g = await hi;
    assert.equal(g.kind, 'GROUP');
    assert.deepEqual(g.sender, { userId: 'javauser', deviceId: 1 });
    assert.match(g.roomId, /^g-/);

    await js.sendText(g.roomId, 'hi crew from js');
    await java.awaitLine('jsuser: hi crew from js');
    const again = next(js, 'message', (x) => x.body === 'java again');
    java.type('java again');
    await again;
    await js.sendText(g.roomId, 'js again');
    await java.awaitLine('jsuser: js again');

    const own = await js.createGroup('jsroom', ['javauser']);
    await java.awaitLine('you were added to #jsroom');
    await js.sendText(own, 'welcome to jsroom');
    await java.awaitLine('jsuser: welcome to jsroom');
    java.type('/join jsroom');
    await java.awaitLine('now in #jsroom');
    const answer = next(js, 'message', (x) => x.body === 'thanks from java' && x.roomId === own);
    java.type('thanks from java');
    assert.equal((await answer).kind, 'GROUP');
  });

  test('sender-key epochs: after a removal both sides move to a new epoch and the remaining members read on', async () => {
    // The Java client removes a member: its next key is a later epoch, which the JS client installs.
    java.type('/create trio jsuser javatwo');
    await java.awaitLine('now in #trio');
    const first = next(js, 'message', (x) => x.body === 'trio epoch zero');
    java.type('trio epoch zero');
    const trio = (await first).roomId;
    await js.sendText(trio, 'js in trio');
    await java.awaitLine('jsuser: js in trio');
    assert.equal(await js.senderKeyEpoch(trio), 0);
    java.type('/remove javatwo');
    await java.awaitLine('removed javatwo');
    const later = next(js, 'message', (x) => x.body === 'trio after removal');
    java.type('trio after removal');
    await later;
    // The JS client joins the later epoch with a fresh key before its next message; Java reads it.
    await js.sendText(trio, 'js after removal');
    await java.awaitLine('jsuser: js after removal');
    assert.equal(await js.senderKeyEpoch(trio), 1);

    // The JS client removes a member itself: it rotates, and the Java member still reads it.
    const own = await js.createGroup('jsduo', ['javauser', 'javatwo']);
    await js.sendText(own, 'duo epoch zero');
    await java.awaitLine('jsuser: duo epoch zero');
    await js.request({ type: 'room_remove', room: own, user: 'javatwo' });
    await js.sendText(own, 'duo after removal');
    await java.awaitLine('jsuser: duo after removal');
    assert.equal(await js.senderKeyEpoch(own), 1);
  });

  test('a client restarted on the same store reads what the Java client sent while it was away', async () => {
    const store = new MemoryStore();
    const opts = { userId: 'jsaway', httpUrl: server.httpUrl, wsUrl: server.wsUrl, store, oneTimePreKeys: 20 };
    const before = await CipherTalkClient.create(opts);
    await before.register(PASSWORD);
    await before.login(PASSWORD);
    await before.connect();
    const room = await before.privateRoom('javatwo');
    await before.sendText(room, 'see you later');
    await javaTwo.awaitLine('jsaway: see you later');
    await before.close();

    javaTwo.type('/dm jsaway');
    await javaTwo.awaitLine('now in @jsaway');
    javaTwo.type('written while you were away');
    await javaTwo.awaitLine('javatwo: written while you were away');
    const after = await CipherTalkClient.create(opts); // identity, token, prekeys and sessions from the store
    clients.push(after);
    const queued = next(after, 'message', (x) => x.body === 'written while you were away');
    await after.connect();
    assert.deepEqual((await queued).sender, { userId: 'javatwo', deviceId: 1 });
    await after.sendText(room, 'back again');
    await javaTwo.awaitLine('jsaway: back again');
  });

  test('a token the server does not know is refused at hello with AUTH_FAILED, and the socket is closed', async () => {
    const store = new MemoryStore();
    await store.put('local', 'token', utf8('not-a-token-the-server-issued'));
    const c = await CipherTalkClient.create({ userId: 'jsuser', httpUrl: server.httpUrl, wsUrl: server.wsUrl, store });
    const closed = next(c, 'closed');
    await assert.rejects(c.connect(), (e) => e instanceof RequestFailedError && e.code === 'AUTH_FAILED');
    await closed;
    await assert.rejects(c.request({ type: 'room_list' }), (e) => e.code === 'connection_closed');
  });

  test('a tampered 1:1 or group ciphertext is a typed InvalidMessageError event, and the session survives it', async () => {
    const [ann, ben] = await Promise.all([jsClient(server, 'ann'), jsClient(server, 'ben')]);
    clients.push(ann, ben);
    const room = await ann.privateRoom('ben');
    const first = next(ben, 'message', (x) => x.body === 'untouched');
    await ann.sendText(room, 'untouched');
    await first;

    const id = ann.newMessageId();
    const plaintext = encodeContent({ k: 'TEXT', r: room, id, t: Date.now(), b: 'tampered' });
    const [copy] = await ann.encryptForDevices(['ben.1'], plaintext, id);
    const bytes = fromBase64Url(copy.ciphertext);
    bytes[bytes.length - 20] ^= 0x01; // one bit of the AES-GCM ciphertext
    const dropped = next(ben, 'undecryptable', (e) => e.messageId === id);
    const shown = [];
    const off = ben.on('message', (x) => shown.push(x.body));
    await ann.request({ type: 'send', messageId: id, room, recipients: [{ to: 'ben.1', ciphertext: toBase64Url(bytes) }] });
    const e = await dropped;
    assert.ok(e.error instanceof InvalidMessageError, `got ${e.error}`);
    assert.ok(e.error instanceof CipherTalkError);
    assert.equal(e.error.code, 'invalid_message');
    assert.deepEqual(e.sender, { userId: 'ann', deviceId: 1 });

    const after = next(ben, 'message', (x) => x.body === 'still fine');
    await ann.sendText(room, 'still fine');
    await after;
    off();
    assert.deepEqual(shown, ['still fine'], 'the tampered message was never shown');

    // A group message with one flipped bit, sent by a member under a new message id: refused by
    // its signature, reported as InvalidMessageError; the chain reads the next honest message.
    const group = await ann.createGroup('pair', ['ben']);
    const honest = next(ben, 'message', (x) => x.body === 'group untouched');
    await ann.sendText(group, 'group untouched');
    await honest;
    const history = await ben.request({ type: 'history_fetch', stream: `room:${group}`, after: 0, limit: 10 });
    const original = fromBase64Url(history.deliveries.at(-1).ciphertext);
    original[original.length - 100] ^= 0x01;
    const groupId = ann.newMessageId();
    const refused = next(ben, 'undecryptable', (x) => x.messageId === groupId);
    await ann.request({ type: 'send_group', messageId: groupId, room: group, ciphertext: toBase64Url(original) });
    const g = await refused;
    assert.ok(g.error instanceof InvalidMessageError, `got ${g.error}`);
    assert.match(g.error.message, /signature/);
    const later = next(ben, 'message', (x) => x.body === 'group still fine');
    await ann.sendText(group, 'group still fine');
    await later;
  });

  test('a device without a certificate, or whose certificate names another identity key, is never read', async () => {
    const victim = await jsClient(server, 'victim');
    clients.push(victim);
    const shown = [];
    victim.on('message', (x) => shown.push(x.body));
    const uncertified = await hostileDevice(server, 'nocert', { certify: false });
    const dropped = next(victim, 'undecryptable', (e) => e.sender?.userId === 'nocert');
    await uncertified.sendTo('victim', 'from a device no account key certified');
    const e1 = await dropped;
    assert.ok(e1.error instanceof UntrustedDeviceError, `got ${e1.error}`);
    assert.equal(e1.error.code, 'untrusted_device');
    assert.match(e1.error.message, /no device certificate/);

    // Certified, but the initial message carries another identity key than the certificate names.
    const relabelled = await hostileDevice(server, 'swapper', { certify: true, certifiedIdentity: true });
    const dropped2 = next(victim, 'undecryptable', (e) => e.sender?.userId === 'swapper');
    await relabelled.sendTo('victim', 'from an identity key the certificate does not name');
    const e2 = await dropped2;
    assert.ok(e2.error instanceof InvalidMessageError, `got ${e2.error}`);
    assert.match(e2.error.message, /uncertified identity key/);
    uncertified.ws.close();
    relabelled.ws.close();
    assert.deepEqual(shown, [], 'nothing from either device was shown');
  });

  test('crossed handshakes (both sides start a session at once) settle, and every message is read', async () => {
    const [amy, bo] = await Promise.all([jsClient(server, 'amy'), jsClient(server, 'bob')]);
    clients.push(amy, bo);
    const room = await amy.privateRoom('bob');
    const got = { amy: [], bob: [] };
    amy.on('message', (x) => got.amy.push(x.body));
    bo.on('message', (x) => got.bob.push(x.body));
    const failures = [];
    for (const c of [amy, bo]) c.on('undecryptable', (e) => failures.push(e.error));
    // Both start a PQXDH session before either has seen the other's: two handshakes cross.
    const first = async (from, to, body) => {
      const id = from.newMessageId();
      const recipients = await from.encryptForDevices([`${to}.1`], encodeContent({ k: 'TEXT', r: room, id, t: Date.now(), b: body }), id);
      return { from, id, recipients };
    };
    const crossed = await Promise.all([first(amy, 'bob', 'amy 0'), first(bo, 'amy', 'bob 0')]);
    for (const c of crossed) {
      assert.equal(fromBase64Url(c.recipients[0].ciphertext)[1], 1, 'an initial message');
      await c.from.request({ type: 'send', messageId: c.id, room, recipients: c.recipients });
    }
    for (let i = 1; i <= 3; i++) {
      await Promise.all([amy.sendText(room, `amy ${i}`), bo.sendText(room, `bob ${i}`)]);
    }
    const deadline = Date.now() + 20000;
    while ((got.amy.length < 4 || got.bob.length < 4) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(failures, []);
    assert.deepEqual(got.bob, ['amy 0', 'amy 1', 'amy 2', 'amy 3']);
    assert.deepEqual(got.amy, ['bob 0', 'bob 1', 'bob 2', 'bob 3']);
  });

  test('a device refills its one-time prekeys when the server says they run low', async () => {
    const small = async (userId) => {
      const c = await CipherTalkClient.create({ userId, httpUrl: server.httpUrl, wsUrl: server.wsUrl, oneTimePreKeys: 12 });
      await c.register(PASSWORD);
      await c.login(PASSWORD);
      await c.connect();
      clients.push(c);
      return c;
    };
    const [carl, dora] = await Promise.all([small('carl'), small('dora')]);
    await carl.privateRoom('dora'); // dora may take carl's one-time prekeys beyond a stranger's budget
    const notices = [];
    carl.on('notice', (n) => { if (n.kind === 'PREKEYS_LOW') notices.push(n.count); });
    const taken = [];
    // Published: keys 3..14. After three fetches 9 are left: the server warns, carl publishes 15..26.
    while (taken.length < 20 && !(taken.at(-1) >= 15)) {
      const reply = await dora.request({ type: 'bundle_fetch', user: 'carl' });
      taken.push(reply.bundles[0].oneTimePreKey?.keyId);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(notices.length >= 1 && notices[0] === 9, `PREKEYS_LOW at 9 left (got ${notices})`);
    assert.deepEqual(taken, Array.from({ length: taken.length }, (_, i) => 3 + i), 'each key handed out once, in order');
    assert.ok(taken.at(-1) >= 15, `a refilled key was handed out (${taken})`);
  });

  test("a Java device's first message uses one of the JavaScript device's one-time ML-KEM prekeys, deleted once it decrypts", async () => {
    const store = new MemoryStore();
    const kim = await CipherTalkClient.create({ userId: 'kim', httpUrl: server.httpUrl, wsUrl: server.wsUrl, oneTimePreKeys: 30,
      requestTimeoutMs: 45000, store });
    await kim.register(PASSWORD);
    await kim.login(PASSWORD);
    await kim.connect();
    clients.push(kim);
    const kemKeys = async () => (await store.keys('prekeys')).filter((k) => k.startsWith('okem:'));
    const before = await kemKeys();
    assert.equal(before.length, 30, 'as many one-time KEM prekeys as X25519 ones (sent in frames of 25 and 5)');
    java.type('/dm kim');
    await java.awaitLine('now in @kim');
    const got = next(kim, 'message', (m) => m.body === 'post-quantum, once');
    java.type('post-quantum, once');
    await got;
    const after = await kemKeys();
    const used = before.filter((k) => !after.includes(k));
    assert.equal(used.length, 1, `exactly the one-time KEM prekey of the handshake is gone (${used})`);
    assert.ok(Number(used[0].slice('okem:'.length)) >= 2 ** 24, 'a one-time key, not the last-resort one');
    assert.ok(await store.get('prekeys', 'kem:2'), 'the last-resort KEM prekey stays');
    // The directory hands out another one next, one kim still holds (the used one was handed out once).
    const reply = await js.request({ type: 'bundle_fetch', user: 'kim' });
    const offered = reply.bundles[0].oneTimeKemPreKey;
    assert.ok(offered, 'a one-time KEM prekey in the next bundle');
    assert.ok(after.includes(`okem:${offered.keyId}`), `offered ${offered.keyId}, one kim holds`);
    // A second handshake (from the JavaScript side, on a bundle of its own) uses a third one, and it
    // goes too; the one handed out above and never used stays with kim (the server never hands it out again).
    const room = await js.privateRoom('kim');
    const second = next(kim, 'message', (m) => m.body === 'and once more');
    await js.sendText(room, 'and once more');
    await second;
    const left = await kemKeys();
    assert.equal(left.length, 28);
    assert.ok(left.includes(`okem:${offered.keyId}`));
  });

  test('the signed prekey pair is replaced every 7 days; a replaced pair opens initial messages for 30 days, then is deleted', async () => {
    const DAY = 24 * 60 * 60 * 1000;
    let clock = Date.now();
    const store = new MemoryStore();
    const open = async (first) => {
      const c = await CipherTalkClient.create({ userId: 'lena', httpUrl: server.httpUrl, wsUrl: server.wsUrl, oneTimePreKeys: 10,
        requestTimeoutMs: 45000, store, now: () => clock });
      if (first) await c.register(PASSWORD);
      await c.login(PASSWORD);
      await c.connect();
      clients.push(c);
      return c;
    };
    let lena = await open(true);
    const omar = await hostileDevice(server, 'omar', { certify: true }); // an honest device, written by hand
    const old = await omar.fetch('lena');
    assert.deepEqual([old.bundles[0].signedPreKey.keyId, old.bundles[0].kemPreKey.keyId], [1, 2]);
    // Eight days on, the app starts again: the pair is replaced at connect.
    clock += 8 * DAY;
    await lena.close();
    lena = await open(false);
    const fresh = await omar.fetch('lena');
    assert.deepEqual([fresh.bundles[0].signedPreKey.keyId, fresh.bundles[0].kemPreKey.keyId], [3, 4]);
    // An initial message on the replaced pair (fetched before, sent after) still opens.
    const got = next(lena, 'message', (m) => m.body === 'on the replaced pair');
    await omar.sendWith('lena', old, 'on the replaced pair');
    await got;
    // 31 days after the replacement (and another one), the first pair is gone; the second, replaced
    // only now, stays; a new initial message on the first pair is refused.
    clock += 31 * DAY;
    await lena.close();
    lena = await open(false);
    assert.equal(await store.get('prekeys', 'spk:1'), undefined);
    assert.equal(await store.get('prekeys', 'kem:2'), undefined);
    assert.ok(await store.get('prekeys', 'spk:3'));
    assert.ok(await store.get('prekeys', 'kem:4'));
    assert.equal((await omar.fetch('lena')).bundles[0].signedPreKey.keyId, 5);
    const refused = next(lena, 'undecryptable', (e) => e.sender?.userId === 'omar');
    await omar.sendWith('lena', old, 'too late for the first pair');
    assert.match((await refused).error.message, /unknown signed prekey/);
  });
});
