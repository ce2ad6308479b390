package io.ciphertalk.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random damage to valid frames (bit flips, truncation, byte insertion and deletion, splices)
 * must give either a frame or a {@link WireException}: never another exception.
 */
class WireCodecFuzzTest {
  private static final byte[] INTERESTING = "{}[]\",:0-9eE.\\ntfu\u0000\u00ff".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

  @Test
  void damagedFrames_decodeOrFailWithWireException_only() {
    WireCodec codec = WireCodec.builder().maxFrameBytes(64 * 1024).build();
    Random random = new Random(20261126L);
    int decoded = 0;
    int rejected = 0;
    for (Frame frame : SampleFrames.all()) {
      byte[] good = codec.encode(frame);
      for (int round = 0; round < 150; round++) {
        byte[] bad = mutate(good, random);
        try {
          codec.decode(bad);
          decoded++;
        } catch (WireException e) {
          assertThat(e.code()).isNotNull();
          rejected++;
        } catch (RuntimeException e) {
          fail("unchecked " + e + " for input " + new String(bad, java.nio.charset.StandardCharsets.ISO_8859_1), e);
        }
      }
    }
    // Both outcomes occur, so the mutations are neither all harmless nor all fatal.
    assertThat(rejected).isGreaterThan(1000);
    assertThat(decoded).isGreaterThan(0);
  }

  private static byte[] mutate(byte[] in, Random r) {
    byte[] b = in.clone();
    int edits = 1 + r.nextInt(3);
    for (int i = 0; i < edits && b.length > 0; i++) {
      int pos = r.nextInt(b.length);
      switch (r.nextInt(5)) {
        case 0 -> b[pos] ^= (byte) (1 << r.nextInt(8));
        case 1 -> b = Arrays.copyOf(b, pos);
        case 2 -> {
          byte[] n = new byte[b.length + 1];
          System.arraycopy(b, 0, n, 0, pos);
          n[pos] = INTERESTING[r.nextInt(INTERESTING.length)];
          System.arraycopy(b, pos, n, pos + 1, b.length - pos);
          b = n;
        }
        case 3 -> {
          byte[] n = new byte[b.length - 1];
          System.arraycopy(b, 0, n, 0, pos);
          System.arraycopy(b, pos + 1, n, pos, b.length - pos - 1);
          b = n;
        }
        default -> {
          int from = r.nextInt(b.length);
          int len = Math.min(1 + r.nextInt(16), b.length - Math.max(from, pos));
          if (len > 0) {
            System.arraycopy(b, from, b, pos, len);
          }
        }
      }
    }
    return b;
  }
}
