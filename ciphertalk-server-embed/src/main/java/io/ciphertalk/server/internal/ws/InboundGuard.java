package io.ciphertalk.server.internal.ws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Our own frame guard in front of Java-WebSocket: it follows one connection's raw inbound bytes
 * (the upgrade request, then RFC 6455 frames) as they come off the socket, before the library
 * buffers or decodes anything, and stops the connection at the first byte that breaks a limit or
 * the protocol.
 *
 * <p>Why here: Java-WebSocket 1.6.0 checks its frame limit on each frame but never adds up a
 * message's continuation frames ({@code Draft_6455} checks the sum only on the first and last
 * fragment), allocates a whole frame as soon as its header arrives, grows the upgrade request
 * buffer without bound, and logs every malformed frame at ERROR. This guard
 * <ul>
 *   <li>bounds the upgrade request ({@link WsLimits#maxHandshakeBytes}, HTTP 431);</li>
 *   <li>bounds a message summed over its fragments, with a much smaller bound before {@code hello}
 *       succeeded (1009);</li>
 *   <li>reserves every declared frame in a server-wide budget when its header arrives, that is before
 *       the library allocates it, and releases it when the message is complete or the socket closes;
 *       unauthenticated connections draw from their own, smaller pool (1013 when exhausted);</li>
 *   <li>refuses what the library would otherwise log at ERROR: unmasked or reserved-bit frames,
 *       unknown opcodes, fragmented or long control frames, out-of-order continuations (1002),
 *       invalid UTF-8 in text messages or close reasons (1007), binary messages (1003).</li>
 * </ul>
 * Both parsers see the same bytes and follow the same RFC, so they agree on frame boundaries.
 *
 * <p>Used by the selector thread only, except {@link #release}, which is idempotent and may run on
 * any thread.
 */
final class InboundGuard {

  /** A refused connection: what to tell the client before the socket closes. */
  record Violation(int closeCode, String reason, byte[] lastWords) {}

  private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

  private final WsLimits limits;
  private final ConnectionGate gate;
  private final BooleanSupplier authenticated;

  private boolean handshakeDone;
  private int handshakeBytes;
  private int crlfMatched;

  private final byte[] header = new byte[14];
  private int headerLen;
  private int headerNeed = 2;
  private boolean inPayload;
  private int opcode;
  private boolean fin;
  private long payloadLeft;
  private long frameOffset;
  private final byte[] mask = new byte[4];

  private boolean inMessage;
  private boolean textMessage;
  private long messageBytes;
  private int utf8Need;
  private int utf8Lower = 0x80;
  private int utf8Upper = 0xBF;

  private final byte[] control = new byte[125];
  private int controlLen;
  private boolean closed;

  /** Bytes this connection holds in each pool; guarded by {@code this} (release may come from any thread). */
  private long heldPreAuth;
  private long heldMain;

  InboundGuard(WsLimits limits, ConnectionGate gate, BooleanSupplier authenticated) {
    this.limits = limits;
    this.gate = gate;
    this.authenticated = authenticated;
  }

  /**
   * Follows the bytes {@code [from, to)} of {@code buf} (absolute positions, not consumed).
   *
   * @return null if they are acceptable, else why the connection must close
   */
  Violation scan(ByteBuffer buf, int from, int to) {
    int i = from;
    while (i < to) {
      if (!handshakeDone) {
        int n = Math.min(to - i, limits.maxHandshakeBytes() - handshakeBytes + 1);
        int end = -1;
        for (int k = 0; k < n; k++) {
          byte b = buf.get(i + k);
          crlfMatched = b == CRLFCRLF[crlfMatched] ? crlfMatched + 1 : (b == '\r' ? 1 : 0);
          if (crlfMatched == 4) {
            end = k + 1;
            break;
          }
        }
        int taken = end < 0 ? n : end;
        handshakeBytes += taken;
        if (handshakeBytes > limits.maxHandshakeBytes()) {
          return httpError(431, "Request Header Fields Too Large", "upgrade request too large");
        }
        if (!reserve(taken, false)) {
          return httpError(503, "Service Unavailable", "server busy");
        }
        i += taken;
        if (end >= 0) {
          handshakeDone = true;
          releaseAll(); // the library parses the request now and keeps none of it
        }
        continue;
      }
      if (!inPayload) {
        header[headerLen++] = buf.get(i++);
        if (headerLen == 2) {
          Violation v = checkFirstTwo();
          if (v != null) {
            return v;
          }
        }
        if (headerLen == headerNeed) {
          Violation v = startFrame();
          if (v != null) {
            return v;
          }
        }
        continue;
      }
      int n = (int) Math.min(payloadLeft, to - i);
      if (opcode == 1 || (opcode == 0 && textMessage) || opcode == 8) {
        for (int k = 0; k < n; k++) {
          int b = (buf.get(i + k) ^ mask[(int) (frameOffset++ & 3)]) & 0xFF;
          if (opcode == 8) {
            control[controlLen++] = (byte) b;
          } else if (!utf8(b)) {
            return violation(CloseCodes.INVALID_PAYLOAD, "invalid UTF-8 in text message");
          }
        }
      } else {
        frameOffset += n;
      }
      i += n;
      payloadLeft -= n;
      if (payloadLeft == 0) {
        Violation v = endFrame();
        if (v != null) {
          return v;
        }
      }
    }
    return null;
  }

  private Violation checkFirstTwo() {
    int b0 = header[0] & 0xFF;
    int b1 = header[1] & 0xFF;
    fin = (b0 & 0x80) != 0;
    opcode = b0 & 0x0F;
    if ((b0 & 0x70) != 0) {
      return violation(CloseCodes.PROTOCOL_ERROR, "reserved bits set");
    }
    if ((b1 & 0x80) == 0) {
      return violation(CloseCodes.PROTOCOL_ERROR, "client frames must be masked");
    }
    int len7 = b1 & 0x7F;
    switch (opcode) {
      case 0 -> {
        if (!inMessage) {
          return violation(CloseCodes.PROTOCOL_ERROR, "continuation frame without a message");
        }
      }
      case 1 -> {
        if (inMessage) {
          return violation(CloseCodes.PROTOCOL_ERROR, "new message before the previous one finished");
        }
      }
      case 2 -> {
        return violation(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported");
      }
      case 8, 9, 10 -> {
        if (!fin || len7 > 125) {
          return violation(CloseCodes.PROTOCOL_ERROR, "control frames must be final and at most 125 bytes");
        }
      }
      default -> {
        return violation(CloseCodes.PROTOCOL_ERROR, "unknown opcode " + opcode);
      }
    }
    headerNeed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
    return null;
  }

  private Violation startFrame() {
    int len7 = header[1] & 0x7F;
    long len;
    if (len7 == 126) {
      len = ((header[2] & 0xFFL) << 8) | (header[3] & 0xFFL);
    } else if (len7 == 127) {
      len = 0;
      for (int k = 2; k < 10; k++) {
        len = (len << 8) | (header[k] & 0xFFL);
      }
      if (len < 0) {
        return violation(CloseCodes.PROTOCOL_ERROR, "negative frame length");
      }
    } else {
      len = len7;
    }
    System.arraycopy(header, headerNeed - 4, mask, 0, 4);
    if (opcode < 8) {
      boolean auth = authenticated.getAsBoolean();
      long limit = auth ? limits.maxMessageBytes() : limits.preAuthMessageBytes();
      if (len > limit - messageBytes) {
        return violation(CloseCodes.TOO_BIG, auth
            ? "message larger than " + limit + " bytes"
            : "message larger than " + limit + " bytes before authentication");
      }
      if (!reserve(len + headerNeed, !auth)) {
        return violation(CloseCodes.TRY_AGAIN_LATER, "server busy");
      }
      if (opcode == 1) {
        inMessage = true;
        textMessage = true;
        messageBytes = 0;
      }
      messageBytes += len;
    } else {
      controlLen = 0;
    }
    headerLen = 0;
    headerNeed = 2;
    frameOffset = 0;
    payloadLeft = len;
    inPayload = true;
    return payloadLeft == 0 ? endFrame() : null;
  }

  private Violation endFrame() {
    inPayload = false;
    if (opcode == 8) {
      return checkClose();
    }
    if (opcode == 1 && !fin && utf8Need != 0) {
      // Java-WebSocket validates a first text fragment on its own and logs a split character at ERROR.
      return violation(CloseCodes.INVALID_PAYLOAD, "first text fragment ends inside a UTF-8 character");
    }
    if (opcode < 8 && fin) {
      if (utf8Need != 0) {
        return violation(CloseCodes.INVALID_PAYLOAD, "invalid UTF-8 in text message");
      }
      inMessage = false;
      textMessage = false;
      messageBytes = 0;
      releaseAll(); // the library hands the message on now
    }
    return null;
  }

  private Violation checkClose() {
    if (controlLen == 0) {
      return null;
    }
    if (controlLen == 1) {
      return violation(CloseCodes.PROTOCOL_ERROR, "close frame with a one-byte payload");
    }
    int code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
    boolean valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    if (!valid) {
      return violation(CloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
    }
    utf8Need = 0;
    for (int k = 2; k < controlLen; k++) {
      if (!utf8(control[k] & 0xFF)) {
        return violation(CloseCodes.INVALID_PAYLOAD, "invalid UTF-8 in close reason");
      }
    }
    if (utf8Need != 0) {
      return violation(CloseCodes.INVALID_PAYLOAD, "invalid UTF-8 in close reason");
    }
    return null;
  }

  /** One step of a UTF-8 validator (RFC 3629: no overlongs, surrogates or code points above U+10FFFF). */
  private boolean utf8(int b) {
    if (utf8Need == 0) {
      if (b < 0x80) {
        return true;
      }
      utf8Lower = 0x80;
      utf8Upper = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        utf8Need = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        utf8Need = 2;
        if (b == 0xE0) {
          utf8Lower = 0xA0;
        } else if (b == 0xED) {
          utf8Upper = 0x9F;
        }
      } else if (b >= 0xF0 && b <= 0xF4) {
        utf8Need = 3;
        if (b == 0xF0) {
          utf8Lower = 0x90;
        } else if (b == 0xF4) {
          utf8Upper = 0x8F;
        }
      } else {
        return false;
      }
      return true;
    }
    if (b < utf8Lower || b > utf8Upper) {
      return false;
    }
    utf8Lower = 0x80;
    utf8Upper = 0xBF;
    utf8Need--;
    return true;
  }

  private synchronized boolean reserve(long n, boolean preAuth) {
    if (closed || !gate.reserve(n, preAuth)) {
      return false;
    }
    if (preAuth) {
      heldPreAuth += n;
    } else {
      heldMain += n;
    }
    return true;
  }

  private synchronized void releaseAll() {
    gate.release(heldPreAuth, true);
    gate.release(heldMain, false);
    heldPreAuth = 0;
    heldMain = 0;
  }

  /** Returns everything this connection holds to the budget and refuses further reservations. Any thread. */
  synchronized void release() {
    closed = true;
    releaseAll();
  }

  /** Bytes this connection holds in the budget (for tests and metrics). */
  synchronized long held() {
    return heldPreAuth + heldMain;
  }

  private Violation violation(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    int len = Math.min(r.length, 123);
    byte[] frame = new byte[4 + len];
    frame[0] = (byte) 0x88;
    frame[1] = (byte) (2 + len);
    frame[2] = (byte) (code >>> 8);
    frame[3] = (byte) code;
    System.arraycopy(r, 0, frame, 4, len);
    return new Violation(code, reason, handshakeDone ? frame : new byte[0]);
  }

  private Violation httpError(int status, String text, String reason) {
    byte[] response = ("HTTP/1.1 " + status + " " + text + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    return new Violation(status, reason, response);
  }
}
