// The JavaScript client as a linked device of a Java account, the message features both ways, a
// file from Java downloaded and verified, a dropped connection with an outbox, and a revoked
// device, against the real Java server and console clients (piped stdin/stdout): alice.1 and bob.1
// are Java consoles, alice.2 is JavaScript.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Attachment, CipherTalkClient, InvalidLinkError, RequestFailedError, parseLinkingCode, sealLinkEnvelope, toBase64Url,
} from '../src/index.js';
import { jarsOrSkip, killAll, startConsole, startServer } from './support/processes.js';
import { hookedWebSocket, startProxy } from './support/network.js';
import { next, sleep, until } from './support/events.js';

const { skip, missing } = jarsOrSkip();
const PASSWORD = 'interop password 1';


/** The message number [N] of a console line. */
const numberOf = (line) => Number(line.match(/\[(\d+)\]/)[1]);

describe('JavaScript device of a Java account, message features, reconnect and revocation', { skip }, () => {
  let server;
  let alice1;
  let bob;
  let js; // alice.2
  const clients = [];
  const options = (userId, more = {}) => ({ userId, httpUrl: server.httpUrl, wsUrl: server.wsUrl, oneTimePreKeys: 20,
    requestTimeoutMs: 45000, ...more });

  before(async () => {
    if (missing) throw new Error(`CI=true and ${missing}`);
    server = await startServer();
    [alice1, bob] = await Promise.all([startConsole(server, 'alice', PASSWORD), startConsole(server, 'bob', PASSWORD)]);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await killAll();
  });

  test("linked from alice's Java device with its code: alice.2 gets the account key, then reads and writes 1:1 and in a group", async () => {
    js = await CipherTalkClient.create(options('alice', { deviceId: 2 }));
    clients.push(js);
    await js.login(PASSWORD);
    const required = next(js, 'linkingRequired');
    await js.connect();
    assert.deepEqual(await required, { userId: 'alice', deviceId: 2 });
    assert.equal(js.linked, false);
    await assert.rejects(js.privateRoom('bob').then((r) => js.sendText(r, 'too early')), (e) => e.code === 'not_linked');

    const code = await js.startLinking();
    assert.match(code.text, /^([0-9A-HJKMNP-TV-Z]{4}-){15}[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.equal(code.qrPayload, `ciphertalk-link:${code.text.replace(/-/g, '')}`);
    const completed = next(js, 'linkCompleted');
    alice1.type(`/approve ${code.text}`);
    const shown = (await alice1.awaitLine('the new device must show the confirmation code')).match(/(\d{6})\s*$/)[1];
    const done = await completed;
    assert.equal(done.confirmationCode, shown, 'both screens show the same confirmation code');
    assert.deepEqual(done.from, { userId: 'alice', deviceId: 1 });
    assert.equal(js.linked, true);
    await alice1.awaitLine('alice linked a new device (device 2)');
    assert.deepEqual(await js.devices(), [1, 2]);

    // bob (Java) writes to alice: both of alice's devices read it.
    bob.type('/dm alice');
    await bob.awaitLine('now in @alice');
    const got = next(js, 'message', (m) => m.body === 'hello both alices');
    bob.type('hello both alices');
    await alice1.awaitLine('bob: hello both alices');
    const m = await got;
    assert.deepEqual(m.sender, { userId: 'bob', deviceId: 1 });
    assert.equal(m.roomId, 'p-alice-bob');
    // alice.2 (JS) answers: bob and alice's other device read it.
    await js.sendText(m.roomId, 'alice two answers');
    await bob.awaitLine('alice: alice two answers');
    await alice1.awaitLine('alice: alice two answers');
    // alice.1 (Java) writes: alice.2 gets her own message as a copy for her other device.
    alice1.type('/dm bob');
    await alice1.awaitLine('now in @bob');
    const copy = next(js, 'message', (x) => x.body === 'alice one writes');
    alice1.type('alice one writes');
    await bob.awaitLine('alice: alice one writes');
    const c = await copy;
    assert.deepEqual(c.sender, { userId: 'alice', deviceId: 1 });
    assert.equal(c.own, true);

    // A group bob creates: alice.2 reads it and writes to it.
    bob.type('/create linked alice');
    await bob.awaitLine('now in #linked');
    const g = next(js, 'message', (x) => x.body === 'group hello');
    bob.type('group hello');
    const gm = await g;
    assert.equal(gm.kind, 'GROUP');
    await js.sendText(gm.roomId, 'group answer from alice two');
    await bob.awaitLine('alice: group answer from alice two');
    await alice1.awaitLine('alice: group answer from alice two');
  });

  test('from Java to JavaScript: reply, edit, reaction, delete, receipts, typing and a self-destructing message arrive as events', async () => {
    const room = 'p-alice-bob';
    bob.type('/dm alice');
    await bob.awaitLine('now in @alice');
    // Receipts: bob's console marks the room read while it is current, so a delivered and a read receipt come back.
    const receipts = [];
    const off = js.on('receipt', (x) => receipts.push(x));
    const mine = await js.sendText(room, 'target of everything');
    const line = await bob.awaitLine('alice: target of everything');
    await until(() => ['DELIVERED', 'READ'].every((st) => receipts.some((x) => x.messageId === mine && x.status === st)));
    off();
    const r = receipts.find((x) => x.messageId === mine && x.status === 'READ');
    assert.deepEqual(r.from, { userId: 'bob', deviceId: 1 });
    assert.equal(r.roomId, room);
    const n = numberOf(line);

    const reply = next(js, 'message', (x) => x.body === 'a reply from bob');
    bob.type(`/reply ${n} a reply from bob`);
    assert.equal((await reply).replyTo, mine);

    const reaction = next(js, 'reaction');
    bob.type(`/react ${n} 👍`);
    assert.deepEqual(await reaction, { roomId: room, messageId: mine, sender: { userId: 'bob', deviceId: 1 }, emoji: '👍', added: true });

    const own = next(js, 'message', (x) => x.body === 'bob will edit this');
    bob.type('bob will edit this');
    const target = (await own).messageId;
    const n2 = numberOf(await bob.awaitLine('bob: bob will edit this'));
    const edited = next(js, 'edited');
    bob.type(`/edit ${n2} bob edited this`);
    const e = await edited;
    assert.equal(e.messageId, target);
    assert.equal(e.body, 'bob edited this');
    const deleted = next(js, 'deleted');
    bob.type(`/delete ${n2}`);
    assert.equal((await deleted).messageId, target);

    const typingOn = next(js, 'typing', (t) => t.typing === true);
    bob.type('/typing on');
    assert.deepEqual(await typingOn, { roomId: room, userId: 'bob', deviceId: 1, typing: true });
    const typingOff = next(js, 'typing', (t) => t.typing === false);
    bob.type('/typing off');
    await typingOff;

    bob.type('/expire 3s');
    const vanishing = next(js, 'message', (x) => x.body === 'gone in three seconds');
    bob.type('gone in three seconds');
    const v = await vanishing;
    assert.ok(v.expiresAt > Date.now() && v.expiresAt <= Date.now() + 3500, `expiresAt ${v.expiresAt}`);
    const expired = await next(js, 'expired', (x) => x.messageId === v.messageId, 10000);
    assert.ok(Date.now() >= v.expiresAt - 50, 'not before its time');
    assert.equal(expired.roomId, room);
    bob.type('/expire off');
    await bob.awaitLine('self-destruct is off in @alice');
  });

  test("a file from Java's /send-file arrives as a message with its attachment, downloads verified byte for byte, and a user outside the room is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ciphertalk-js-file-'));
    try {
      const content = randomBytes(200 * 1024 + 7); // four 64 KiB chunks, the last one short
      writeFileSync(join(dir, 'data.bin'), content);
      const arrived = next(js, 'message', (x) => x.body === 'data.bin');
      bob.type(`/send-file ${join(dir, 'data.bin')}`);
      const m = await arrived;
      assert.ok(m.attachment instanceof Attachment);
      assert.deepEqual([m.roomId, m.attachment.name, m.attachment.size, m.attachment.isImage], ['p-alice-bob', 'data.bin', content.length, false]);
      assert.equal(m.attachment.ciphertextSize, 24 + content.length + 4 * 16);
      const progress = [];
      const blob = await js.downloadAttachment(m.attachment, { onProgress: (got) => progress.push(got) });
      assert.ok(Buffer.from(await blob.arrayBuffer()).equals(content), 'the plaintext, byte for byte');
      assert.equal(progress.at(-1), m.attachment.ciphertextSize);
      // carol has an account and a token, but is not in the room: the server says not_found.
      const carol = await CipherTalkClient.create(options('carol'));
      clients.push(carol);
      await carol.register(PASSWORD);
      await carol.login(PASSWORD);
      await assert.rejects(carol.downloadAttachment(m.attachment), (e) => e instanceof RequestFailedError && e.status === 404 && e.code === 'not_found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('from JavaScript to Java: reply, edit, reaction, delete, delivered and read receipts, typing and self-destruct show in the console', async () => {
    // A JavaScript-only account, so that every receipt bob sees comes from the JavaScript client.
    const cleo = await CipherTalkClient.create(options('cleo'));
    clients.push(cleo);
    await cleo.register(PASSWORD);
    await cleo.login(PASSWORD);
    await cleo.connect();
    const room = await cleo.privateRoom('bob');
    await cleo.sendText(room, 'cleo says hi');
    await bob.awaitLine('cleo: cleo says hi');
    bob.type('/dm cleo');
    await bob.awaitLine('now in @cleo');
    const js = cleo; // eslint-disable-line no-shadow
    const theirs = next(js, 'message', (x) => x.body === 'bob writes for receipts');
    bob.type('bob writes for receipts');
    const b = await theirs;
    const n = numberOf(await bob.awaitLine('bob: bob writes for receipts'));
    await bob.awaitLine(`[${n}] delivered to cleo`); // coalesced receipt, sent by the JS client on its own
    assert.equal(await js.unreadCount(room), 1);
    await js.markRead(room);
    await bob.awaitLine(`[${n}] read by cleo`);
    assert.equal(await js.unreadCount(room), 0);

    await js.sendText(room, 'js replies', { replyTo: b.messageId });
    await bob.awaitLine(/cleo \(reply to \[\d+\] bob: "bob writes for receipts"\): js replies/);

    const id = await js.sendText(room, 'js original');
    const m = numberOf(await bob.awaitLine('cleo: js original'));
    await js.edit(room, id, 'js edited');
    await bob.awaitLine(`[${m}] edited by cleo: js edited`);
    await js.react(room, b.messageId, '🎉');
    await bob.awaitLine(`[${n}] cleo reacted 🎉`);
    await js.react(room, b.messageId, '🎉', false);
    await bob.awaitLine(`[${n}] cleo removed 🎉`);
    await js.deleteForEveryone(room, id);
    await bob.awaitLine(`[${m}] deleted by cleo`);
    await assert.rejects(js.edit(room, b.messageId, 'not mine'), RangeError);

    assert.equal(await js.typing(room, true), true);
    await bob.awaitLine('~ cleo is typing');

    await js.sendText(room, 'js self-destructs', { expiresInMs: 2000 });
    const x = numberOf(await bob.awaitLine(/cleo: js self-destructs \(expires /));
    await bob.awaitLine(`[${x}] disappeared (self-destruct)`, 15000);
  });

  test('a JavaScript device approves a new Java device of the account (the reverse link)', async () => {
    const alice3 = await startConsole(server, 'alice', PASSWORD, { device: 3, register: false });
    // The console prints this from its event thread, before or after "signed in as": wait for it.
    const linkHint = 'this account already has devices: type /link here';
    if (!alice3.lines.some((l) => l.includes(linkHint))) await alice3.awaitLine(linkHint, 30000);
    alice3.type('/link');
    await alice3.awaitLine('linking code for this device');
    const code = (await alice3.awaitLine(/^\s+([0-9A-Z]{4}-){15}[0-9A-Z]{4}\s*$/)).trim();
    const linked = next(js, 'deviceLinked', (d) => d.deviceId === 3);
    const confirm = await js.approveLink(code);
    await alice3.awaitLine(`linked; confirmation code ${confirm}`);
    bob.type('/dm alice');
    await bob.awaitLine('now in @alice');
    bob.type('to three alices');
    await alice3.awaitLine('bob: to three alices');
    await js.sendText('p-alice-bob', 'alice two to everyone');
    await alice3.awaitLine('alice: alice two to everyone');
    await linked;
    assert.deepEqual(await js.devices(), [1, 2, 3]);
    await assert.rejects(js.approveLink(code), (e) => e.code === 'invalid_link', 'device 3 is certified now');
  });

  test('an envelope carrying another account key links nothing, and the code it used up links nothing after it', async () => {
    const [newcomer, impostor] = await Promise.all([4, 5].map(async (deviceId) => {
      const c = await CipherTalkClient.create(options('alice', { deviceId }));
      clients.push(c);
      await c.login(PASSWORD);
      await c.connect();
      return c;
    }));
    // The impostor holds the account's password and a device id, not its account key: it seals a key of its own.
    const code = await newcomer.startLinking();
    const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
    const fake = await sealLinkEnvelope({ code: (await parseLinkingCode(code.text)).bytes, userId: 'alice', accountSeed: random(32),
      issuedAt: Date.now(), random });
    const failed = next(newcomer, 'linkFailed');
    await impostor.request({ type: 'link_send', device: 4, envelope: toBase64Url(fake.envelope) });
    const f = await failed;
    assert.ok(f.error instanceof InvalidLinkError, `got ${f.error}`);
    assert.match(f.error.message, /did not certify any device of this account/);
    assert.equal(newcomer.linked, false);
    // The genuine envelope comes too late: the code's key is gone with the first envelope that opened.
    const again = next(newcomer, 'linkFailed');
    alice1.type(`/approve ${code.text}`);
    await alice1.awaitLine('the new device must show the confirmation code');
    assert.match((await again).error.message, /no linking code is shown/);
    assert.equal(newcomer.linked, false);
    await Promise.all([newcomer.close(), impostor.close()]);
  });

  test('a dropped socket reconnects, resumes, and sends its outbox exactly once, also when the answer to a send was lost', async () => {
    const proxy = await startProxy(server.wsUrl);
    let loseAnswerTo = null;
    let cut = () => {};
    const WS = hookedWebSocket({
      incoming: (f) => {
        if (f.type === 'sent' && f.messageId === loseAnswerTo) {
          loseAnswerTo = null;
          cut(); // the server stored it; the client never hears so
          return null;
        }
        return f;
      },
    });
    // No delivery receipts from dan: the only `send` frames are the texts, so the swallowed answer is the text's.
    const dan = await CipherTalkClient.create(options('dan', { wsUrl: proxy.wsUrl, WebSocket: WS, backoff: { initialMs: 100, maxMs: 400 },
      deliveryReceipts: false }));
    clients.push(dan);
    cut = () => proxy.cut();
    await dan.register(PASSWORD);
    await dan.login(PASSWORD);
    await dan.connect();
    const room = await dan.privateRoom('bob');
    await dan.sendText(room, 'dan before the drop');
    await bob.awaitLine('dan: dan before the drop');

    const reconnecting = next(dan, 'reconnecting');
    proxy.setDown(true);
    proxy.cut();
    await reconnecting;
    assert.equal(dan.connected, false);
    const queued = ['queued one', 'queued two', 'queued three'].map((t) => dan.sendText(room, t));
    bob.type('/dm dan');
    await bob.awaitLine('now in @dan');
    const whileAway = next(dan, 'message', (x) => x.body === 'bob while dan is away');
    bob.type('bob while dan is away');
    await bob.awaitLine('bob: bob while dan is away');
    await sleep(500);
    const connected = next(dan, 'connected');
    proxy.setDown(false);
    await connected;
    const ids = await Promise.all(queued);
    assert.equal(new Set(ids).size, 3);
    for (const t of ['queued one', 'queued two', 'queued three']) await bob.awaitLine(`dan: ${t}`);
    await whileAway;

    // The answer to this send is lost with the connection: the retry under the same id is a duplicate.
    const reconnected = next(dan, 'connected');
    const sent = next(dan, 'sent', (s) => s.kind === 'TEXT');
    loseAnswerTo = 'pending';
    const origSend = WS.prototype.send;
    WS.prototype.send = function (text) {
      const f = JSON.parse(text);
      if (loseAnswerTo === 'pending' && f.type === 'send') loseAnswerTo = f.messageId;
      return origSend.call(this, text);
    };
    const lost = dan.sendText(room, 'answer lost once');
    await reconnected;
    const lostMessage = await lost;
    assert.equal((await sent).messageId, lostMessage);
    WS.prototype.send = origSend;
    await dan.sendText(room, 'after the lost answer');
    await bob.awaitLine('dan: after the lost answer');
    assert.equal(bob.lines.filter((l) => l.includes('dan: answer lost once')).length, 1, 'shown exactly once');
    assert.equal(bob.lines.filter((l) => l.includes('dan: queued two')).length, 1, 'shown exactly once');
    await dan.close();
    await proxy.close();
  });

  test("a revoked device is no longer encrypted to, even if the server keeps listing it, and the revocation's signature is checked", async () => {
    let sends = [];
    let alice2Entry = null;
    let tamper = null;
    const aliceFetches = new Set();
    const WS = hookedWebSocket({
      incoming: (f) => {
        if (f.type === 'bundles' && aliceFetches.delete(f.id)) {
          const own = f.bundles.find((b) => b.device === 'alice.2');
          if (own) alice2Entry = own;
          else if (alice2Entry) {
            // A hostile server: it keeps serving the revoked device (with the revocation, or an altered one).
            f.bundles.push(alice2Entry);
            if (tamper && f.revocations) f.revocations = f.revocations.map(tamper);
          }
        }
        return f;
      },
      outgoing: (f) => {
        if (f.type === 'send') sends.push(f);
        if (f.type === 'bundle_fetch' && f.user === 'alice') aliceFetches.add(f.id);
      },
    });
    const eve = await CipherTalkClient.create(options('erin', { WebSocket: WS }));
    clients.push(eve);
    await eve.register(PASSWORD);
    await eve.login(PASSWORD);
    await eve.connect();
    const room = await eve.privateRoom('alice');
    const toAll = next(js, 'message', (x) => x.body === 'erin to every alice');
    await eve.sendText(room, 'erin to every alice');
    await toAll;
    assert.ok(sends.at(-1).recipients.some((r) => r.to === 'alice.2'));
    const group = await eve.createGroup('watched', ['alice']);
    const inGroup = next(js, 'message', (x) => x.body === 'erin to the group');
    await eve.sendText(group, 'erin to the group');
    await inGroup;
    assert.equal(await eve.senderKeyEpoch(group), 0);

    // alice.1 revokes alice.2 (a lost device): the server closes it for good (4011), no reconnect.
    // The close frame (4011) may be lost with the TCP connection (1006): then the reconnect is refused at hello.
    let final = null;
    js.on('closed', (e) => { if (e.code === 4011) final = e; });
    js.on('error', (e) => { if (e.code === 'FORBIDDEN') final = e; });
    const revoked = next(eve, 'deviceRevoked');
    alice1.type('/revoke 2');
    await alice1.awaitLine('revoked device 2');
    await until(() => final !== null);
    sends = [];
    await eve.sendText(room, 'erin after the revocation');
    await alice1.awaitLine('erin: erin after the revocation');
    assert.deepEqual(await revoked, { userId: 'alice', deviceId: 2, revokedBy: 1 });
    // The group moves to a new sender-key epoch whose key goes to alice.1 only.
    await eve.sendText(group, 'erin to the group after the revocation');
    await alice1.awaitLine('erin: erin to the group after the revocation');
    assert.equal(await eve.senderKeyEpoch(group), 1);
    assert.ok(sends.length >= 2);
    for (const s of sends) assert.ok(!s.recipients.some((r) => r.to === 'alice.2'), 'nothing for the revoked device');

    // A client that first sees the revocation altered (one flipped bit) refuses it and keeps the device.
    tamper = (b64) => { const b = Buffer.from(b64, 'base64url'); b[b.length - 10] ^= 1; return b.toString('base64url'); };
    const fay = await CipherTalkClient.create(options('fay', { WebSocket: WS }));
    clients.push(fay);
    await fay.register(PASSWORD);
    await fay.login(PASSWORD);
    await fay.connect();
    const refused = next(fay, 'revocationRefused');
    sends = [];
    const room2 = await fay.privateRoom('alice');
    await assert.rejects(fay.sendText(room2, 'fay to alice'), (e) => e.code === 'STALE_DEVICES');
    assert.match((await refused).error.message, /signature/);
    assert.ok(sends.every((s) => s.recipients.some((r) => r.to === 'alice.2')), 'unverified: the device still counted');
    await sleep(1500);
    assert.equal(js.connected, false, 'the revoked device stays disconnected');
  });
});
