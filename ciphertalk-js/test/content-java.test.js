// Every content kind the JavaScript client writes (text with reply and expiry, edit, delete,
// reaction, receipts, read-sync, typing, sender key) is byte for byte what the Java SDK's
// ContentCodec writes for the same content: the Java codec decodes each and encodes it again, and
// the two encodings must be equal (padding included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeContent, toBase64Url } from '../src/index.js';
import { deleteContent, editContent, idsContents, reactionContent, textContent, typingContent } from '../src/messages.js';
import { SERVER_JAR, jarsOrSkip } from './support/processes.js';

const { skip, missing } = jarsOrSkip([SERVER_JAR]);
const ROUND_TRIP = fileURLToPath(new URL('./support/ContentRoundTrip.java', import.meta.url));

test('each content kind encodes exactly as the Java ContentCodec encodes it', { skip }, () => {
  if (missing) throw new Error(`CI=true and ${missing}`);
  const id = (n) => `01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4${String(n).padStart(2, '0')}`;
  const base = { roomId: 'p-alice-bob', at: 1700000000123 };
  let n = 0;
  const contents = [
    textContent({ ...base, id: id(1), body: 'hello' }),
    textContent({ ...base, id: id(2), body: 'a reply with "quotes", \\ backslash, \n newline, \u0001 control, \b\f\r\t\u001f\u007f, émoji 🎉', replyTo: id(1), expiresAt: 1700000060000 }),
    textContent({ ...base, id: id(3), body: 'x'.repeat(8192) }),
    editContent({ ...base, id: id(4), target: id(1), body: 'hello, edited' }),
    editContent({ ...base, id: id(5), target: id(2), body: 'edit of an expiring one', expiresAt: 1700000060000 }),
    deleteContent({ ...base, id: id(6), target: id(1) }),
    reactionContent({ ...base, id: id(7), target: id(1), emoji: '👍', add: true }),
    reactionContent({ ...base, id: id(8), target: id(1), emoji: '👍', add: false }),
    ...idsContents('RECEIPT_DELIVERED', { ...base, ids: [id(1), id(2)], newId: () => id(10 + n++) }),
    ...idsContents('RECEIPT_READ', { ...base, ids: [id(1)], newId: () => id(10 + n++) }),
    ...idsContents('READ_SYNC', { ...base, ids: [id(1), id(2), id(3)], newId: () => id(10 + n++) }),
    typingContent({ ...base, id: id(20), typing: true }),
    typingContent({ ...base, id: id(21), typing: false }),
    { k: 'SENDER_KEY', r: 'g-crew', id: id(22), t: 1700000000123, km: 'AQIDBAUG' },
  ];
  const encoded = contents.map((c) => encodeContent(c));
  const input = `${encoded.map((b) => toBase64Url(b)).join('\n')}\n`;
  const java = spawnSync('java', ['-cp', SERVER_JAR, ROUND_TRIP], { input, encoding: 'utf8', timeout: 60000 });
  assert.equal(java.status, 0, java.stderr);
  const lines = java.stdout.trim().split('\n');
  assert.equal(lines.length, contents.length);
  lines.forEach((line, i) => {
    assert.equal(line, toBase64Url(encoded[i]), `${contents[i].k} #${i}: ${new TextDecoder().decode(encoded[i]).slice(0, 120)}`);
    assert.equal(encoded[i].length % 64, 0);
  });
});
