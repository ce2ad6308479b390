package io.ciphertalk.crypto.group.internal;

import io.ciphertalk.crypto.DeviceAddress;
import io.ciphertalk.crypto.group.InvalidGroupMessageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the big-endian group formats; every underflow or invalid field is an {@link
 * InvalidGroupMessageException}. Not thread-safe.
 */
public final class ByteReader {
  private final byte[] buf;
  private int pos;
  private final String what;

  public ByteReader(byte[] buf, String what) {
    this.buf = buf;
    this.what = what;
  }

  private void need(int n) throws InvalidGroupMessageException {
    if (n < 0 || buf.length - pos < n) {
      throw new InvalidGroupMessageException(what + " is truncated at byte " + pos);
    }
  }

  public int u8() throws InvalidGroupMessageException {
    need(1);
    return buf[pos++] & 0xff;
  }

  public int u16() throws InvalidGroupMessageException {
    need(2);
    int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  public int u32() throws InvalidGroupMessageException {
    need(4);
    int v =
        ((buf[pos] & 0xff) << 24)
            | ((buf[pos + 1] & 0xff) << 16)
            | ((buf[pos + 2] & 0xff) << 8)
            | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  public long u64() throws InvalidGroupMessageException {
    long hi = u32() & 0xffffffffL;
    long lo = u32() & 0xffffffffL;
    return (hi << 32) | lo;
  }

  public byte[] raw(int n) throws InvalidGroupMessageException {
    need(n);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  public String roomId() throws InvalidGroupMessageException {
    int n = u8();
    need(n);
    String id = new String(buf, pos, n, StandardCharsets.US_ASCII);
    pos += n;
    if (!Limits.isValidRoomId(id)) {
      throw new InvalidGroupMessageException(what + " carries an invalid room id");
    }
    return id;
  }

  public DeviceAddress address() throws InvalidGroupMessageException {
    int n = u8();
    need(n);
    String user = new String(buf, pos, n, StandardCharsets.US_ASCII);
    pos += n;
    int device = u32();
    try {
      DeviceAddress a = new DeviceAddress(user, device);
      // Reject non-canonical encodings (e.g. non-ASCII bytes that decode to a replacement char).
      if (a.encode().length != n + 5) {
        throw new InvalidGroupMessageException(what + " carries a non-canonical address");
      }
      return a;
    } catch (IllegalArgumentException e) {
      throw new InvalidGroupMessageException(what + " carries an invalid device address");
    }
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return buf.length - pos;
  }

  public void expectEnd() throws InvalidGroupMessageException {
    if (pos != buf.length) {
      throw new InvalidGroupMessageException(what + " has " + (buf.length - pos) + " trailing bytes");
    }
  }
}
