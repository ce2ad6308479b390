// A JavaScript client against docs/wire-transcript.md, the session WireTranscriptTest recorded
// between a Java server and two minimal Java clients: from the same seeds, this code derives the
// same keys, reproduces every ciphertext alice sent byte for byte, and decrypts everything bob
// received, reading only the JSON frames and protocol.md's JSON <-> binary mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  concat, fromHex, toHex, utf8, hmac, sha256, toBase64Url, fromBase64Url, x25519Public, mlKemKeyPair,
  identityKeyPairFromStorage, parseIdentityKey, parseAddress, verifyBundle, initiate, encrypt, respond, decrypt,
  verifyDeviceCertificate, encodeDistribution, encryptGroupMessage, parseDistribution, decryptGroupMessage,
} from '../src/index.js';
import { deterministicStream } from './helpers.js';

const file = fileURLToPath(new URL('../../docs/wire-transcript.md', import.meta.url));
const text = readFileSync(file, 'utf8');

/** The transcript's blocks in order: {label, json} for frames, REST bodies and plaintexts. */
const blocks = [];
for (const m of text.matchAll(/\n([^\n]+)\n\n```json\n([^\n]*)\n```/g)) blocks.push({ label: m[1], json: m[2] });
const frames = (direction, type) => blocks.filter((b) => b.label === direction).map((b) => JSON.parse(b.json))
    .filter((f) => f.type === type);
const plaintexts = blocks.filter((b) => b.label.startsWith('Plaintext ')).map((b) => utf8(b.json));

/** A device's keys from its seed, drawn in the order WireTranscriptTest's Device draws them. */
async function device(user) {
  const take = await deterministicStream(`transcript-${user}`, 4096);
  const identity = await identityKeyPairFromStorage(concat(Uint8Array.of(1), take(32), take(32)));
  const accountSeed = take(32);
  const spk = take(32);
  const kem = mlKemKeyPair(take(64));
  const otks = [take(32), take(32)];
  return { take, identity, accountSeed, spk, kem, otks, address: { userId: user, deviceId: 1 } };
}

const idBytes = (uuid) => fromHex(uuid.replace(/-/g, ''));
const b64 = fromBase64Url;

test('the transcript holds the frames this test reads', () => {
  assert.equal(frames('alice.1 → server', 'send').length, 2);
  assert.equal(frames('server → bob.1', 'deliver').length, 3);
  assert.equal(plaintexts.length, 4);
});

test('the keys each device published are the ones its seed derives (JSON <-> binary mapping)', async () => {
  for (const user of ['alice', 'bob']) {
    const d = await device(user);
    const [publish] = frames(`${user}.1 → server`, 'prekeys_publish');
    assert.equal(publish.identityKey, toBase64Url(d.identity.publicKey.encoded));
    assert.equal(publish.signedPreKey.publicKey, toBase64Url(await x25519Public(d.spk)));
    assert.equal(publish.kemPreKey.publicKey, toBase64Url(d.kem.publicKey));
    assert.deepEqual(publish.oneTimePreKeys.map((k) => k.publicKey),
        await Promise.all(d.otks.map(async (k) => toBase64Url(await x25519Public(k)))));
    const cert = await verifyDeviceCertificate(b64(publish.certificate), { address: d.address });
    assert.equal(toHex(cert.identityKey.encoded), toHex(d.identity.publicKey.encoded));
  }
});

