package io.ciphertalk.server.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MinuteSeriesTest {
  private static final long T0 = 1_796_292_000_000L; // 2026-12-03T10:00:00Z, a minute boundary

  @Test
  void countsLandInTheirMinute_andMinutesOlderThanAnHourDropOut() {
    MinuteSeries s = new MinuteSeries();
    s.message(T0 + 1_000);
    s.message(T0 + 59_999);
    s.message(T0 + 60_000);
    s.delivery(T0 + 60_000, 5);
    MinuteSeries.Snapshot now = s.snapshot(T0 + 60_000);
    assertThat(now.startMillis()).isEqualTo(T0 + 60_000 - 59 * 60_000L);
    assertThat(now.messages()[58]).isEqualTo(2);
    assertThat(now.messages()[59]).isEqualTo(1);
    assertThat(now.deliveries()[59]).isEqualTo(1);
    assertThat(now.p50Millis()[58]).isNull();

    MinuteSeries.Snapshot later = s.snapshot(T0 + 60 * 60_000L);
    assertThat(later.messages()[0]).as("10:01 is the oldest minute kept at 11:00").isEqualTo(1);
    assertThat(later.messages()).containsOnly(1, 0);
    // A slot reused an hour later starts from zero.
    s.message(T0 + 60 * 60_000L);
    assertThat(s.snapshot(T0 + 60 * 60_000L).messages()[59]).isEqualTo(1);
    assertThat(s.snapshot(T0 + 61 * 60_000L).messages()).containsOnly(0, 1);
  }

  @Test
  void clockMovingBack_addsToTheLatestMinute() {
    MinuteSeries s = new MinuteSeries();
    s.message(T0 + 120_000);
    s.message(T0);
    assertThat(s.snapshot(T0).messages()[59]).isEqualTo(2);
  }

  @Test
  void percentiles_areTheUpperBoundOfTheirBucket_within25PercentAbove() {
    MinuteSeries s = new MinuteSeries();
    for (int i = 1; i <= 100; i++) {
      s.delivery(T0, i * 10L); // 10 .. 1000 ms
    }
    MinuteSeries.Snapshot snap = s.snapshot(T0);
    assertThat(snap.overallP50Millis()).isBetween(500L, 625L);
    assertThat(snap.overallP99Millis()).isBetween(990L, 1_238L);
    assertThat(snap.p99Millis()[59]).isEqualTo(snap.overallP99Millis());
    for (long v : new long[] {0, 1, 7, 999, 86_400_000L}) {
      long bound = MinuteSeries.BOUNDS[MinuteSeries.bucket(v)];
      assertThat(bound).isBetween(v, Math.max(v + 1, (long) Math.ceil(v * 1.25)));
    }
    s.delivery(T0, -5);
    assertThat(MinuteSeries.percentile(new long[MinuteSeries.BOUNDS.length + 1], 0.5)).isNull();
  }
}
