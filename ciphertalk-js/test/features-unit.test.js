// The message features' receiver rules, the outbox order and the reconnect backoff, without a
// server: MessageFeatures with a recording context, Outbox over a MemoryStore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, Outbox, backoffDelay, encodeContent } from '../src/index.js';
import { MessageFeatures, textContent } from '../src/messages.js';

const id = (n) => `01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4${String(n).padStart(2, '0')}`;
const alice = { userId: 'alice', deviceId: 1 };
const bob = { userId: 'bob', deviceId: 1 };
const mallory = { userId: 'mallory', deviceId: 1 };

function features({ now = () => 1_000_000, typingTtlMs = 6000 } = {}) {
  const events = [];
  const queued = [];
  let n = 50;
  const f = new MessageFeatures({
    store: new MemoryStore(), userId: 'alice', deviceId: 1, now, newMessageId: () => id(n++),
    emit: (event, value) => events.push({ event, ...value }), ready: () => true, send: async () => {},
    outbox: { append: async (e) => queued.push(e), queueAndWait: async (e) => { queued.push(e); return e.id; }, flush: () => {} },
    typingTtlMs, deliveryReceipts: true,
  });
  return { f, events, queued };
}

test('edits and deletes apply only from the original sender, in the same room', async () => {
  const { f, events } = features();
  await f.dispatch(textContent({ roomId: 'g-1', id: id(1), at: 1, body: 'by bob' }), bob, 'GROUP', false);
  await f.dispatch({ k: 'EDIT', r: 'g-1', id: id(2), t: 2, tg: id(1), b: 'forged' }, mallory, 'GROUP', false);
  await f.dispatch({ k: 'DELETE', r: 'g-1', id: id(3), t: 3, tg: id(1) }, mallory, 'GROUP', false);
  await f.dispatch({ k: 'EDIT', r: 'g-2', id: id(4), t: 4, tg: id(1), b: 'other room' }, bob, 'GROUP', false);
  assert.deepEqual(events.map((e) => e.event), ['message']);
  await f.dispatch({ k: 'EDIT', r: 'g-1', id: id(5), t: 5, tg: id(1), b: 'by bob, edited' }, bob, 'GROUP', false);
  await f.dispatch({ k: 'DELETE', r: 'g-1', id: id(6), t: 6, tg: id(1) }, bob, 'GROUP', false);
  await f.dispatch({ k: 'EDIT', r: 'g-1', id: id(7), t: 7, tg: id(1), b: 'after delete' }, bob, 'GROUP', false);
  assert.deepEqual(events.map((e) => e.event), ['message', 'edited', 'deleted']);
  assert.equal(await f.unreadCount('g-1'), 0, 'a deleted message is no longer unread');
});

test('receipts count only for this user\'s own messages; read-sync only from its own devices', async () => {
  const { f, events } = features();
  await f.sendText('p-alice-bob', 'mine');
  const mine = id(50);
  await f.dispatch(textContent({ roomId: 'p-alice-bob', id: id(1), at: 1, body: 'theirs' }), bob, 'DIRECT', false);
  await f.dispatch({ k: 'RECEIPT_READ', r: 'p-alice-bob', id: id(2), t: 2, ids: [mine, id(1)] }, bob, 'DIRECT', false);
  assert.deepEqual(events.filter((e) => e.event === 'receipt').map((e) => e.messageId), [mine]);
  await f.dispatch({ k: 'READ_SYNC', r: 'p-alice-bob', id: id(3), t: 3, ids: [id(1)] }, bob, 'DIRECT', false);
  assert.equal(await f.unreadCount('p-alice-bob'), 1, 'read-sync from another user changes nothing');
  await f.dispatch({ k: 'READ_SYNC', r: 'p-alice-bob', id: id(4), t: 4, ids: [id(1)] }, { userId: 'alice', deviceId: 2 }, 'DIRECT', true);
  assert.equal(await f.unreadCount('p-alice-bob'), 0);
});

test('delivery receipts are coalesced: one per room and sender for a batch, at most 500 ids each', async () => {
  const { f, queued } = features();
  for (let i = 0; i < 3; i++) await f.dispatch(textContent({ roomId: 'g-1', id: id(i), at: 1, body: `b${i}` }), bob, 'GROUP', false);
  await f.dispatch(textContent({ roomId: 'g-1', id: id(9), at: 1, body: 'm' }), mallory, 'GROUP', false);
  await f.dispatch(textContent({ roomId: 'g-1', id: id(8), at: 1, body: 'own' }), { userId: 'alice', deviceId: 2 }, 'GROUP', true);
  assert.ok(f.owesReceipts);
  await f.writeOwedReceipts();
  assert.deepEqual(queued.map((e) => [e.users, e.content.k, e.content.ids]),
    [[['bob'], 'RECEIPT_DELIVERED', [id(0), id(1), id(2)]], [['mallory'], 'RECEIPT_DELIVERED', [id(9)]]]);
  assert.equal(f.owesReceipts, false);
});

test('a text whose self-destruct time has passed is never shown; a later one expires with an event', async () => {
  let now = 1_000_000;
  const { f, events } = features({ now: () => now });
  await f.dispatch(textContent({ roomId: 'g-1', id: id(1), at: 1, body: 'too late', expiresAt: now - 1 }), bob, 'GROUP', false);
  assert.deepEqual(events, []);
  await f.dispatch(textContent({ roomId: 'g-1', id: id(2), at: 1, body: 'brief', expiresAt: now + 30 }), bob, 'GROUP', false);
  assert.equal(events[0].expiresAt, now + 30);
  now += 30;
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(events.map((e) => e.event), ['message', 'expired']);
  assert.equal(await f.unreadCount('g-1'), 0);
  f.stop();
});

