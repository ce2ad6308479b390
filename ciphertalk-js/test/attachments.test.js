// Attachments in the JS SDK: docs/test-vectors/attachments.json reproduced and opened byte for byte,
// every tampering the decryption rules name rejected with its reason, the descriptor parsed as the
// Java Attachment encodes it, a download through a fake fetch that hands out nothing unverified,
// and a FILE content raised as a message with its attachment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Attachment, AttachmentIntegrityError, AttachmentTooLargeError, InvalidMessageError, MemoryStore, RequestFailedError,
  ciphertextLength, concat, decryptAttachment, downloadAttachment, encryptAttachment, fromHex, toBase64Url, toHex, utf8,
} from '../src/index.js';
import { MessageFeatures } from '../src/messages.js';

const file = fileURLToPath(new URL('../../docs/test-vectors/attachments.json', import.meta.url));
const v = JSON.parse(readFileSync(file, 'utf8'));
const hex = (c) => ({ key: fromHex(c.key), fileId: fromHex(c.fileId), plaintext: fromHex(c.plaintext), ciphertext: fromHex(c.ciphertext), digest: fromHex(c.digest) });
const byLength = (n) => hex(v.cases.find((c) => c.plaintextLength === n));
const plain = (parts) => toHex(concat(...parts));

/** The reason an attachment is refused with (AttachmentIntegrityError), or 'accepted'. */
async function refusal(ciphertext, key, digest) {
  try {
    await decryptAttachment(ciphertext, key, digest);
    return 'accepted';
  } catch (e) {
    assert.ok(e instanceof AttachmentIntegrityError, `${e}`);
    return e.reason;
  }
}

test('every vector is reproduced byte for byte and decrypts to its plaintext', async () => {
  assert.equal(v.chunkSize, 32);
  assert.ok(v.cases.length >= 7);
  for (const c of v.cases) {
    const x = hex(c);
    const out = await encryptAttachment(x.plaintext, x.key, x.fileId, v.chunkSize);
    assert.equal(toHex(out.ciphertext), c.ciphertext, `ciphertext of ${c.plaintextLength} bytes`);
    assert.equal(toHex(out.digest), c.digest);
    assert.equal(ciphertextLength(c.plaintextLength, v.chunkSize), x.ciphertext.length);
    const parts = await decryptAttachment(x.ciphertext, x.key, x.digest);
    assert.equal(parts.length, c.chunks);
    assert.equal(plain(parts), c.plaintext);
  }
});

test('every flipped bit of the ciphertext (header, chunks, tags) is rejected', async () => {
  const x = byLength(100); // four chunks
  for (let i = 0; i < x.ciphertext.length * 8; i++) {
    const bad = x.ciphertext.slice();
    bad[i >> 3] ^= 1 << (i & 7);
    const why = await refusal(bad, x.key, x.digest);
    assert.notEqual(why, 'accepted', `bit ${i}`);
    if (i >= 24 * 8) assert.equal(why, 'TAMPERED', `bit ${i} of a chunk`);
  }
});

test('truncation at every length is rejected, and a cut at a chunk boundary says TRUNCATED', async () => {
  const x = byLength(100);
  for (let n = 0; n < x.ciphertext.length; n++) {
    assert.notEqual(await refusal(x.ciphertext.subarray(0, n), x.key, x.digest), 'accepted', `cut at ${n}`);
  }
  assert.equal(await refusal(x.ciphertext.subarray(0, 0), x.key, x.digest), 'TRUNCATED');
  assert.equal(await refusal(x.ciphertext.subarray(0, 24 + 48 * 2), x.key, x.digest), 'TRUNCATED', 'after chunk 1 of 4');
  assert.equal(await refusal(x.ciphertext.subarray(0, 10), x.key, x.digest), 'BAD_HEADER');
});

