package io.ciphertalk.crypto.session.internal;

import java.util.Arrays;

/**
 * Bounds-checked big-endian reader. Every read past the end throws {@link Truncated}, which
 * callers map to their own typed exception. Not thread-safe.
 */
public final class ByteReader {
  /** Thrown when the input ends early or a length field is out of range. */
  public static final class Truncated extends Exception {
    private static final long serialVersionUID = 1L;

    Truncated(String message) {
      super(message, null, false, false);
    }
  }

  private final byte[] in;
  private int pos;

  public ByteReader(byte[] in) {
    this.in = in;
  }

  private void need(int n) throws Truncated {
    if (n < 0 || in.length - pos < n) {
      throw new Truncated("input truncated at offset " + pos);
    }
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return in.length - pos;
  }

  public int u8() throws Truncated {
    need(1);
    return in[pos++] & 0xff;
  }

  public int u16() throws Truncated {
    need(2);
    int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  public int u32() throws Truncated {
    need(4);
    int v = ByteWriter.getU32(in, pos);
    pos += 4;
    return v;
  }

  public long i64() throws Truncated {
    need(8);
    long v = ByteWriter.getI64(in, pos);
    pos += 8;
    return v;
  }

  public byte[] bytes(int n) throws Truncated {
    need(n);
    byte[] out = Arrays.copyOfRange(in, pos, pos + n);
    pos += n;
    return out;
  }

  public byte[] var16() throws Truncated {
    return bytes(u16());
  }

  public void expectEnd() throws Truncated {
    if (pos != in.length) {
      throw new Truncated((in.length - pos) + " trailing bytes");
    }
  }
}
