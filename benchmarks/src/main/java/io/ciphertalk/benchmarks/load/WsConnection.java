package io.ciphertalk.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client WebSocket connection driven by a {@link WsLoop}: the RFC 6455 opening handshake,
 * masked client frames, unmasked server frames (with fragmentation), ping/pong and close.
 *
 * <p>Thread-safe for {@link #send}/{@link #close}; everything else runs on the loop thread.
 */
final class WsConnection {

  /** Callbacks, run on the loop thread; they must not block. */
  interface Handler {
    void onOpen(WsConnection conn);

    /** A complete text (opcode 1) or binary (opcode 2) message. */
    void onMessage(WsConnection conn, int opcode, byte[] payload);

    /** Called once when the connection is gone, for whatever reason. */
    void onClose(WsConnection conn, String reason);

    /** Called every few milliseconds on an open connection (for timers such as delayed acks). */
    default void onTick(WsConnection conn, long nanoTime) {}
  }

  static final int OP_CONT = 0x0;
  static final int OP_TEXT = 0x1;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;

  /** Largest message accepted from the server. */
  static final int MAX_MESSAGE_BYTES = 16 << 20;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final WsLoop loop;
  private final SocketChannel ch;
  private final String hostHeader;
  private final String path;
  private final Map<String, String> headers;
  private final Handler handler;
  private final String key;
  private SelectionKey selectionKey;
  private ByteBuffer in = ByteBuffer.allocate(1024);
  private boolean open;
  private volatile boolean closed;
  private ArrayDeque<ByteBuffer> out; // guarded by this
  private long pendingBytes; // guarded by this
  private byte[] fragments;
  private int fragmentsLength;
  private int fragmentOpcode;

  WsConnection(WsLoop loop, SocketChannel ch, String hostHeader, String path,
      Map<String, String> headers, Handler handler) {
    this.loop = loop;
    this.ch = ch;
    this.hostHeader = hostHeader;
    this.path = path;
    this.headers = headers;
    this.handler = handler;
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    this.key = Base64.getEncoder().encodeToString(nonce);
  }

  boolean isOpen() {
    return open && !closed;
  }

  /** Bytes queued in user space because the socket would not take them yet. */
  synchronized long pendingBytes() {
    return pendingBytes;
  }

  void register(Selector selector) throws IOException {
    if (closed) {
      return;
    }
    selectionKey = ch.register(selector, SelectionKey.OP_CONNECT, this);
    if (ch.isConnected()) {
      onConnectable();
    }
  }

  void onConnectable() throws IOException {
    if (ch.isConnectionPending()) {
      ch.finishConnect();
    }
    StringBuilder req = new StringBuilder(256)
        .append("GET ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(hostHeader).append("\r\n")
        .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    for (Map.Entry<String, String> h : headers.entrySet()) {
      req.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    req.append("\r\n");
    selectionKey.interestOps(SelectionKey.OP_READ);
    enqueue(ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.ISO_8859_1)));
  }

  /** Sends a text message (UTF-8 bytes). Returns false if the connection is closed. */
  boolean sendText(byte[] utf8) {
    return sendFrame(OP_TEXT, utf8);
  }

  /** Sends a text message. Returns false if the connection is closed. */
  boolean sendText(String text) {
    return sendFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a binary message. Returns false if the connection is closed. */
  boolean sendBinary(byte[] data) {
    return sendFrame(OP_BINARY, data);
  }

  boolean sendFrame(int opcode, byte[] payload) {
    if (closed) {
      return false;
    }
    int n = payload.length;
    int header = n < 126 ? 2 : n < 65536 ? 4 : 10;
    byte[] frame = new byte[header + 4 + n];
    frame[0] = (byte) (0x80 | opcode);
    if (n < 126) {
      frame[1] = (byte) (0x80 | n);
    } else if (n < 65536) {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (n >>> 8);
      frame[3] = (byte) n;
    } else {
      frame[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    int mask = ThreadLocalRandom.current().nextInt();
    byte m0 = (byte) (mask >>> 24);
    byte m1 = (byte) (mask >>> 16);
    byte m2 = (byte) (mask >>> 8);
    byte m3 = (byte) mask;
    frame[header] = m0;
    frame[header + 1] = m1;
    frame[header + 2] = m2;
    frame[header + 3] = m3;
    int base = header + 4;
    byte[] m = {m0, m1, m2, m3};
    for (int i = 0; i < n; i++) {
      frame[base + i] = (byte) (payload[i] ^ m[i & 3]);
    }
    try {
      enqueue(ByteBuffer.wrap(frame));
      return true;
    } catch (IOException e) {
      fail("write failed: " + e.getMessage());
      return false;
    }
  }

  private void enqueue(ByteBuffer buf) throws IOException {
    boolean needWakeup = false;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (out == null || out.isEmpty()) {
        ch.write(buf);
        if (!buf.hasRemaining()) {
          return;
        }
        if (out == null) {
          out = new ArrayDeque<>(4);
        }
        out.add(buf);
        pendingBytes += buf.remaining();
        SelectionKey k = selectionKey;
        if (k != null && k.isValid()) {
          k.interestOps(k.interestOps() | SelectionKey.OP_WRITE);
          needWakeup = Thread.currentThread() != loop.thread();
        }
      } else {
        out.add(buf);
        pendingBytes += buf.remaining();
      }
    }
    if (needWakeup) {
      loop.wakeup();
    }
  }

  void onWritable() throws IOException {
    synchronized (this) {
      while (out != null && !out.isEmpty()) {
        ByteBuffer head = out.peek();
        int before = head.remaining();
        ch.write(head);
        pendingBytes -= before - head.remaining();
        if (head.hasRemaining()) {
          return;
        }
        out.poll();
      }
      if (selectionKey.isValid()) {
        selectionKey.interestOps(SelectionKey.OP_READ);
      }
    }
  }

  void onTick(long nanoTime) {
    if (open && !closed) {
      handler.onTick(this, nanoTime);
    }
  }

  void onReadable() throws IOException {
    int n = ch.read(in);
    if (n < 0) {
      fail("closed by server (EOF)");
      return;
    }
    in.flip();
    try {
      if (!open) {
        if (!readHandshake()) {
          return;
        }
      }
      while (!closed && readFrame()) {
        // keep parsing complete frames
      }
    } finally {
      if (!closed) {
        in.compact();
      }
    }
  }

  private boolean readHandshake() throws IOException {
    int end = -1;
    for (int i = in.position(); i + 3 < in.limit(); i++) {
      if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
        end = i + 4;
        break;
      }
    }
    if (end < 0) {
      if (in.limit() == in.capacity()) {
        if (in.capacity() >= 16384) {
          throw new IOException("handshake response too large");
        }
        grow(in.capacity() * 2);
      }
      return false;
    }
    byte[] head = new byte[end - in.position()];
    in.get(head);
    String response = new String(head, StandardCharsets.ISO_8859_1);
    String[] lines = response.split("\r\n");
    if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + (lines.length == 0 ? "" : lines[0]));
    }
    String expected = accept(key);
    boolean ok = false;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")
          && line.substring(colon + 1).trim().equals(expected)) {
        ok = true;
      }
    }
    if (!ok) {
      throw new IOException("handshake: bad Sec-WebSocket-Accept");
    }
    open = true;
    handler.onOpen(this);
    return true;
  }

  /** Parses one frame if complete; returns false when more bytes are needed. */
  private boolean readFrame() throws IOException {
    int start = in.position();
    int avail = in.remaining();
    if (avail < 2) {
      return false;
    }
    int b0 = in.get(start) & 0xff;
    int b1 = in.get(start + 1) & 0xff;
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0f;
    boolean masked = (b1 & 0x80) != 0;
    long len = b1 & 0x7f;
    int header = 2;
    if (len == 126) {
      if (avail < 4) {
        return false;
      }
      len = ((in.get(start + 2) & 0xff) << 8) | (in.get(start + 3) & 0xff);
      header = 4;
    } else if (len == 127) {
      if (avail < 10) {
        return false;
      }
      len = in.getLong(start + 2);
      header = 10;
    }
    if (len < 0 || len > MAX_MESSAGE_BYTES) {
      throw new IOException("frame too large: " + len);
    }
    int maskLen = masked ? 4 : 0;
    int total = header + maskLen + (int) len;
    if (avail < total) {
      if (total > in.capacity()) {
        grow(Math.max(total, in.capacity() * 2));
      }
      return false;
    }
    byte[] payload = new byte[(int) len];
    in.position(start + header + maskLen);
    in.get(payload);
    if (masked) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= in.get(start + header + (i & 3));
      }
    }
    switch (opcode) {
      case OP_TEXT, OP_BINARY -> {
        if (fin) {
          handler.onMessage(this, opcode, payload);
        } else {
          fragmentOpcode = opcode;
          fragments = payload;
          fragmentsLength = payload.length;
        }
      }
      case OP_CONT -> {
        if (fragments == null) {
          throw new IOException("continuation frame without a start");
        }
        if ((long) fragmentsLength + payload.length > MAX_MESSAGE_BYTES) {
          throw new IOException("fragmented message too large");
        }
        if (fragmentsLength + payload.length > fragments.length) {
          fragments = java.util.Arrays.copyOf(fragments,
              Math.max(fragmentsLength + payload.length, fragments.length * 2));
        }
        System.arraycopy(payload, 0, fragments, fragmentsLength, payload.length);
        fragmentsLength += payload.length;
        if (fin) {
          byte[] whole = java.util.Arrays.copyOf(fragments, fragmentsLength);
          fragments = null;
          fragmentsLength = 0;
          handler.onMessage(this, fragmentOpcode, whole);
        }
      }
      case OP_PING -> sendFrame(OP_PONG, payload);
      case OP_PONG -> {
        // nothing to do
      }
      case OP_CLOSE -> {
        String reason = "closed by server";
        if (payload.length >= 2) {
          int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
          reason += " code " + code;
          if (payload.length > 2) {
            reason += " " + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
          }
        }
        sendFrame(OP_CLOSE, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]);
        fail(reason);
        return false;
      }
      default -> throw new IOException("unknown opcode " + opcode);
    }
    return true;
  }

  private void grow(int capacity) throws IOException {
    if (capacity > MAX_MESSAGE_BYTES + 64) {
      throw new IOException("message too large");
    }
    ByteBuffer bigger = ByteBuffer.allocate(capacity);
    bigger.put(in);
    bigger.flip();
    in = bigger;
  }

  /** Sends a normal close frame and closes the socket. */
  void close() {
    if (closed) {
      return;
    }
    if (open) {
      sendFrame(OP_CLOSE, new byte[] {0x03, (byte) 0xe8});
    }
    fail("closed by client");
  }

  /** Closes the socket and reports {@code reason} once. */
  void fail(String reason) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      out = null;
      pendingBytes = 0;
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // already gone
    }
    handler.onClose(this, reason);
  }

  static String accept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by RFC 6455", e);
    }
  }
}
