// The web app's records (app/history.js) over the store interface: history per room in time order,
// unread counts, and the room list's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../src/store.js';
import { ChatRecords } from '../app/history.js';

test('history is per room, in sending order, and one message id is kept once', async () => {
  const r = new ChatRecords(new MemoryStore());
  await r.addMessage({ id: 'm2', roomId: 'p-a-b', from: 'b', body: 'second', t: 2000 });
  await r.addMessage({ id: 'm1', roomId: 'p-a-b', from: 'a', body: 'first', t: 1000, mine: true });
  await r.addMessage({ id: 'm1', roomId: 'p-a-b', from: 'a', body: 'first', t: 1000, mine: true });
  await r.addMessage({ id: 'x', roomId: 'p-a-bb', from: 'bb', body: 'other room with a longer id', t: 1500 });
  assert.deepEqual((await r.messages('p-a-b')).map((m) => m.body), ['first', 'second']);
  assert.deepEqual((await r.messages('p-a-b', 1)).map((m) => m.body), ['second']);
  assert.deepEqual((await r.messages('p-a-bb')).map((m) => m.body), ['other room with a longer id']);
});

test('unread counts grow per room and reset when the room is opened; the list is most recent first', async () => {
  const r = new ChatRecords(new MemoryStore());
  await r.upsertRoom('g-1', { kind: 'GROUP', name: 'crew', unread: 0, lastAt: 10 });
  await r.upsertRoom('p-a-b', { kind: 'PRIVATE', name: 'b', peer: 'b', unread: 0, lastAt: 5 });
  await r.countUnread('p-a-b', 20);
  await r.countUnread('p-a-b', 30);
  assert.equal((await r.room('p-a-b')).unread, 2);
  assert.deepEqual((await r.rooms()).map((x) => x.roomId), ['p-a-b', 'g-1']);
  await r.upsertRoom('p-a-b', { unread: 0 });
  assert.equal((await r.room('p-a-b')).unread, 0);
  assert.equal((await r.room('p-a-b')).peer, 'b');
});