test('reordered chunks, a chunk from another file, appended bytes, a wrong key and a wrong digest are each named', async () => {
  const x = byLength(100);
  const c = x.ciphertext;
  const chunk = (i) => c.subarray(24 + 48 * i, Math.min(c.length, 24 + 48 * (i + 1)));
  const swapped = concat(c.subarray(0, 24), chunk(1), chunk(0), chunk(2), chunk(3));
  assert.equal(await refusal(swapped, x.key, x.digest), 'TAMPERED');
  await assert.rejects(decryptAttachment(swapped, x.key, x.digest), (e) => e.chunkIndex === 0);
  const y = byLength(64); // a different file id: its chunk 0 in x's place
  assert.equal(await refusal(concat(c.subarray(0, 24), y.ciphertext.subarray(24, 72), chunk(1), chunk(2), chunk(3)), x.key, x.digest), 'TAMPERED');
  // 64 bytes = two full chunks: more input after the true final chunk verifies as final only.
  assert.equal(await refusal(concat(y.ciphertext, new Uint8Array(20)), y.key, y.digest), 'EXTENDED');
  const wrongKey = x.key.slice();
  wrongKey[0] ^= 1;
  assert.equal(await refusal(c, wrongKey, x.digest), 'TAMPERED');
  const wrongDigest = x.digest.slice();
  wrongDigest[31] ^= 1;
  assert.equal(await refusal(c, x.key, wrongDigest), 'DIGEST_MISMATCH');
});

/** The descriptor as io.ciphertalk.client.Attachment.encode writes it (Jackson, no padding, this field order). */
function javaDescriptor(x, fields = {}) {
  const o = { v: 1, id: '0123456789abcdef0123456789abcdef', k: toBase64Url(x.key), d: toBase64Url(x.digest), s: x.plaintext.length,
    cs: x.ciphertext.length, n: 'photo ü.png', m: 'image/png', t: toBase64Url(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)), ...fields };
  for (const [k, val] of Object.entries(o)) if (val === undefined) delete o[k];
  return utf8(JSON.stringify(o));
}

test('the descriptor parses as Java writes it, round-trips, and never shows its key', () => {
  const x = byLength(100);
  const a = Attachment.decode(javaDescriptor(x));
  assert.deepEqual([a.blobId, a.size, a.ciphertextSize, a.name, a.mimeType, a.isImage], ['0123456789abcdef0123456789abcdef', 100, 188, 'photo ü.png', 'image/png', true]);
  assert.deepEqual([...a.thumbnail], [0xff, 0xd8, 0xff, 0xd9]);
  assert.deepEqual(a.encode(), javaDescriptor(x));
  const keyText = toBase64Url(x.key);
  for (const shown of [JSON.stringify(a), String(a), JSON.stringify({ ...a }), Object.keys(a).join()]) assert.ok(!shown.includes(keyText), shown);
  assert.equal(Attachment.decode(javaDescriptor(x, { t: undefined })).thumbnail, undefined);
});

test('a descriptor with a bad id, key, digest, size, name or version is refused', () => {
  const x = byLength(1);
  const bad = [
    { id: 'ABCDEF0123456789abcdef0123456789' }, { id: 'abc' }, { k: toBase64Url(x.key.subarray(1)) }, { d: `${toBase64Url(x.digest)}==` },
    { s: -1 }, { cs: 1.5 }, { s: '1' }, { n: 'x'.repeat(256) }, { n: undefined }, { m: 7 }, { v: 2 }, { t: '!' },
  ];
  for (const fields of bad) assert.throws(() => Attachment.decode(javaDescriptor(x, fields)), InvalidMessageError, JSON.stringify(fields));
  assert.throws(() => Attachment.decode(utf8('not json')), InvalidMessageError);
  assert.throws(() => Attachment.decode(utf8('[1]')), InvalidMessageError);
});

/** A fetch that answers the blob route with `body` and records the requests. */
function blobServer(body, { status = 200, chunk = 7 } = {}) {
  const requests = [];
  const fetch = async (url, init) => {
    requests.push({ url: String(url), auth: init.headers.Authorization });
    if (status !== 200) return new Response(JSON.stringify({ error: 'not_found', message: 'no such blob' }), { status });
    // Small pieces, as a network delivers them.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < body.length; i += chunk) c.enqueue(body.slice(i, i + chunk));
        c.close();
      },
    });
    return new Response(stream, { status: 200 });
  };
  return { fetch, requests };
}

test('a download verifies, then resolves with a Blob of exactly the plaintext, fetched with the bearer token', async () => {
  const x = byLength(100);
  const a = Attachment.decode(javaDescriptor(x));
  const { fetch, requests } = blobServer(concat(x.ciphertext, utf8('bytes past the size the message names')));
  const progress = [];
  const blob = await downloadAttachment(a, { fetch, httpUrl: 'http://127.0.0.1:1/', token: 'tok', onProgress: (n, total) => progress.push([n, total]) });
  assert.equal(toHex(new Uint8Array(await blob.arrayBuffer())), toHex(x.plaintext));
  assert.equal(blob.type, 'image/png');
  assert.deepEqual(requests, [{ url: 'http://127.0.0.1:1/api/blobs/0123456789abcdef0123456789abcdef', auth: 'Bearer tok' }]);
  assert.deepEqual(progress.at(-1), [188, 188]);
  assert.ok(progress.every(([n], i) => i === 0 || n > progress[i - 1][0]), 'progress only goes forward');
});

