// Reproduces docs/test-vectors/groups-v2.json byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fromHex, toHex, chainStep, encodeDistribution, encryptGroupMessage, decryptGroupMessage, ed25519Public,
} from '../src/index.js';

const file = fileURLToPath(new URL('../../docs/test-vectors/groups-v2.json', import.meta.url));
const v = JSON.parse(readFileSync(file, 'utf8'));
const room = v.room;
const sender = { userId: room.senderUserId, deviceId: room.senderDeviceId };

test('chain steps: message seed, v2 message key and next chain key', async () => {
  let ck = fromHex(v.chain.chainKey);
  for (const s of v.chain.steps) {
    const step = await chainStep(ck, fromHex(s.nonce));
    assert.equal(toHex(step.seed), s.messageSeed);
    assert.equal(toHex(step.key), s.messageKey);
    assert.equal(toHex(step.next), s.nextChainKey);
    ck = step.next;
  }
});

test('distribution messages at iterations 0 and 3 are reproduced', async () => {
  assert.equal(toHex(await ed25519Public(fromHex(room.signingSeed))), room.signingPublicKey);
  const base = { roomId: room.roomId, epoch: room.epoch, sender, chainId: room.chainId, signingSeed: fromHex(room.signingSeed) };
  assert.equal(toHex(await encodeDistribution({ ...base, iteration: 0, chainKey: fromHex(room.initialChainKey) })),
      room.distributionAtIteration0);
  let ck = fromHex(room.initialChainKey);
  for (let i = 0; i < 3; i++) ck = (await chainStep(ck, new Uint8Array(12))).next;
  assert.equal(toHex(await encodeDistribution({ ...base, iteration: 3, chainKey: ck })), room.distributionAtIteration3);
});

test('group messages are reproduced byte for byte and open under the distributed chain', async () => {
  let state = { roomId: room.roomId, epoch: room.epoch, sender, chainId: room.chainId, iteration: 0,
    chainKey: fromHex(room.initialChainKey), signingSeed: fromHex(room.signingSeed) };
  for (const m of room.messages) {
    assert.equal(state.iteration, m.iteration);
    const out = await encryptGroupMessage(state, fromHex(m.plaintext), fromHex(m.messageId), m.expiresAtEpochMillis,
        fromHex(m.nonce));
    assert.equal(toHex(out.bytes), m.message);
    assert.ok(m.message.startsWith(m.associatedData));
    state = { ...state, chainKey: out.chainKey, iteration: out.iteration };
  }
  // A receiver holding the chain at iteration 0 reads the last message (skipping two keys).
  const last = room.messages[room.messages.length - 1];
  const opened = await decryptGroupMessage(fromHex(last.message), { chainId: room.chainId, iteration: 0,
    chainKey: fromHex(room.initialChainKey), signingPublicKey: fromHex(room.signingPublicKey) });
  assert.equal(toHex(opened.plaintext), last.plaintext);
});

test('every flipped bit of a group message is rejected', async () => {
  const bytes = fromHex(room.messages[0].message);
  const chain = { chainId: room.chainId, iteration: 0, chainKey: fromHex(room.initialChainKey),
    signingPublicKey: fromHex(room.signingPublicKey) };
  for (let i = 0; i < bytes.length * 8; i += 7) {
    const bad = bytes.slice();
    bad[i >> 3] ^= 1 << (i & 7);
    await assert.rejects(decryptGroupMessage(bad, chain), undefined, `bit ${i}`);
  }
});
