package io.ciphertalk.crypto.internal;

import io.ciphertalk.crypto.DeviceAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Growable big-endian byte writer for the session and group encodings. Its buffer may hold
 * secrets, so it is wiped when it grows and by {@link #toByteArray()} and {@link #wipe()}. Not
 * thread-safe.
 */
public final class ByteWriter {
  private byte[] buf;
  private int len;

  public ByteWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      byte[] bigger = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
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
    putU32(buf, len, v);
    len += 4;
    return this;
  }

  public ByteWriter u64(long v) {
    ensure(8);
    putU64(buf, len, v);
    len += 8;
    return this;
  }

  public ByteWriter bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  public ByteWriter bytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  /** {@code u16 length || bytes}. */
  public ByteWriter var16(byte[] b) {
    if (b.length > 0xffff) {
      throw new IllegalArgumentException("field longer than 65535 bytes");
    }
    return u16(b.length).bytes(b);
  }

  /** {@code u8 length || US-ASCII bytes} (a room id in the group formats). */
  public ByteWriter ascii8(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    if (b.length > 0xff) {
      throw new IllegalArgumentException("field longer than 255 bytes");
    }
    return u8(b.length).bytes(b);
  }

  /** A device address as {@link DeviceAddress#encode()} writes it. */
  public ByteWriter address(DeviceAddress a) {
    return bytes(a.encode());
  }

  public int length() {
    return len;
  }

  /** The bytes written so far (a right-sized copy); the internal buffer is wiped. */
  public byte[] toByteArray() {
    byte[] out = Arrays.copyOf(buf, len);
    Arrays.fill(buf, (byte) 0);
    return out;
  }

  /** Zeroes the internal buffer and forgets what was written. */
  public void wipe() {
    Arrays.fill(buf, (byte) 0);
    len = 0;
  }

  public static void putU32(byte[] dst, int off, int v) {
    dst[off] = (byte) (v >>> 24);
    dst[off + 1] = (byte) (v >>> 16);
    dst[off + 2] = (byte) (v >>> 8);
    dst[off + 3] = (byte) v;
  }

  public static void putU64(byte[] dst, int off, long v) {
    for (int i = 0; i < 8; i++) {
      dst[off + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  public static int getU32(byte[] src, int off) {
    return ((src[off] & 0xff) << 24)
        | ((src[off + 1] & 0xff) << 16)
        | ((src[off + 2] & 0xff) << 8)
        | (src[off + 3] & 0xff);
  }

  public static long getU64(byte[] src, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (src[off + i] & 0xff);
    }
    return v;
  }
}
