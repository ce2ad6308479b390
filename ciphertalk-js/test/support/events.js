// Test support shared by the interop tests: waiting for a client's events and for conditions.

/** Resolves with the first `event` of `client` that satisfies `predicate`. */
export function next(client, event, predicate = () => true, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no matching '${event}' in ${timeoutMs} ms`)); }, timeoutMs);
    const off = client.on(event, (e) => {
      if (predicate(e)) { clearTimeout(timer); off(); resolve(e); }
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` every 50 ms; fails after `timeoutMs`. */
export async function until(condition, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms: ${condition}`);
    await sleep(50);
  }
}
