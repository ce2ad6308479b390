// A randomized JavaScript-vs-Java run of the protocol: 100 conversations between this code and the
// Java Session and GroupSession (InteropPeer, a line protocol over stdin/stdout), each with a random
// 1:1 initiator, a two-member group room, a random interleaving of 1:1 and group sends from both
// sides, and deliveries in random order (so messages overtake each other within and across ratchet
// steps and within sender chains). Every message must decrypt exactly once, to what was sent. The
// schedule's seed is printed; CIPHERTALK_INTEROP_SEED replays one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  concat, fromHex, toHex, utf8, u32, clamp, LABELS, ed25519Sign, x25519Public, mlKemKeyPair, identityKeyPairFromStorage,
  parseBundle, serializeBundle, initiate, respond, encrypt, decrypt, encodeDistribution, parseDistribution,
  encryptGroupMessage, decryptGroupMessage,
} from '../src/index.js';
import { INTEROP_PEER_FILES, jarsOrSkip, killAll, startInteropPeer } from './support/processes.js';

const { skip, missing } = jarsOrSkip(INTEROP_PEER_FILES);
const CONVERSATIONS = 100;
const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** mulberry32: a small seeded generator for the schedule only (keys use crypto randomness). */
function scheduler(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A JS device with a published-style bundle and the private keys to answer it. */
async function jsDevice(address) {
  const identity = await identityKeyPairFromStorage(concat(Uint8Array.of(1), random(32), clamp(random(32))));
  const sign = (label, id, pub) => ed25519Sign(identity.seed, concat(utf8(label), u32(id), pub));
  const spk = { id: 1, privateKey: clamp(random(32)) };
  spk.publicKey = await x25519Public(spk.privateKey);
  const otk = { id: 7, privateKey: clamp(random(32)) };
  otk.publicKey = await x25519Public(otk.privateKey);
  const kem = { id: 2, ...mlKemKeyPair(random(64)) };
  const bundle = {
    address, identity: identity.publicKey,
    signedPreKey: { id: 1, publicKey: spk.publicKey, signature: await sign(LABELS.signedPreKey, 1, spk.publicKey) },
    oneTime: { id: otk.id, publicKey: otk.publicKey },
    kem: { id: 2, publicKey: kem.publicKey, signature: await sign(LABELS.kemPreKey, 2, kem.publicKey) },
    rsa: null,
  };
  return { identity, spk, otk, kem, bundle };
}

after(killAll);

test(`${CONVERSATIONS} randomized JS-vs-Java conversations, 1:1 and group, with reordering decrypt everything`, { skip, timeout: 120000 }, async () => {
  if (missing) throw new Error(`CI=true and ${missing}`);
  const seed = Number(process.env.CIPHERTALK_INTEROP_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`interop schedule seed ${seed}`);
  const rnd = scheduler(seed);
  const peer = startInteropPeer();
  const ask = async (line) => {
    const answer = await peer.ask(line);
    if (!answer.startsWith('ok')) throw new Error(`InteropPeer: '${line.slice(0, 40)}...' -> ${answer} (seed ${seed})`);
    return answer.slice(3);
  };
  const js = { userId: 'js', deviceId: 1 };
  const java = { userId: 'java', deviceId: 1 };
  let delivered = 0;
  let groupDelivered = 0;
  let overtaken = 0;
  for (let c = 0; c < CONVERSATIONS; c++) {
    const cid = `c${c}`;
    await ask(`new ${cid} java 1`);
    const device = await jsDevice(js);
    const jsFirst = rnd() < 0.5;
    let session = null;
    let javaHasSession = !jsFirst;
    if (jsFirst) {
      const bundle = await parseBundle(fromHex(await ask(`bundle ${cid}`)));
      session = await initiate({ identity: device.identity, localAddress: js, bundle, suite: 'PQXDH', random });
    } else {
      await ask(`initiate ${cid} ${toHex(serializeBundle(device.bundle))}`);
    }
    // The group room: each side's sender key, handed over directly (the 1:1 path is tested above).
    const roomId = `g-${c}`;
    let peerChain = await parseDistribution(fromHex(await ask(`gjoin ${cid} ${roomId} js 1`)));
    assert.deepEqual(peerChain.sender, java);
    let ownChain = { roomId, epoch: 0, sender: js, signingSeed: random(32), chainId: new DataView(random(4).buffer).getUint32(0),
      iteration: 0, chainKey: random(32) };
    assert.equal(await ask(`gdist ${cid} js 1 ${toHex(await encodeDistribution(ownChain))}`), 'ACCEPTED');
    const inFlight = []; // {to: 'js'|'java', group, bytes, text, n}
    let sent = 0;
    const deliverOne = async () => {
      const i = Math.floor(rnd() * inFlight.length);
      if (inFlight.slice(0, i).some((m) => m.to === inFlight[i].to && !!m.group === !!inFlight[i].group)) overtaken++;
      const [m] = inFlight.splice(i, 1);
      let text;
      if (m.group && m.to === 'java') {
        text = new TextDecoder().decode(fromHex(await ask(`gdecrypt ${cid} ${toHex(m.bytes)}`)));
        groupDelivered++;
      } else if (m.group) {
        const read = await decryptGroupMessage(m.bytes, peerChain);
        peerChain = { ...peerChain, chainKey: read.chainKey, iteration: read.iteration, skipped: read.skipped };
        text = new TextDecoder().decode(read.plaintext);
        groupDelivered++;
      } else if (m.to === 'java') {
        text = new TextDecoder().decode(fromHex(await ask(`decrypt ${cid} js 1 ${toHex(m.bytes)}`)));
        javaHasSession = true;
      } else if (!session) {
        const opened = await respond({ identity: device.identity, localAddress: js, remoteAddress: java,
          signedPreKey: device.spk, oneTimePreKey: device.otk, kemPreKey: { id: 2, secretKey: device.kem.secretKey },
          message: m.bytes, random });
        session = opened.state;
        text = new TextDecoder().decode(opened.plaintext);
      } else {
        text = new TextDecoder().decode((await decrypt(session, m.bytes)).plaintext);
      }
      assert.equal(text, m.text, `conversation ${c}, message ${m.n} (seed ${seed})`);
      delivered++;
    };
    const steps = 8 + Math.floor(rnd() * 12);
    for (let s = 0; s < steps; s++) {
      const r = rnd();
      const id = concat(u32(c), u32(sent), new Uint8Array(8));
      const text = `conversation ${c} message ${sent} ${'x'.repeat(Math.floor(rnd() * 40))}`;
      if (r < 0.2 && session) {
        inFlight.push({ to: 'java', bytes: await encrypt(session, utf8(text), id, 0), text, n: sent++ });
      } else if (r < 0.4 && javaHasSession) {
        inFlight.push({ to: 'js', bytes: fromHex(await ask(`encrypt ${cid} ${toHex(utf8(text))} ${toHex(id)}`)), text, n: sent++ });
      } else if (r < 0.5) {
        const sealed = await encryptGroupMessage(ownChain, utf8(text), id, 0, random(12));
        ownChain = { ...ownChain, chainKey: sealed.chainKey, iteration: sealed.iteration };
        inFlight.push({ to: 'java', group: true, bytes: sealed.bytes, text, n: sent++ });
      } else if (r < 0.6) {
        inFlight.push({ to: 'js', group: true, bytes: fromHex(await ask(`gencrypt ${cid} ${roomId} ${toHex(utf8(text))} ${toHex(id)}`)), text, n: sent++ });
      } else if (inFlight.length > 0) {
        await deliverOne();
      }
    }
    while (inFlight.length > 0) await deliverOne();
  }
  console.log(`${delivered} messages decrypted (${groupDelivered} group), ${overtaken} overtaken by a later one`);
  assert.ok(delivered >= CONVERSATIONS * 3, `only ${delivered} messages in ${CONVERSATIONS} conversations`);
  assert.ok(groupDelivered >= CONVERSATIONS, `only ${groupDelivered} group messages`);
  assert.ok(overtaken > 0, 'the schedule reordered nothing');
});
