// Reproduces docs/test-vectors/sessions.json byte for byte from its own inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fromHex, toHex, identityKeyPairFromStorage, signedPreKeyFromStorage, oneTimePreKeyFromStorage,
  kemPreKeyFromStorage, parseBundle, parseAddress, initiate, encrypt, respond, decrypt, serializeSession,
} from '../src/index.js';

const file = fileURLToPath(new URL('../../docs/test-vectors/sessions.json', import.meta.url));
const vectors = JSON.parse(readFileSync(file, 'utf8')).vectors;

/** Replays a vector's recorded random draws in order, failing on a size mismatch. */
function draws(list) {
  let i = 0;
  return (n) => {
    assert.ok(i < list.length, 'more random draws than the vector recorded');
    const b = fromHex(list[i++]);
    assert.equal(b.length, n, `draw ${i - 1} has ${b.length} bytes, asked for ${n}`);
    return b;
  };
}

for (const v of vectors) {
  test(`${v.suite}: identity keys from their storage encodings match the vector's public keys`, async () => {
    assert.equal(toHex((await identityKeyPairFromStorage(fromHex(v.alice_identity_private))).publicKey.encoded), v.alice_identity_public);
    assert.equal(toHex((await identityKeyPairFromStorage(fromHex(v.bob_identity_private))).publicKey.encoded), v.bob_identity_public);
  });

  test(`${v.suite}: bob's bundle parses, verifies, and holds the public halves of his private prekeys`, async () => {
    const bundle = await parseBundle(fromHex(v.bob_bundle));
    assert.deepEqual(bundle.address, parseAddress(v.bob_address));
    assert.equal(toHex(bundle.identity.encoded), v.bob_identity_public);
    const spk = await signedPreKeyFromStorage(fromHex(v.bob_signed_prekey_private));
    assert.equal(bundle.signedPreKey.id, spk.id);
    assert.equal(toHex(bundle.signedPreKey.publicKey), toHex(spk.publicKey));
    assert.equal(toHex(bundle.signedPreKey.signature), toHex(spk.signature));
    if (bundle.oneTime) {
      const opk = await oneTimePreKeyFromStorage(fromHex(v.bob_one_time_prekey_private));
      assert.equal(bundle.oneTime.id, opk.id);
      assert.equal(toHex(bundle.oneTime.publicKey), toHex(opk.publicKey));
    }
    if (bundle.kem) {
      const kem = kemPreKeyFromStorage(fromHex(v.bob_kem_prekey_private));
      assert.equal(toHex(bundle.kem.publicKey), toHex(kem.publicKey));
    }
  });

  test(`${v.suite}: a flipped bit anywhere in the signed part of bob's bundle is rejected`, async () => {
    const bytes = fromHex(v.bob_bundle);
    // Identity key (self-signature) and signed prekey with its signature: bytes 10 .. 10+128+100.
    const start = 2 + fromHex(v.bob_bundle)[1] + 4;
    for (const off of [start, start + 40, start + 127, start + 128, start + 140, start + 227]) {
      const bad = bytes.slice();
      bad[off] ^= 1;
      await assert.rejects(parseBundle(bad), undefined, `flipped byte ${off}`);
    }
  });

  if (v.suite === 'RSA_OAEP') continue; // WebCrypto's RSA-OAEP draws its own seed: not replayable.

  test(`${v.suite}: alice's initial messages are reproduced byte for byte from the vector's random draws`, async () => {
    const identity = await identityKeyPairFromStorage(fromHex(v.alice_identity_private));
    const bundle = await parseBundle(fromHex(v.bob_bundle));
    const state = await initiate({
      identity, localAddress: parseAddress(v.alice_address), bundle, suite: v.suite, random: draws(v.alice_random),
    });
    const initial = v.messages.filter((m) => m.from === 'alice').slice(0, 2);
    for (const m of initial) {
      const out = await encrypt(state, fromHex(m.plaintext), fromHex(m.message_id), m.expires_at);
      assert.equal(toHex(out), m.bytes);
    }
  });

  test(`${v.suite}: bob opens alice's first initial message with his private keys`, async () => {
    const m = v.messages[0];
    const opened = await respond({
      identity: await identityKeyPairFromStorage(fromHex(v.bob_identity_private)),
      localAddress: parseAddress(v.bob_address),
      remoteAddress: parseAddress(v.alice_address),
      signedPreKey: await signedPreKeyFromStorage(fromHex(v.bob_signed_prekey_private)),
      oneTimePreKey: await oneTimePreKeyFromStorage(fromHex(v.bob_one_time_prekey_private)),
      kemPreKey: v.suite === 'PQXDH' ? kemPreKeyFromStorage(fromHex(v.bob_kem_prekey_private)) : null,
      message: fromHex(m.bytes),
      random: draws(v.bob_random),
    });
    assert.equal(toHex(opened.plaintext), m.plaintext);
    assert.equal(toHex(opened.messageId), m.message_id);
  });

  test(`${v.suite}: an initial message from another address (relabelled by a server) does not open`, async () => {
    await assert.rejects(respond({
      identity: await identityKeyPairFromStorage(fromHex(v.bob_identity_private)),
      localAddress: parseAddress(v.bob_address),
      remoteAddress: parseAddress('carol.5'),
      signedPreKey: await signedPreKeyFromStorage(fromHex(v.bob_signed_prekey_private)),
      oneTimePreKey: await oneTimePreKeyFromStorage(fromHex(v.bob_one_time_prekey_private)),
      kemPreKey: v.suite === 'PQXDH' ? kemPreKeyFromStorage(fromHex(v.bob_kem_prekey_private)) : null,
      message: fromHex(v.messages[0].bytes),
      random: draws(v.bob_random),
    }));
  });
}

