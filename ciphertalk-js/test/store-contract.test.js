// The store interface's contract (support/store-contract.js), run against MemoryStore and IdbStore
// (here on fake-indexeddb, an in-memory IndexedDB used by this test only; browser.test.js runs the
// same cases on Chromium's own),
// IdbStore's sealing at rest, and the passphrase-wrapped account key export.
import 'fake-indexeddb/auto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../src/store.js';
import { IdbStore, StoreCorruptedError } from '../src/idb-store.js';
import {
  AccountBackupError, MIN_ITERATIONS, exportAccountKey, exportStoredAccountKey, importAccountKey, importStoredAccountKey,
} from '../src/account-backup.js';
import { fromBase64Url, toBase64Url } from '../src/bytes.js';
import { storeContract } from './support/store-contract.js';

let n = 0;
const implementations = {
  MemoryStore: async () => new MemoryStore(),
  IdbStore: async () => IdbStore.open({ name: `contract-${n++}` }),
};

for (const [name, make] of Object.entries(implementations)) {
  describe(`${name} keeps the KeyValueStore contract`, () => {
    for (const [what, check] of storeContract) test(what, async () => check(await make()));
  });
}

describe('IdbStore at rest', () => {
  test('a reopened database returns what was written (the page reload case)', async () => {
    const a = await IdbStore.open({ name: 'reopen' });
    await a.put('local', 'token', Uint8Array.of(7, 7, 7));
    a.close();
    const b = await IdbStore.open({ name: 'reopen' });
    assert.deepEqual(await b.get('local', 'token'), Uint8Array.of(7, 7, 7));
    b.close();
    await IdbStore.destroy({ name: 'reopen' });
    const c = await IdbStore.open({ name: 'reopen' });
    assert.equal(await c.get('local', 'token'), undefined);
    c.close();
  });

  test('the wrapping key is non-extractable, and the database holds only ciphertext', async () => {
    const s = await IdbStore.open({ name: 'sealed' });
    assert.equal(s.wrappingKey.extractable, false);
    await assert.rejects(crypto.subtle.exportKey('raw', s.wrappingKey));
    const secret = new TextEncoder().encode('identity seed bytes, secret!');
    await s.put('local', 'identity', secret);
    const raw = await rawValue('sealed', ['local', 'identity']);
    assert.equal(raw.iv.length, 12);
    assert.equal(raw.ct.length, secret.length + 16);
    assert.ok(!toBase64Url(raw.ct).includes(toBase64Url(secret).slice(0, 8)));
    s.close();
  });

  test('an altered value, or a value moved to another key, is refused with StoreCorruptedError', async () => {
    const s = await IdbStore.open({ name: 'tamper' });
    await s.put('sessions', 'bob.1', Uint8Array.of(1, 2, 3, 4));
    await s.put('sessions', 'eve.1', Uint8Array.of(5, 6, 7, 8));
    const raw = await rawValue('tamper', ['sessions', 'bob.1']);
    raw.ct[0] ^= 1;
    await writeRaw('tamper', ['sessions', 'bob.1'], raw);
    await assert.rejects(s.get('sessions', 'bob.1'), (e) => e instanceof StoreCorruptedError && e.code === 'store_corrupted');
    await writeRaw('tamper', ['sessions', 'bob.1'], await rawValue('tamper', ['sessions', 'eve.1']));
    await assert.rejects(s.get('sessions', 'bob.1'), StoreCorruptedError);
    assert.deepEqual(await s.get('sessions', 'eve.1'), Uint8Array.of(5, 6, 7, 8));
    s.close();
  });
});

describe('account key export under a passphrase', () => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i);

  test('round trip at the default iteration count, and the text format', async () => {
    const text = await exportAccountKey({ userId: 'alice', seed, passphrase: 'correct horse battery' });
    assert.match(text, /^ctak1\.[A-Za-z0-9_-]+$/);
    const bytes = fromBase64Url(text.slice(6));
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'CTAK');
    assert.deepEqual([bytes[4], bytes[5]], [1, 1]);
    assert.equal(new DataView(bytes.buffer).getUint32(6), 600_000);
    assert.equal(bytes.length, 38 + 1 + 5 + 32 + 16);
    assert.deepEqual(await importAccountKey({ text, passphrase: 'correct horse battery', userId: 'alice' }), { userId: 'alice', seed });
  });

  test('a wrong passphrase, an altered byte anywhere, another account, or a weakened count is refused', async () => {
    const text = await exportAccountKey({ userId: 'alice', seed, passphrase: 'correct horse', iterations: MIN_ITERATIONS });
    await assert.rejects(importAccountKey({ text, passphrase: 'correct horsf' }),
      (e) => e instanceof AccountBackupError && e.code === 'wrong_passphrase');
    const bytes = fromBase64Url(text.slice(6));
    for (const i of [10, 26, 38, 40, bytes.length - 1]) { // salt, iv, user, seed, tag
      const b = bytes.slice();
      b[i] ^= 0x01;
      await assert.rejects(importAccountKey({ text: `ctak1.${toBase64Url(b)}`, passphrase: 'correct horse' }),
        (e) => e.code === 'wrong_passphrase', `byte ${i}`);
    }
    const weaker = bytes.slice();
    new DataView(weaker.buffer).setUint32(6, 1000);
    await assert.rejects(importAccountKey({ text: `ctak1.${toBase64Url(weaker)}`, passphrase: 'correct horse' }), (e) => e.code === 'bad_backup');
    await assert.rejects(importAccountKey({ text, passphrase: 'correct horse', userId: 'mallory' }), (e) => e.code === 'backup_user_mismatch');
    await assert.rejects(importAccountKey({ text: 'hello', passphrase: 'correct horse' }), (e) => e.code === 'bad_backup');
    await assert.rejects(exportAccountKey({ userId: 'alice', seed, passphrase: 'short' }), RangeError);
  });

  test('through a store: the account key of one store lands in another', async () => {
    const from = new MemoryStore();
    const to = await IdbStore.open({ name: 'backup-target' });
    await assert.rejects(exportStoredAccountKey(from, 'alice', 'passphrase 1'), (e) => e.code === 'no_account_key');
    await from.put('local', 'account', seed);
    const text = await exportStoredAccountKey(from, 'alice', 'passphrase 1', { iterations: MIN_ITERATIONS });
    await importStoredAccountKey(to, text, 'passphrase 1', 'alice');
    assert.deepEqual(await to.get('local', 'account'), seed);
    to.close();
  });
});

/** The stored {iv, ct} of a key, read past the store. */
async function rawValue(db, key) {
  const d = await openRaw(db);
  return new Promise((resolve, reject) => {
    const r = d.transaction('values').objectStore('values').get(key);
    r.onsuccess = () => { d.close(); resolve(r.result); };
    r.onerror = () => reject(r.error);
  });
}

async function writeRaw(db, key, value) {
  const d = await openRaw(db);
  return new Promise((resolve, reject) => {
    const tx = d.transaction('values', 'readwrite');
    tx.objectStore('values').put(value, key);
    tx.oncomplete = () => { d.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  });
}

function openRaw(db) {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(db);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