test('"typing" lapses after the TTL unless repeated, and ends with a message from that device', async () => {
  const { f, events } = features({ typingTtlMs: 40 });
  await f.dispatch({ k: 'TYPING', r: 'g-1', id: id(1), t: 1, f: true }, bob, 'GROUP', false);
  await new Promise((r) => setTimeout(r, 90));
  await f.dispatch({ k: 'TYPING', r: 'g-1', id: id(2), t: 2, f: true }, bob, 'GROUP', false);
  await f.dispatch(textContent({ roomId: 'g-1', id: id(3), at: 3, body: 'done typing' }), bob, 'GROUP', false);
  await f.dispatch({ k: 'TYPING', r: 'g-1', id: id(4), t: 4, f: true }, alice, 'GROUP', true);
  assert.deepEqual(events.map((e) => (e.event === 'typing' ? `typing ${e.typing}` : e.event)),
    ['typing true', 'typing false', 'typing true', 'typing false', 'message']);
  f.stop();
});

test('own edits, deletes and reactions refuse unknown or foreign messages, and carry the target\'s expiry', async () => {
  const { f, queued } = features();
  await f.sendText('g-1', 'mine', { expiresInMs: 60000 });
  await f.dispatch(textContent({ roomId: 'g-1', id: id(1), at: 1, body: 'theirs' }), bob, 'GROUP', false);
  await assert.rejects(f.edit('g-1', id(1), 'no'), /not sent by this user/);
  await assert.rejects(f.deleteForEveryone('g-1', id(7)), /unknown message/);
  await assert.rejects(f.react('g-2', id(1), '👍'), /unknown message/);
  await f.edit('g-1', id(50), 'mine, edited');
  const edit = queued.at(-1);
  assert.equal(edit.content.k, 'EDIT');
  assert.equal(edit.expiresAt, 1_000_000 + 60000);
  assert.equal(edit.content.x, edit.expiresAt, 'bound into the content as into the frame');
  await f.react('g-1', id(1), '👍');
  assert.equal(queued.at(-1).expiresAt, 0);
  f.stop();
});

test('the outbox keeps append order across equal timestamps; backoff stays within its jittered bounds', async () => {
  const box = new Outbox(new MemoryStore(), () => 1234);
  for (let i = 0; i < 12; i++) await box.append({ id: id(i) });
  const order = [];
  for (const k of await box.keys()) order.push((await box.get(k)).id);
  assert.deepEqual(order, Array.from({ length: 12 }, (_, i) => id(i)));
  const b = { initialMs: 250, maxMs: 30000 };
  assert.equal(backoffDelay(0, b, () => 0), 125);
  assert.equal(backoffDelay(0, b, () => 1), 250);
  assert.equal(backoffDelay(3, b, () => 1), 2000);
  assert.equal(backoffDelay(40, b, () => 1), 30000);
  assert.equal(backoffDelay(40, b, () => 0), 15000);
});

test('content fields are written in the Java codec\'s order whatever order the caller used', () => {
  const a = encodeContent({ ids: [id(1)], t: 5, id: id(2), r: 'g-1', k: 'RECEIPT_READ' });
  const b = encodeContent({ k: 'RECEIPT_READ', r: 'g-1', id: id(2), t: 5, ids: [id(1)] });
  assert.deepEqual(a, b);
  assert.match(new TextDecoder().decode(a), /^\{"v":1,"k":"RECEIPT_READ","r":"g-1","id":"[^"]+","t":5,"ids":\[/);
});

test('typing is dropped, not queued, when the connection is down', async () => {
  const { ConnectionClosedError } = await import('../src/index.js');
  const events = [];
  const f = new MessageFeatures({
    store: new MemoryStore(), userId: 'alice', deviceId: 1, now: () => 1, newMessageId: () => id(1), emit: (e) => events.push(e),
    ready: () => true, send: async () => { throw new ConnectionClosedError('gone'); },
    outbox: { append: async () => assert.fail('queued'), queueAndWait: async () => assert.fail('queued'), flush: () => {} },
    typingTtlMs: 6000, deliveryReceipts: true,
  });
  assert.equal(await f.typing('g-1', true), false);
  const offline = new MessageFeatures({ store: new MemoryStore(), userId: 'alice', deviceId: 1, now: () => 1, newMessageId: () => id(2),
    emit: () => {}, ready: () => false, send: async () => assert.fail('sent'), outbox: {}, typingTtlMs: 6000, deliveryReceipts: true });
  assert.equal(await offline.typing('g-1', true), false);
});

test('after a restart on the same store, self-destruct timers resume and what expired meanwhile is announced', async () => {
  const store = new MemoryStore();
  let now = 1_000_000;
  const make = (events) => new MessageFeatures({ store, userId: 'alice', deviceId: 1, now: () => now, newMessageId: () => id(0),
    emit: (event, value) => events.push({ event, ...value }), ready: () => true, send: async () => {},
    outbox: { append: async () => {}, queueAndWait: async (e) => e.id, flush: () => {} }, typingTtlMs: 6000, deliveryReceipts: true });
  const before = make([]);
  await before.dispatch(textContent({ roomId: 'g-1', id: id(1), at: 1, body: 'short', expiresAt: now + 20 }), bob, 'GROUP', false);
  await before.dispatch(textContent({ roomId: 'g-1', id: id(2), at: 1, body: 'longer', expiresAt: now + 60_000 }), bob, 'GROUP', false);
  before.stop(); // the process ends
  now += 1000;
  const events = [];
  const after = make(events);
  await after.resumeExpiry();
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(events.map((e) => [e.event, e.messageId]), [['expired', id(1)]]);
  assert.equal(await after.unreadCount('g-1'), 1);
  after.stop();
});
