package io.ciphertalk.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void smallValues_areRecordedExactly() {
    LatencyHistogram h = new LatencyHistogram();
    for (int v = 1; v <= 100; v++) {
      h.record(v);
    }
    assertThat(h.count()).isEqualTo(100);
    assertThat(h.percentile(50)).isEqualTo(50);
    assertThat(h.percentile(99)).isEqualTo(99);
    assertThat(h.percentile(100)).isEqualTo(100);
    assertThat(h.min()).isEqualTo(1);
    assertThat(h.max()).isEqualTo(100);
    assertThat(h.mean()).isCloseTo(50.5, within(1e-9));
  }

  @Test
  void percentiles_ofRandomLatencies_areWithinTwoPercentOfExact() {
    Random random = new Random(7);
    long[] values = new long[100_000];
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < values.length; i++) {
      // log-uniform from 1 µs to 1 s, like real latencies
      values[i] = (long) Math.pow(10, 3 + 6 * random.nextDouble());
      h.record(values[i]);
    }
    Arrays.sort(values);
    for (double p : new double[] {50, 90, 95, 99, 99.9}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      assertThat((double) h.percentile(p)).as("p%s", p).isCloseTo(exact, within(exact * 0.02));
    }
    assertThat(h.max()).isEqualTo(values[values.length - 1]);
  }

  @Test
  void bucketIndex_isMonotonic_andBoundsContainTheValue() {
    long previous = -1;
    for (long v = 0; v < 5_000_000; v += 1 + v / 50) {
      int index = LatencyHistogram.indexOf(v);
      assertThat(index).isGreaterThanOrEqualTo((int) Math.max(previous, 0));
      assertThat(LatencyHistogram.lowestValueOf(index)).isLessThanOrEqualTo(v);
      assertThat(LatencyHistogram.highestValueOf(index)).isGreaterThanOrEqualTo(v);
      previous = index;
    }
    assertThat(LatencyHistogram.indexOf(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
  }

  @Test
  void merge_addsCountsAndKeepsExtremes() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(1_000);
    a.record(2_000);
    b.record(5_000_000);
    a.add(b);
    assertThat(a.count()).isEqualTo(3);
    assertThat(a.max()).isEqualTo(5_000_000);
    assertThat(a.min()).isEqualTo(1_000);
    assertThat(a.percentile(100)).isEqualTo(5_000_000);
  }

  @Test
  void emptyHistogram_reportsZero_andNegativeValuesCountAsZero() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.percentile(99)).isZero();
    assertThat(h.max()).isZero();
    h.record(-5);
    assertThat(h.max()).isZero();
    assertThat(h.count()).isEqualTo(1);
    assertThatThrownBy(() -> h.percentile(101)).isInstanceOf(IllegalArgumentException.class);
  }
}
