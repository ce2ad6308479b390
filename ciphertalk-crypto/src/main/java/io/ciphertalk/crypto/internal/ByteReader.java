package io.ciphertalk.crypto.internal;

import java.util.Arrays;

/**
 * Bounds-checked big-endian reader over one encoded value. Every read past the end, and trailing
 * bytes at {@link #expectEnd()}, throw the format's own checked exception {@code E}, made by the
 * subclass. Not thread-safe.
 *
 * @param <E> the exception of the format being read
 */
public abstract class ByteReader<E extends Exception> {
  protected final byte[] in;
  protected int pos;

  protected ByteReader(byte[] in) {
    this.in = in;
  }

  /** The format's exception for malformed input, described by {@code problem}. */
  protected abstract E malformed(String problem);

  /** Fails unless {@code n} (non-negative) more bytes are there. */
  protected final void need(int n) throws E {
    if (n < 0 || in.length - pos < n) {
      throw malformed("truncated at byte " + pos);
    }
  }

  public final int position() {
    return pos;
  }

  public final int remaining() {
    return in.length - pos;
  }

  public final int u8() throws E {
    need(1);
    return in[pos++] & 0xff;
  }

  public final int u16() throws E {
    need(2);
    int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  public final int u32() throws E {
    need(4);
    int v = ByteWriter.getU32(in, pos);
    pos += 4;
    return v;
  }

  public final long u64() throws E {
    need(8);
    long v = ByteWriter.getU64(in, pos);
    pos += 8;
    return v;
  }

  public final byte[] bytes(int n) throws E {
    need(n);
    byte[] out = Arrays.copyOfRange(in, pos, pos + n);
    pos += n;
    return out;
  }

  /** {@code u16 length || bytes}. */
  public final byte[] var16() throws E {
    return bytes(u16());
  }

  public final void expectEnd() throws E {
    if (pos != in.length) {
      throw malformed((in.length - pos) + " trailing bytes");
    }
  }
}
