// Test support shared by the vector tests.
import { concat, utf8, sha256, hmac } from '../src/index.js';

/**
 * The Java tests' RandomSource.deterministicForTesting(seed): HMAC-SHA256(SHA-256(seed), u64
 * counter) blocks, as a synchronous `take(n)` over a precomputed stream of `length` bytes.
 */
export async function deterministicStream(seed, length) {
  const key = await sha256(typeof seed === 'string' ? utf8(seed) : seed);
  const out = [];
  for (let counter = 0n; out.length * 32 < length; counter++) {
    const c = new Uint8Array(8);
    new DataView(c.buffer).setBigUint64(0, counter);
    out.push(await hmac(key, c));
  }
  const all = concat(...out);
  let off = 0;
  return (n) => {
    if (off + n > all.length) throw new RangeError('stream exhausted');
    return all.slice(off, (off += n));
  };
}