for (const v of vectors.filter((x) => x.suite !== 'RSA_OAEP')) {
  test(`${v.suite}: the whole scripted conversation replays byte for byte on both sides`, async () => {
    const [m0, m1, m2, m3] = v.messages;
    const alice = await initiate({
      identity: await identityKeyPairFromStorage(fromHex(v.alice_identity_private)),
      localAddress: parseAddress(v.alice_address), bundle: await parseBundle(fromHex(v.bob_bundle)),
      suite: v.suite, random: draws(v.alice_random),
    });
    for (const m of [m0, m1]) {
      assert.equal(toHex(await encrypt(alice, fromHex(m.plaintext), fromHex(m.message_id), m.expires_at)), m.bytes);
    }
    const bobSide = await respond({
      identity: await identityKeyPairFromStorage(fromHex(v.bob_identity_private)),
      localAddress: parseAddress(v.bob_address), remoteAddress: parseAddress(v.alice_address),
      signedPreKey: await signedPreKeyFromStorage(fromHex(v.bob_signed_prekey_private)),
      oneTimePreKey: await oneTimePreKeyFromStorage(fromHex(v.bob_one_time_prekey_private)),
      kemPreKey: v.suite === 'PQXDH' ? kemPreKeyFromStorage(fromHex(v.bob_kem_prekey_private)) : null,
      message: fromHex(m0.bytes), random: draws(v.bob_random),
    });
    assert.equal(toHex(bobSide.plaintext), m0.plaintext);
    const bob = bobSide.state;
    const second = await decrypt(bob, fromHex(m1.bytes));
    assert.equal(toHex(second.plaintext), m1.plaintext);
    assert.equal(second.expiresAt, m1.expires_at);
    // A replay changes nothing and is refused.
    await assert.rejects(decrypt(bob, fromHex(m1.bytes)));
    assert.equal(m2.from, 'bob');
    assert.equal(toHex(await encrypt(bob, fromHex(m2.plaintext), fromHex(m2.message_id), m2.expires_at)), m2.bytes);
    // A flipped bit in the header (bound into the AD) leaves alice's state untouched.
    const tampered = fromHex(m2.bytes);
    tampered[40] ^= 1;
    await assert.rejects(decrypt(alice, tampered));
    assert.equal(toHex((await decrypt(alice, fromHex(m2.bytes))).plaintext), m2.plaintext);
    assert.equal(alice.prefix, null, 'a reply ends the pending handshake');
    assert.equal(m3.from, 'alice');
    assert.equal(toHex(await encrypt(alice, fromHex(m3.plaintext), fromHex(m3.message_id), m3.expires_at)), m3.bytes);
    assert.equal(toHex((await decrypt(bob, fromHex(m3.bytes))).plaintext), m3.plaintext);
    // Both sides' stored states, byte for byte: a JS device can persist and hand over sessions.
    assert.equal(toHex(serializeSession(alice)), v.alice_state_after);
    assert.equal(toHex(serializeSession(bob)), v.bob_state_after);
  });
}