test('a tampered, short, oversized or refused download gives its typed error and no Blob', async () => {
  const x = byLength(100);
  const a = Attachment.decode(javaDescriptor(x));
  const opts = (fetch) => ({ fetch, httpUrl: 'http://127.0.0.1:1/', token: 'tok' });
  const flipped = x.ciphertext.slice();
  flipped[100] ^= 0x40;
  await assert.rejects(downloadAttachment(a, opts(blobServer(flipped).fetch)), (e) => e instanceof AttachmentIntegrityError && e.reason === 'TAMPERED' && e.chunkIndex === 1);
  await assert.rejects(downloadAttachment(a, opts(blobServer(x.ciphertext.subarray(0, 150)).fetch)),
    (e) => e instanceof AttachmentIntegrityError && e.reason === 'TRUNCATED' && e.chunkIndex === 2);
  // Another attachment's (valid) ciphertext under this descriptor's key and digest.
  await assert.rejects(downloadAttachment(Attachment.decode(javaDescriptor(x, { cs: 96 + 24 })), opts(blobServer(byLength(64).ciphertext).fetch)),
    (e) => e instanceof AttachmentIntegrityError && e.reason === 'TAMPERED');
  // The right ciphertext with a size in the message that is not the file's.
  await assert.rejects(downloadAttachment(Attachment.decode(javaDescriptor(x, { s: 99 })), opts(blobServer(x.ciphertext).fetch)),
    (e) => e instanceof AttachmentIntegrityError && e.reason === 'SIZE_MISMATCH');
  const refused = blobServer(x.ciphertext, { status: 404 });
  await assert.rejects(downloadAttachment(a, opts(refused.fetch)), (e) => e instanceof RequestFailedError && e.code === 'not_found' && e.status === 404);
  const never = blobServer(x.ciphertext);
  await assert.rejects(downloadAttachment(a, { ...opts(never.fetch), maxBytes: 100 }), (e) => e instanceof AttachmentTooLargeError && e.size === 188);
  assert.equal(never.requests.length, 0, 'nothing fetched above the limit');
});

test('a FILE content is a message event with its attachment; a bad descriptor drops it', async () => {
  const events = [];
  const f = new MessageFeatures({
    store: new MemoryStore(), userId: 'alice', deviceId: 1, now: () => 1_000_000, newMessageId: () => 'unused',
    emit: (event, value) => events.push({ event, ...value }), ready: () => true, send: async () => {},
    outbox: { append: async () => {}, queueAndWait: async () => {}, flush: () => {} }, typingTtlMs: 6000, deliveryReceipts: true,
  });
  const x = byLength(100);
  const id = '01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e401';
  const bob = { userId: 'bob', deviceId: 1 };
  await f.dispatch({ k: 'FILE', r: 'p-alice-bob', id, t: 5, b: 'photo ü.png', km: toBase64Url(javaDescriptor(x)) }, bob, 'DIRECT', false);
  assert.equal(events.length, 1);
  const [m] = events;
  assert.equal(m.event, 'message');
  assert.equal(m.body, 'photo ü.png');
  assert.ok(m.attachment instanceof Attachment);
  assert.deepEqual([m.attachment.name, m.attachment.size, m.attachment.mimeType], ['photo ü.png', 100, 'image/png']);
  assert.equal(await f.unreadCount('p-alice-bob'), 1);
  const other = '01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e402';
  await assert.rejects(f.dispatch({ k: 'FILE', r: 'p-alice-bob', id: other, t: 6, b: 'x', km: toBase64Url(javaDescriptor(x, { k: 'AA' })) }, bob, 'DIRECT', false),
    InvalidMessageError);
  await assert.rejects(f.dispatch({ k: 'FILE', r: 'p-alice-bob', id: other, t: 6, b: 'x' }, bob, 'DIRECT', false), InvalidMessageError);
  assert.equal(events.length, 1);
});
