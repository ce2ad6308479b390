package io.ciphertalk.benchmarks.load;

import java.nio.ByteBuffer;

/**
 * The measurement header every load message carries: sender index, sequence number and the
 * intended send time ({@link System#nanoTime()} of the generator's JVM, so sender and receiver
 * clocks are the same clock). 20 bytes in binary form, 40 hexadecimal characters in text form.
 *
 * @param sender the sending client's index
 * @param seq the sender's sequence number
 * @param sentNanos intended send time (open loop) or actual send time (closed loop)
 */
record Probe(int sender, long seq, long sentNanos) {

  static final int BINARY_BYTES = 20;
  static final int HEX_CHARS = 2 * BINARY_BYTES;

  /** Writes the binary form into the first 20 bytes of {@code out}. */
  void writeBinary(byte[] out) {
    ByteBuffer.wrap(out).putInt(sender).putLong(seq).putLong(sentNanos);
  }

  /** Reads the binary form from the first 20 bytes of {@code in}, or null if too short. */
  static Probe readBinary(byte[] in) {
    if (in.length < BINARY_BYTES) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(in);
    return new Probe(b.getInt(), b.getLong(), b.getLong());
  }

  /** A text payload of exactly {@code size} ASCII bytes (at least 40): hex header then padding. */
  byte[] toText(int size) {
    byte[] out = new byte[Math.max(size, HEX_CHARS)];
    byte[] bin = new byte[BINARY_BYTES];
    writeBinary(bin);
    for (int i = 0; i < BINARY_BYTES; i++) {
      out[2 * i] = HEX[(bin[i] >>> 4) & 0xf];
      out[2 * i + 1] = HEX[bin[i] & 0xf];
    }
    java.util.Arrays.fill(out, HEX_CHARS, out.length, (byte) 'x');
    return out;
  }

  /** Parses {@link #toText}; null if the payload is not a probe. */
  static Probe fromText(byte[] in) {
    if (in.length < HEX_CHARS) {
      return null;
    }
    byte[] bin = new byte[BINARY_BYTES];
    for (int i = 0; i < BINARY_BYTES; i++) {
      int hi = Character.digit(in[2 * i], 16);
      int lo = Character.digit(in[2 * i + 1], 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      bin[i] = (byte) ((hi << 4) | lo);
    }
    return readBinary(bin);
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
}
