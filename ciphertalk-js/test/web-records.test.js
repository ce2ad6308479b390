// The web app's records (app/history.js) over the store interface: history per room in time order,
// unread counts, and the room list's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../src/store.js';
import { ChatRecords, applyContent } from '../app/history.js';

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

test('contents apply by the receiver rules: only the sender edits or deletes, receipts only on own messages', () => {
  const theirs = { id: 'm1', from: 'bob', body: 'helo', mine: false };
  const mine = { id: 'm2', from: 'alice', body: 'hi', mine: true };
  assert.deepEqual(applyContent(theirs, 'bob', { k: 'EDIT', b: 'hello' }), { ...theirs, body: 'hello', edited: true });
  assert.equal(applyContent(theirs, 'mallory', { k: 'EDIT', b: 'forged' }), undefined);
  assert.equal(applyContent(theirs, 'mallory', { k: 'DELETE' }), undefined);
  const deleted = applyContent(theirs, 'bob', { k: 'DELETE' });
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.body, '');
  assert.equal(applyContent(deleted, 'bob', { k: 'EDIT', b: 'back' }), undefined);
  // A deleted file message forgets its descriptor (and with it the file's key) in the stored record.
  const file = applyContent({ ...theirs, body: 'photo.png', file: 'eyJ2IjoxfQ' }, 'bob', { k: 'DELETE' });
  assert.equal(file.file, undefined);
  assert.ok(!JSON.stringify(file).includes('eyJ2IjoxfQ'));

  const liked = applyContent(mine, 'bob', { k: 'REACTION', e: '👍', f: true });
  assert.deepEqual(liked.reactions, { '👍': ['bob'] });
  assert.deepEqual(applyContent(liked, 'bob', { k: 'REACTION', e: '👍', f: true }).reactions, { '👍': ['bob'] });
  assert.deepEqual(applyContent(liked, 'bob', { k: 'REACTION', e: '👍', f: false }).reactions, {});

  assert.deepEqual(applyContent(mine, 'bob', { k: 'RECEIPT_READ', ids: ['m2'] }).read, ['bob']);
  assert.equal(applyContent({ ...mine, read: ['bob'] }, 'bob', { k: 'RECEIPT_READ' }), undefined);
  assert.equal(applyContent(theirs, 'carol', { k: 'RECEIPT_DELIVERED' }), undefined);
  assert.equal(applyContent(mine, 'bob', { k: 'SOMETHING_NEW' }), undefined);
});

test('updateMessage changes one stored message by id and leaves the others', async () => {
  const r = new ChatRecords(new MemoryStore());
  await r.addMessage({ id: 'a', roomId: 'g-1', from: 'bob', body: 'one', t: 1 });
  await r.addMessage({ id: 'b', roomId: 'g-1', from: 'bob', body: 'two', t: 2 });
  assert.equal((await r.updateMessage('g-1', 'b', (m) => ({ ...m, body: 'TWO' }))).body, 'TWO');
  assert.equal(await r.updateMessage('g-1', 'zz', (m) => m), undefined);
  assert.equal(await r.updateMessage('g-1', 'a', () => undefined), undefined);
  assert.deepEqual((await r.messages('g-1')).map((m) => m.body), ['one', 'TWO']);
});
