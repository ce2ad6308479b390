package io.ciphertalk.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A hand-driven TCP socket for attack tests: partial upgrade requests, frames written byte by byte
 * (RFC 6455 section 5.2), and the server's answer read back (the close code, or the HTTP status).
 */
final class RawSocket implements AutoCloseable {
  static final String UPGRADE = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  final Socket socket;

  private RawSocket(Socket socket) {
    this.socket = socket;
  }

  /** Connects from {@code localAddress} (another loopback address plays another client), or any if null. */
  static RawSocket connect(int port, String localAddress) throws IOException {
    Socket s = new Socket();
    if (localAddress != null) {
      s.bind(new InetSocketAddress(localAddress, 0));
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(10_000);
    return new RawSocket(s);
  }

  /** Connects and completes the WebSocket upgrade; fails unless the server switches protocols. */
  static RawSocket open(int port) throws IOException {
    RawSocket r = connect(port, null);
    r.write(UPGRADE.getBytes(StandardCharsets.US_ASCII));
    String head = r.readHead();
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new AssertionError("upgrade refused: " + head);
    }
    return r;
  }

  void write(byte[] b) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(b);
    out.flush();
  }

  /** Writes one masked frame. */
  void frame(boolean fin, int opcode, byte[] payload) throws IOException {
    write(encode(fin, opcode, payload, true));
  }

  static byte[] encode(boolean fin, int opcode, byte[] payload, boolean masked) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | opcode);
    int m = masked ? 0x80 : 0;
    if (payload.length < 126) {
      f.write(m | payload.length);
    } else if (payload.length < 65536) {
      f.write(m | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length);
    } else {
      f.write(m | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >>> (8 * i)));
      }
    }
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    if (masked) {
      f.write(mask, 0, 4);
    }
    for (int i = 0; i < payload.length; i++) {
      f.write(masked ? payload[i] ^ mask[i % 4] : payload[i]);
    }
    return f.toByteArray();
  }

  /** Reads an HTTP response head (up to the blank line); "" if the server closed first. */
  String readHead() throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c;
      try {
        c = in.read();
      } catch (SocketException e) {
        return head.toString();
      }
      if (c < 0) {
        return head.toString();
      }
      head.append((char) c);
    }
    return head.toString();
  }

  /**
   * Reads frames until a close frame (returns its code) or end of stream (returns -1); throws
   * {@link SocketTimeoutException} if the server neither closes nor answers.
   */
  int readCloseCode() throws IOException {
    InputStream in = socket.getInputStream();
    try {
      while (true) {
        int b0 = in.read();
        if (b0 < 0) {
          return -1;
        }
        int b1 = in.read();
        if (b1 < 0) {
          return -1;
        }
        long len = b1 & 0x7F;
        if (len == 126) {
          len = (in.read() << 8) | in.read();
        } else if (len == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | in.read();
          }
        }
        byte[] payload = in.readNBytes((int) len);
        if ((b0 & 0x0F) == 8) {
          return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
      }
    } catch (SocketException e) {
      return -1; // reset
    }
  }

  /** Reads server frames until a text frame containing {@code marker}; false if the connection ends first. */
  boolean awaitText(String marker) throws IOException {
    InputStream in = socket.getInputStream();
    while (true) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        return false;
      }
      long len = b1 & 0x7F;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | in.read();
        }
      }
      byte[] payload = in.readNBytes((int) len);
      if ((b0 & 0x0F) == 8) {
        return false;
      }
      if ((b0 & 0x0F) == 1 && new String(payload, StandardCharsets.UTF_8).contains(marker)) {
        return true;
      }
    }
  }

  /** True once the server has closed the connection (reads to end of stream). */
  boolean closedByServer() throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // drain
      }
      return true;
    } catch (SocketException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
