// The KeyValueStore contract (src/store.js) as plain async checks, with no Node imports, so the
// same cases run in Node (test/store-contract.test.js: MemoryStore, IdbStore on fake-indexeddb)
// and in Chromium (test/browser.test.js: IdbStore on the browser's own IndexedDB).

function same(actual, expected, what) {
  const a = actual instanceof Uint8Array ? [...actual] : actual;
  const e = expected instanceof Uint8Array ? [...expected] : expected;
  if (JSON.stringify(a) !== JSON.stringify(e)) throw new Error(`${what}: got ${JSON.stringify(a)}, expected ${JSON.stringify(e)}`);
}

async function refused(promise, Type, what) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof Type) return;
    throw new Error(`${what}: threw ${e?.name}, expected ${Type.name}`);
  }
  throw new Error(`${what}: accepted`);
}

/** [name, async (store) => void]: each case gets a fresh, empty store. */
export const storeContract = [
  ['get of a missing key is undefined; put then get returns the bytes', async (s) => {
    same(await s.get('local', 'identity'), undefined, 'missing');
    await s.put('local', 'identity', Uint8Array.of(1, 2, 3));
    same(await s.get('local', 'identity'), Uint8Array.of(1, 2, 3), 'read back');
    await s.put('local', 'empty', new Uint8Array(0));
    same(await s.get('local', 'empty'), new Uint8Array(0), 'empty value');
  }],
  ['values are copies both ways', async (s) => {
    const v = Uint8Array.of(9, 9);
    await s.put('sessions', 'bob.1', v);
    v[0] = 0;
    const read = await s.get('sessions', 'bob.1');
    same(read, Uint8Array.of(9, 9), 'after changing what was put');
    read[1] = 0;
    same(await s.get('sessions', 'bob.1'), Uint8Array.of(9, 9), 'after changing what was read');
  }],
  ['put overwrites, delete removes, and deleting a missing key is fine', async (s) => {
    await s.put('prekeys', 'otk:3', Uint8Array.of(1));
    await s.put('prekeys', 'otk:3', Uint8Array.of(2));
    same(await s.get('prekeys', 'otk:3'), Uint8Array.of(2), 'overwritten');
    await s.delete('prekeys', 'otk:3');
    same(await s.get('prekeys', 'otk:3'), undefined, 'deleted');
    await s.delete('prekeys', 'otk:3');
  }],
  ['keys lists one namespace only, including keys that are prefixes of other namespaces', async (s) => {
    await s.put('groupKeys', 'g-1|carol.2', Uint8Array.of(1));
    await s.put('groupKeys', 'g-1|bob.1', Uint8Array.of(1));
    await s.put('group', 'x', Uint8Array.of(1));
    await s.put('groupKeysX', 'y', Uint8Array.of(1));
    await s.put('history', 'p-a-b|000000000000002|m2', Uint8Array.of(1));
    same((await s.keys('groupKeys')).sort(), ['g-1|bob.1', 'g-1|carol.2'], 'groupKeys');
    same(await s.keys('group'), ['x'], 'group');
    same(await s.keys('seen'), [], 'empty namespace');
    same(await s.keys('history'), ['p-a-b|000000000000002|m2'], 'history');
  }],
  ['misuse is refused with a TypeError', async (s) => {
    await refused(s.put('local', 'k', [1, 2]), TypeError, 'an array value');
    await refused(s.get('', 'k'), TypeError, 'an empty namespace');
  }],
];
