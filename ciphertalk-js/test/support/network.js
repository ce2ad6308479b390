// Test support for connection faults: a TCP proxy in front of the server that a test can cut
// (every open connection reset at once) or hold down (new connections refused), and a WebSocket
// class whose incoming frames and outgoing sends a test can watch, rewrite or swallow.
import net from 'node:net';

/** A TCP proxy on a free port to `target` (ws://host:port/path); `wsUrl` is the same path through it. */
export async function startProxy(target) {
  const url = new URL(target);
  const sockets = new Set();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(url.port), url.hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    wsUrl: `ws://127.0.0.1:${server.address().port}${url.pathname}`,
    /** Resets every connection through the proxy (an abrupt drop, no close frame). */
    cut() {
      for (const s of sockets) s.resetAndDestroy ? s.resetAndDestroy() : s.destroy();
      sockets.clear();
    },
    /** While down, new connections are closed at once. */
    setDown(value) {
      down = value;
    },
    close() {
      this.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A WebSocket class for CipherTalkClient's `WebSocket` option. `hooks.incoming(frame, ws)` may
 * return a changed frame object, or null to swallow it; `hooks.outgoing(frame, ws)` sees each sent frame.
 */
export function hookedWebSocket(hooks) {
  return class HookedWebSocket extends WebSocket {
    set onmessage(fn) {
      super.onmessage = fn === null ? null : (e) => {
        let frame = JSON.parse(e.data);
        if (hooks.incoming) frame = hooks.incoming(frame, this);
        if (frame) fn({ data: JSON.stringify(frame) });
      };
    }

    get onmessage() {
      return super.onmessage;
    }

    send(text) {
      super.send(text);
      if (hooks.outgoing) hooks.outgoing(JSON.parse(text), this);
    }
  };
}