test('alice: from the bundles frame, every ciphertext she sent is reproduced byte for byte', async () => {
  const alice = await device('alice');
  const [reply] = frames('server → alice.1', 'bundles');
  const w = reply.bundles[0];
  const address = parseAddress(w.device);
  const cert = await verifyDeviceCertificate(b64(w.certificate), { address });
  // The crypto bundle, field by field from the JSON (protocol.md "JSON and binary encodings").
  const bundle = {
    address, identity: await parseIdentityKey(b64(w.identityKey)),
    signedPreKey: { id: w.signedPreKey.keyId, publicKey: b64(w.signedPreKey.publicKey), signature: b64(w.signedPreKey.signature) },
    oneTime: w.oneTimePreKey ? { id: w.oneTimePreKey.keyId, publicKey: b64(w.oneTimePreKey.publicKey) } : null,
    kem: { id: w.kemPreKey.keyId, publicKey: b64(w.kemPreKey.publicKey), signature: b64(w.kemPreKey.signature) },
    rsa: null,
  };
  await verifyBundle(bundle);
  assert.equal(toHex(cert.identityKey.encoded), toHex(bundle.identity.encoded));

  const session = await initiate({ identity: alice.identity, localAddress: alice.address, bundle, suite: 'PQXDH', random: alice.take });
  const [hello, senderKey] = frames('alice.1 → server', 'send');
  assert.equal(toBase64Url(await encrypt(session, plaintexts[0], idBytes(hello.messageId), 0)), hello.recipients[0].ciphertext);

  const [fromBob] = frames('server → alice.1', 'deliver');
  const opened = await decrypt(session, b64(fromBob.delivery.ciphertext));
  assert.equal(toHex(opened.plaintext), toHex(plaintexts[1]));

  // GroupSession.startEpoch: signing seed, chain id, chain key; then the pairwise nonce.
  const [group] = frames('server → alice.1', 'room').filter((r) => r.room.kind === 'GROUP');
  const own = { roomId: group.room.roomId, epoch: 0, sender: alice.address, signingSeed: alice.take(32),
    chainId: new DataView(alice.take(4).buffer).getUint32(0), iteration: 0, chainKey: alice.take(32) };
  const skdm = await encodeDistribution(own);
  assert.equal(JSON.parse(new TextDecoder().decode(plaintexts[2])).km, toBase64Url(skdm));
  assert.equal(toBase64Url(await encrypt(session, plaintexts[2], idBytes(senderKey.messageId), 0)),
      senderKey.recipients[0].ciphertext);

  const [sendGroup] = frames('alice.1 → server', 'send_group');
  const sealed = await encryptGroupMessage(own, plaintexts[3], idBytes(sendGroup.messageId), 0, alice.take(12));
  assert.equal(toBase64Url(sealed.bytes), sendGroup.ciphertext);
});

test('bob: decrypts everything delivered to him, checking the sender first', async () => {
  const bob = await device('bob');
  const [first, keyMessage, groupMessage] = frames('server → bob.1', 'deliver').map((f) => f.delivery);
  const [aliceDevices] = frames('server → bob.1', 'bundles');
  const sender = parseAddress(first.sender);
  const entry = aliceDevices.bundles.find((b) => b.device === first.sender);
  assert.equal(entry.oneTimePreKey, undefined, 'listed without using a one-time prekey');
  const cert = await verifyDeviceCertificate(b64(entry.certificate), { address: sender });
  const spkPublic = await x25519Public(bob.spk);
  const [publish] = frames('bob.1 → server', 'prekeys_publish');
  const opened = await respond({
    identity: bob.identity, localAddress: bob.address, remoteAddress: sender,
    signedPreKey: { id: publish.signedPreKey.keyId, privateKey: bob.spk, publicKey: spkPublic },
    oneTimePreKey: { id: publish.oneTimePreKeys[0].keyId, privateKey: bob.otks[0] },
    kemPreKey: { id: publish.kemPreKey.keyId, secretKey: bob.kem.secretKey },
    message: b64(first.ciphertext), random: bob.take,
  });
  assert.equal(toHex(opened.sender.encoded), toHex(cert.identityKey.encoded), 'certificate names the sender');
  assert.equal(toHex(opened.plaintext), toHex(plaintexts[0]));
  assert.equal(toHex(opened.messageId), toHex(idBytes(first.messageId)));

  const key = await decrypt(opened.state, b64(keyMessage.ciphertext));
  const content = JSON.parse(new TextDecoder().decode(key.plaintext));
  assert.equal(content.k, 'SENDER_KEY');
  assert.equal(content.r, groupMessage.room);
  const chain = await parseDistribution(b64(content.km));
  assert.deepEqual(chain.sender, sender, 'the sender key names the pairwise peer');
  const read = await decryptGroupMessage(b64(groupMessage.ciphertext), chain);
  assert.equal(toHex(read.plaintext), toHex(plaintexts[3]));
  assert.equal(read.message.roomId, groupMessage.room);
  assert.equal(JSON.parse(new TextDecoder().decode(read.plaintext)).b, 'Hello team!');
});
