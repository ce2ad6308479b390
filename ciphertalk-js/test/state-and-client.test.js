// The pieces the wire client added to the protocol core: reading a stored session back, the
// MAX_SKIPPED_KEYS eviction, typed errors that leave the state unchanged, the device certificate a
// first device issues, the content JSON exactly as Java pads it, and the in-memory store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fromHex, toHex, utf8, identityKeyPairFromStorage, parseAddress, parseBundle, initiate, encrypt, respond, decrypt,
  signedPreKeyFromStorage, oneTimePreKeyFromStorage, kemPreKeyFromStorage, serializeSession, deserializeSession,
  MAX_SKIPPED_KEYS, InvalidMessageError, DuplicateMessageError, InvalidStateError, CipherTalkError,
  issueDeviceCertificate, encodeContent, decodeContent, MemoryStore, CipherTalkClient,
} from '../src/index.js';

const read = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../docs/test-vectors/${name}`, import.meta.url)), 'utf8'));
const v = read('sessions.json').vectors.find((x) => x.suite === 'PQXDH');
const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** A fresh alice/bob PQXDH pair from the vector's keys (fresh randomness), after one message. */
async function pair() {
  const alice = await initiate({
    identity: await identityKeyPairFromStorage(fromHex(v.alice_identity_private)),
    localAddress: parseAddress(v.alice_address), bundle: await parseBundle(fromHex(v.bob_bundle)), suite: 'PQXDH', random,
  });
  const id = (n) => Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? n : 0));
  const first = await encrypt(alice, utf8('m0'), id(0), 0);
  const bobSide = await respond({
    identity: await identityKeyPairFromStorage(fromHex(v.bob_identity_private)),
    localAddress: parseAddress(v.bob_address), remoteAddress: parseAddress(v.alice_address),
    signedPreKey: await signedPreKeyFromStorage(fromHex(v.bob_signed_prekey_private)),
    oneTimePreKey: await oneTimePreKeyFromStorage(fromHex(v.bob_one_time_prekey_private)),
    kemPreKey: kemPreKeyFromStorage(fromHex(v.bob_kem_prekey_private)), message: first, random,
  });
  return { alice, bob: bobSide.state, id };
}

test("a stored session state reads back to the same bytes (both sides of the vector's final states)", async () => {
  for (const hex of [v.alice_state_after, v.bob_state_after]) {
    const state = await deserializeSession(fromHex(hex), random);
    assert.equal(toHex(serializeSession(state)), hex);
  }
});

test('a session read back from storage goes on decrypting and encrypting', async () => {
  const { alice, bob, id } = await pair();
  const m1 = await encrypt(alice, utf8('m1'), id(1), 0);
  const bob2 = await deserializeSession(serializeSession(bob), random);
  assert.equal(new TextDecoder().decode((await decrypt(bob2, m1)).plaintext), 'm1');
  const reply = await encrypt(bob2, utf8('r'), id(2), 0);
  const alice2 = await deserializeSession(serializeSession(alice), random);
  assert.equal(new TextDecoder().decode((await decrypt(alice2, reply)).plaintext), 'r');
  assert.equal(alice2.prefix, null);
});

test('a state that does not decode is an InvalidStateError, for every truncation and a flipped version', async () => {
  const bytes = fromHex(v.bob_state_after);
  for (const n of [0, 1, 40, 300, bytes.length - 1]) {
    await assert.rejects(deserializeSession(bytes.slice(0, n), random), InvalidStateError, `truncated to ${n}`);
  }
  const bad = bytes.slice();
  bad[0] = 2;
  await assert.rejects(deserializeSession(bad, random), InvalidStateError);
});

test('every flipped byte of an initial message is a typed error and leaves the state byte for byte unchanged', async () => {
  const { alice, bob, id } = await pair();
  const m = await encrypt(alice, utf8('hello'), id(1), 0);
  const before = toHex(serializeSession(bob));
  for (let i = 0; i < m.length; i++) {
    const bad = m.slice();
    bad[i] ^= 0x01;
    // Mostly InvalidMessageError; a flipped counter can also read as a duplicate or a far jump.
    await assert.rejects(decrypt(bob, bad), CipherTalkError, `byte ${i}`);
    assert.equal(toHex(serializeSession(bob)), before, `state after byte ${i}`);
  }
  assert.equal(new TextDecoder().decode((await decrypt(bob, m)).plaintext), 'hello');
  await assert.rejects(decrypt(bob, m), DuplicateMessageError);
});

test(`skipped keys beyond MAX_SKIPPED_KEYS (${MAX_SKIPPED_KEYS}) evict the oldest; an evicted message is then a duplicate`, async () => {
  const { alice, bob, id } = await pair();
  const m = [];
  for (let n = 1; n <= 5; n++) m.push(await encrypt(alice, utf8(`m${n}`), id(n), 0));
  await decrypt(bob, m[2]); // m3: keys of m1 and m2 are skipped (the oldest)
  assert.equal(bob.skipped.size, 2);
  // Fill up to the bound with other entries, newer than m1's and m2's keys.
  for (let i = bob.skipped.size; i < MAX_SKIPPED_KEYS; i++) bob.skipped.set(`filler:${i}`, new Uint8Array(32));
  await decrypt(bob, m[4]); // m5 skips m4: one key too many, so m1's key goes
  assert.equal(bob.skipped.size, MAX_SKIPPED_KEYS);
  await assert.rejects(decrypt(bob, m[0]), DuplicateMessageError);
  assert.equal(new TextDecoder().decode((await decrypt(bob, m[1])).plaintext), 'm2');
  assert.equal(new TextDecoder().decode((await decrypt(bob, m[3])).plaintext), 'm4');
});

test("a first device's certificate is the Java one byte for byte (accounts.json), and verifies", async () => {
  const a = read('accounts.json');
  const c = a.deviceCertificate;
  const cert = await issueDeviceCertificate({ accountSeed: fromHex(a.accounts.aliceAccountSeed),
    address: { userId: c.userId, deviceId: c.deviceId }, identityKey: fromHex(c.identityKey), createdAt: c.createdAt });
  assert.equal(toHex(cert), c.certificate);
});

test('content JSON is padded exactly as the Java ContentCodec pads it (every plaintext of wire-transcript.md)', () => {
  const text = readFileSync(fileURLToPath(new URL('../../docs/wire-transcript.md', import.meta.url)), 'utf8');
  const plaintexts = [...text.matchAll(/\nPlaintext [^\n]+\n\n```json\n([^\n]*)\n```/g)].map((x) => x[1]);
  assert.equal(plaintexts.length, 4);
  for (const p of plaintexts) {
    const { v: version, p: padding, ...fields } = JSON.parse(p);
    assert.equal(version, 1);
    assert.ok(padding.length > 0);
    const ours = encodeContent(fields);
    assert.equal(new TextDecoder().decode(ours), p);
    assert.equal(ours.length % 64, 0);
    assert.equal(decodeContent(ours).id, fields.id);
  }
  for (const bad of ['', '[]', '{"v":2,"k":"TEXT","r":"a","id":"x","t":1}', '{"v":1,"k":"TEXT","r":"a","t":1}', '\xff']) {
    assert.throws(() => decodeContent(utf8(bad)), InvalidMessageError, bad);
  }
});

test('MemoryStore keeps copies, lists keys per namespace and refuses non-byte values', async () => {
  const s = new MemoryStore();
  const value = Uint8Array.of(1, 2, 3);
  await s.put('sessions', 'bob.1', value);
  value[0] = 9;
  const got = await s.get('sessions', 'bob.1');
  assert.deepEqual([...got], [1, 2, 3]);
  got[1] = 9;
  assert.deepEqual([...(await s.get('sessions', 'bob.1'))], [1, 2, 3]);
  assert.deepEqual(await s.keys('sessions'), ['bob.1']);
  assert.deepEqual(await s.keys('other'), []);
  await s.delete('sessions', 'bob.1');
  assert.equal(await s.get('sessions', 'bob.1'), undefined);
  await assert.rejects(s.put('sessions', 'x', 'text'), TypeError);
});

test('a client keeps its identity in the store it is given, and checks its options', async () => {
  const store = new MemoryStore();
  const opts = { userId: 'alice', httpUrl: 'http://127.0.0.1:1/', wsUrl: 'ws://127.0.0.1:1/ws', store, WebSocket: class {} };
  const a = await CipherTalkClient.create(opts);
  const b = await CipherTalkClient.create(opts);
  assert.equal(toHex(a.identityKey), toHex(b.identityKey));
  assert.match(a.newMessageId(), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await assert.rejects(CipherTalkClient.create({ ...opts, userId: 'A b' }), TypeError);
  await assert.rejects(CipherTalkClient.create({ ...opts, deviceId: 0 }), TypeError);
  await assert.rejects(a.connect(), (e) => e.code === 'not_signed_in');
});

test('private room ids are the canonical ones of protocol.md (readable, or hashed when a name has a dash)', async () => {
  const { privateRoomId } = await import('../src/index.js');
  const { createHash } = await import('node:crypto');
  assert.equal(await privateRoomId('bob', 'alice'), 'p-alice-bob');
  assert.equal(await privateRoomId('alice', 'bob'), 'p-alice-bob');
  const hashed = `p-${createHash('sha256').update('ann-marie\0bob').digest('hex').slice(0, 40)}`;
  assert.equal(await privateRoomId('bob', 'ann-marie'), hashed);
  const long = 'a'.repeat(32);
  assert.equal(await privateRoomId(long, 'b'.repeat(32)), `p-${createHash('sha256').update(`${long}\0${'b'.repeat(32)}`).digest('hex').slice(0, 40)}`);
});

test('group messages read out of order from kept seeds, each once; a used or too old one is refused', async () => {
  const { encodeDistribution, parseDistribution, encryptGroupMessage, decryptGroupMessage } = await import('../src/index.js');
  let own = { roomId: 'g-1', epoch: 0, sender: { userId: 'alice', deviceId: 1 }, signingSeed: random(32), chainId: 7,
    iteration: 0, chainKey: random(32) };
  let chain = await parseDistribution(await encodeDistribution(own));
  const sent = [];
  for (let i = 0; i < 4; i++) {
    const s = await encryptGroupMessage(own, utf8(`g${i}`), new Uint8Array(16).fill(i), 0, random(12));
    own = { ...own, chainKey: s.chainKey, iteration: s.iteration };
    sent.push(s.bytes);
  }
  const read = async (i) => {
    const r = await decryptGroupMessage(sent[i], chain);
    chain = { ...chain, chainKey: r.chainKey, iteration: r.iteration, skipped: r.skipped };
    return new TextDecoder().decode(r.plaintext);
  };
  assert.equal(await read(3), 'g3');
  assert.equal(chain.skipped.size, 3);
  assert.equal(await read(1), 'g1');
  await assert.rejects(decryptGroupMessage(sent[1], chain), /already used/);
  await assert.rejects(decryptGroupMessage(sent[3], chain), /already used/);
  assert.equal(await read(0), 'g0');
  assert.equal(await read(2), 'g2');
  assert.equal(chain.skipped.size, 0);
});
