// Reproduces docs/test-vectors/accounts.json: certificates, the account safety number, linking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fromHex, toHex, ed25519Public, x25519Public, clamp, verifyDeviceCertificate, accountSafetyNumber,
  linkingCode, linkingCodeText, openLinkEnvelope, parseLinkingCode, sealLinkEnvelope, linkingCodeDisplay, verifyDeviceRevocation,
  issueDeviceRevocation, revokes, InvalidLinkError,
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

test('linking, existing device: the code text parses back, and the envelope is sealed byte for byte as Java seals it', async () => {
  const L = v.linking;
  const parsed = await parseLinkingCode(L.codeText);
  assert.equal(toHex(parsed.bytes), L.code);
  assert.equal(parsed.deviceId, L.deviceId);
  assert.equal(linkingCodeDisplay(parsed.bytes), L.codeText);
  assert.equal(toHex((await parseLinkingCode(L.qrPayload)).bytes), L.code);
  assert.equal(toHex((await parseLinkingCode(L.codeText.toLowerCase().replace(/0/g, 'o').replace(/-/g, ' '))).bytes), L.code);
  const sealed = await sealLinkEnvelope({ code: parsed.bytes, userId: 'alice', accountSeed: fromHex(v.accounts.aliceAccountSeed),
    issuedAt: L.issuedAt, random: await deterministicStream(L.existingDeviceRandomSeed, 64) });
  assert.equal(toHex(sealed.envelope), L.envelope);
  assert.equal(sealed.confirmationCode, L.confirmationCode);
  // One changed character: the checksum catches it.
  const typo = L.codeText.slice(0, 10) + (L.codeText[10] === 'A' ? 'B' : 'A') + L.codeText.slice(11);
  await assert.rejects(parseLinkingCode(typo), (e) => e instanceof InvalidLinkError && /checksum/.test(e.message));
  await assert.rejects(parseLinkingCode('UUUU'), (e) => e instanceof InvalidLinkError && /not a linking code/.test(e.message));
});

test("the device revocation vector verifies under alice's account key, applies only to its certificate, and every flipped byte is refused", async () => {
  const r = v.deviceRevocation;
  const rev = await verifyDeviceRevocation(fromHex(r.revocation), { pinnedAccountKey: fromHex(v.accounts.aliceAccountKey) });
  assert.equal(rev.revokedAt, r.revokedAt);
  assert.equal(rev.revokedBy, r.revokedBy);
  assert.deepEqual(rev.address, { userId: v.deviceCertificate.userId, deviceId: v.deviceCertificate.deviceId });
  const cert = await verifyDeviceCertificate(fromHex(v.deviceCertificate.certificate));
  assert.ok(revokes(rev, cert));
  assert.ok(!revokes({ ...rev, address: { ...rev.address, deviceId: 9 } }, cert));
  await assert.rejects(verifyDeviceRevocation(fromHex(r.revocation), { pinnedAccountKey: fromHex(v.accounts.bobAccountKey) }), /another account key/);
  const bytes = fromHex(r.revocation);
  for (let i = 0; i < bytes.length; i += 3) {
    const bad = bytes.slice();
    bad[i] ^= 0x10;
    await assert.rejects(verifyDeviceRevocation(bad), undefined, `byte ${i}`);
  }
  // Issued here from the same inputs: the same bytes (Ed25519 is deterministic).
  const again = await issueDeviceRevocation({ accountSeed: fromHex(v.accounts.aliceAccountSeed), certificate: cert,
    revokedBy: r.revokedBy, revokedAt: r.revokedAt });
  assert.equal(toHex(again), r.revocation);
});

test('a linking request opens one envelope: a replay of it, or an envelope sealed to another code, is refused', async () => {
  const { LinkingRequest } = await import('../src/index.js');
  const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));
  const request = await LinkingRequest.create(2, random);
  const other = await LinkingRequest.create(2, random);
  const seal = async (code) => (await sealLinkEnvelope({ code: code.bytes, userId: 'alice', accountSeed: fromHex(v.accounts.aliceAccountSeed),
    issuedAt: 1, random })).envelope;
  await assert.rejects(request.open(await seal(other.code), { userId: 'alice', deviceId: 2 }), InvalidLinkError);
  const envelope = await seal(request.code);
  const opened = await request.open(envelope, { userId: 'alice', deviceId: 2 });
  assert.equal(toHex(opened.accountSeed), v.accounts.aliceAccountSeed);
  await assert.rejects(request.open(envelope, { userId: 'alice', deviceId: 2 }), /already used/);
});
