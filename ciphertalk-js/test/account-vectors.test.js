// Reproduces docs/test-vectors/accounts.json: certificates, the account safety number, linking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fromHex, toHex, ed25519Public, x25519Public, clamp, verifyDeviceCertificate, accountSafetyNumber,
  linkingCode, linkingCodeText, openLinkEnvelope,
} from '../src/index.js';
import { deterministicStream } from './helpers.js';

const file = fileURLToPath(new URL('../../docs/test-vectors/accounts.json', import.meta.url));
const v = JSON.parse(readFileSync(file, 'utf8'));

test('account keys from their seeds', async () => {
  assert.equal(toHex(await ed25519Public(fromHex(v.accounts.aliceAccountSeed))), v.accounts.aliceAccountKey);
  assert.equal(toHex(await ed25519Public(fromHex(v.accounts.bobAccountSeed))), v.accounts.bobAccountKey);
});

test("the device certificate verifies under alice's account key for alice.1, and not otherwise", async () => {
  const c = v.deviceCertificate;
  const cert = await verifyDeviceCertificate(fromHex(c.certificate), {
    pinnedAccountKey: fromHex(v.accounts.aliceAccountKey), address: { userId: c.userId, deviceId: c.deviceId } });
  assert.equal(toHex(cert.identityKey.encoded), c.identityKey);
  assert.equal(cert.createdAt, c.createdAt);
  await assert.rejects(verifyDeviceCertificate(fromHex(c.certificate), { pinnedAccountKey: fromHex(v.accounts.bobAccountKey) }));
  await assert.rejects(verifyDeviceCertificate(fromHex(c.certificate), { address: { userId: c.userId, deviceId: 2 } }));
  const bytes = fromHex(c.certificate);
  for (let i = 0; i < bytes.length; i += 5) {
    const bad = bytes.slice();
    bad[i] ^= 0x40;
    await assert.rejects(verifyDeviceCertificate(bad), undefined, `byte ${i}`);
  }
});

test('account safety number: digits, display and scannable payload', async () => {
  const sn = await accountSafetyNumber('alice', fromHex(v.accounts.aliceAccountKey), 'bob', fromHex(v.accounts.bobAccountKey));
  assert.equal(sn.digits, v.safetyNumber.digits);
  assert.equal(sn.display, v.safetyNumber.display);
  assert.equal(toHex(sn.scannable), v.safetyNumber.scannable);
  assert.equal(sn.scannableText, v.safetyNumber.scannableText);
  const reversed = await accountSafetyNumber('bob', fromHex(v.accounts.bobAccountKey), 'alice', fromHex(v.accounts.aliceAccountKey));
  assert.equal(reversed.digits, sn.digits, 'both sides show the same number');
});

test("linking: the new device's code, its text and QR payload, and opening the envelope", async () => {
  const L = v.linking;
  const n = clamp((await deterministicStream(L.newDeviceRandomSeed, 64))(32));
  const code = await linkingCode(L.deviceId, await x25519Public(n));
  assert.equal(toHex(code), L.code);
  const text = linkingCodeText(code);
  assert.equal(text.match(/.{4}/g).join('-'), L.codeText);
  assert.equal(`ciphertalk-link:${text}`, L.qrPayload);
  const opened = await openLinkEnvelope(fromHex(L.envelope), code, n, { userId: 'alice', deviceId: L.deviceId });
  assert.equal(toHex(opened.accountSeed), v.accounts.aliceAccountSeed);
  assert.equal(opened.issuedAt, L.issuedAt);
  assert.equal(opened.confirmationCode, L.confirmationCode);
  const bad = fromHex(L.envelope);
  bad[bad.length - 1] ^= 1;
  await assert.rejects(openLinkEnvelope(bad, code, n, { userId: 'alice', deviceId: L.deviceId }));
  await assert.rejects(openLinkEnvelope(fromHex(L.envelope), code, n, { userId: 'alice', deviceId: 3 }));
});
