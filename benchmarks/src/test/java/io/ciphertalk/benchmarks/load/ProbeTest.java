package io.ciphertalk.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProbeTest {

  @Test
  void textForm_hasExactSize_andRoundTrips() {
    Probe probe = new Probe(42, 123_456_789L, -5L);
    byte[] text = probe.toText(256);
    assertThat(text).hasSize(256);
    assertThat(Probe.fromText(text)).isEqualTo(probe);
  }

  @Test
  void binaryForm_roundTrips_insideLargerCiphertext() {
    Probe probe = new Probe(7, 0, Long.MAX_VALUE);
    byte[] ct = new byte[256];
    probe.writeBinary(ct);
    assertThat(Probe.readBinary(ct)).isEqualTo(probe);
  }

  @Test
  void garbage_isNotAProbe() {
    assertThat(Probe.fromText("joined room-1".getBytes(StandardCharsets.US_ASCII))).isNull();
    assertThat(Probe.fromText("z".repeat(64).getBytes(StandardCharsets.US_ASCII))).isNull();
    assertThat(Probe.readBinary(new byte[19])).isNull();
  }
}
