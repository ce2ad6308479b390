package io.ciphertalk.server.internal.ws;

import java.nio.charset.StandardCharsets;

/**
 * One outgoing text frame, encoded once and shareable between connections: the JSON text, its UTF-8
 * bytes, and (built on first use) the whole unmasked RFC 6455 text frame. The arrays are never
 * modified after construction. Thread-safe.
 */
final class EncodedText {
  private final String text;
  private final byte[] utf8;
  private volatile byte[] wsFrame;

  EncodedText(String text) {
    this.text = text;
    this.utf8 = text.getBytes(StandardCharsets.UTF_8);
  }

  String text() {
    return text;
  }

  byte[] utf8() {
    return utf8;
  }

  /** The frame as a server sends it: FIN, opcode 1, no mask, the payload length, the payload. */
  byte[] wsFrame() {
    byte[] f = wsFrame;
    if (f == null) {
      f = textFrame(utf8);
      wsFrame = f; // a race builds equal arrays; either is fine
    }
    return f;
  }

  static byte[] textFrame(byte[] payload) {
    int n = payload.length;
    int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    byte[] f = new byte[header + n];
    f[0] = (byte) 0x81;
    if (n < 126) {
      f[1] = (byte) n;
    } else if (n <= 0xFFFF) {
      f[1] = 126;
      f[2] = (byte) (n >>> 8);
      f[3] = (byte) n;
    } else {
      f[1] = 127;
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    System.arraycopy(payload, 0, f, header, n);
    return f;
  }
}
