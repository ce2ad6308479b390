// Published vectors for every WebCrypto primitive the protocol uses (ML-KEM-768 is covered by the
// PQXDH session vector, which needs FIPS 203 keygen from a seed and deterministic encapsulation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fromHex, toHex, utf8, hkdf, hmac, aesGcmSeal, aesGcmOpen, x25519, x25519Public, ed25519Public, ed25519Sign,
  ed25519Verify, toBase64Url, fromBase64Url,
} from '../src/index.js';

test('HKDF-SHA256: RFC 5869 test case 1', async () => {
  const okm = await hkdf(fromHex('000102030405060708090a0b0c'), new Uint8Array(22).fill(0x0b),
      fromHex('f0f1f2f3f4f5f6f7f8f9'), 42);
  assert.equal(toHex(okm), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
});

test('HMAC-SHA256: RFC 4231 test case 2', async () => {
  assert.equal(toHex(await hmac(utf8('Jefe'), utf8('what do ya want for nothing?'))),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('AES-256-GCM: GCM specification test cases 13 and 14, and a flipped bit is rejected', async () => {
  const key = new Uint8Array(32);
  const iv = new Uint8Array(12);
  assert.equal(toHex(await aesGcmSeal(key, iv, new Uint8Array(0), new Uint8Array(0))), '530f8afbc74536b9a963b4f1c4cb738b');
  const sealed = await aesGcmSeal(key, iv, new Uint8Array(16), new Uint8Array(0));
  assert.equal(toHex(sealed), 'cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919');
  assert.equal(toHex(await aesGcmOpen(key, iv, sealed, new Uint8Array(0))), '00'.repeat(16));
  sealed[31] ^= 1;
  await assert.rejects(aesGcmOpen(key, iv, sealed, new Uint8Array(0)));
});

test('X25519: RFC 7748 section 6.1, and an all-zero output is refused', async () => {
  const a = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const b = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  assert.equal(toHex(await x25519Public(a)), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  const bPub = await x25519Public(b);
  assert.equal(toHex(bPub), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  assert.equal(toHex(await x25519(a, bPub)), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  await assert.rejects(x25519(a, new Uint8Array(32)));
});

test('Ed25519: RFC 8032 test 1, and a flipped bit fails verification', async () => {
  const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pub = await ed25519Public(seed);
  assert.equal(toHex(pub), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const sig = await ed25519Sign(seed, new Uint8Array(0));
  assert.equal(toHex(sig), 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
  assert.equal(await ed25519Verify(pub, new Uint8Array(0), sig), true);
  sig[0] ^= 1;
  assert.equal(await ed25519Verify(pub, new Uint8Array(0), sig), false);
});

test('base64url: unpadded round trip; padding and other alphabets are refused', () => {
  for (let n = 0; n < 40; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    assert.equal(toHex(fromBase64Url(toBase64Url(b))), toHex(b));
  }
  assert.equal(toBase64Url(Uint8Array.of(0xfb, 0xff)), '-_8');
  for (const bad of ['AA==', 'A+/A', 'A', 'AA A']) assert.throws(() => fromBase64Url(bad), undefined, bad);
});
