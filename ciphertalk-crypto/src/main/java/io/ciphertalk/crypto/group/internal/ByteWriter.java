package io.ciphertalk.crypto.group.internal;

import io.ciphertalk.crypto.DeviceAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable big-endian byte buffer for the group formats. Not thread-safe. */
public final class ByteWriter {
  private byte[] buf;
  private int len;

  public ByteWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      byte[] bigger = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      Arrays.fill(buf, (byte) 0);
      buf = bigger;
    }
  }

  public ByteWriter u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteWriter u16(int v) {
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteWriter u32(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteWriter u64(long v) {
    u32((int) (v >>> 32));
    return u32((int) v);
  }

  public ByteWriter raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  /** One length byte (1..255) then the US-ASCII room id. */
  public ByteWriter roomId(String roomId) {
    byte[] b = roomId.getBytes(StandardCharsets.US_ASCII);
    u8(b.length);
    return raw(b);
  }

  public ByteWriter address(DeviceAddress a) {
    return raw(a.encode());
  }

  public int length() {
    return len;
  }

  /** The bytes written so far (a copy). */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  /** Zeroes the internal buffer (it may have held secrets). */
  public void wipe() {
    Arrays.fill(buf, (byte) 0);
    len = 0;
  }
}
