package io.ciphertalk.server.internal.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * This node's traffic over the last {@link #MINUTES} minutes, in one bucket per clock minute:
 * messages accepted, deliveries written, and a histogram of delivery latencies (server accept to
 * delivery to a device's connection) for the administrators' statistics. Counts only: it is never
 * told who sent what to whom. Latency percentiles come from fixed buckets growing by about 25%,
 * and are reported as the upper bound of the bucket holding the percentile (whole milliseconds).
 * Time is the caller's ({@code nowMillis}, the server's injected clock); a clock that moves back
 * into an earlier minute adds to the current bucket. Thread-safe.
 */
public final class MinuteSeries {
  /** Minutes kept, the current one included. */
  public static final int MINUTES = 60;
  private static final long MINUTE_MS = 60_000;
  /** Upper bounds (ms, inclusive) of the latency buckets; a last bucket holds everything larger. */
  static final long[] BOUNDS = bounds();

  private final long[] minute = new long[MINUTES];
  private final long[] messages = new long[MINUTES];
  private final long[] deliveries = new long[MINUTES];
  private final long[][] latency = new long[MINUTES][BOUNDS.length + 1];
  private long latest = Long.MIN_VALUE;

  public MinuteSeries() {
    Arrays.fill(minute, Long.MIN_VALUE);
  }

  private static long[] bounds() {
    List<Long> out = new ArrayList<>();
    // 0, 1, 2, ... then ~25% steps up to a day: a queued message may wait that long for its device.
    long b = 0;
    do {
      out.add(b);
      b = Math.max(b + 1, Math.round(b * 1.25));
    } while (out.get(out.size() - 1) < 86_400_000L);
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** The slot of the minute holding {@code nowMillis}, cleared if it last held an older minute. */
  private int slot(long nowMillis) {
    long m = Math.max(Math.floorDiv(nowMillis, MINUTE_MS), latest);
    latest = m;
    int i = (int) Math.floorMod(m, MINUTES);
    if (minute[i] != m) {
      minute[i] = m;
      messages[i] = 0;
      deliveries[i] = 0;
      Arrays.fill(latency[i], 0);
    }
    return i;
  }

  /** A message was durably accepted from a sender. */
  public synchronized void message(long nowMillis) {
    messages[slot(nowMillis)]++;
  }

  /** A message was written to a device's connection, {@code latencyMillis} after it was accepted. */
  public synchronized void delivery(long nowMillis, long latencyMillis) {
    int i = slot(nowMillis);
    deliveries[i]++;
    latency[i][bucket(Math.max(0, latencyMillis))]++;
  }

  static int bucket(long millis) {
    int i = Arrays.binarySearch(BOUNDS, millis);
    return i >= 0 ? i : -i - 1;
  }

  /**
   * The last {@link #MINUTES} minutes up to the one holding {@code nowMillis}, oldest first.
   *
   * @param startMillis start of the oldest minute
   * @param messages messages accepted per minute
   * @param deliveries deliveries per minute
   * @param p50Millis median delivery latency per minute (null: no delivery that minute)
   * @param p99Millis 99th percentile delivery latency per minute (null: no delivery that minute)
   * @param overallP50Millis median over all the minutes (null: no delivery)
   * @param overallP99Millis 99th percentile over all the minutes (null: no delivery)
   */
  public record Snapshot(long startMillis, long[] messages, long[] deliveries, Long[] p50Millis, Long[] p99Millis,
      Long overallP50Millis, Long overallP99Millis) {}

  public synchronized Snapshot snapshot(long nowMillis) {
    long now = Math.max(Math.floorDiv(nowMillis, MINUTE_MS), latest);
    long first = now - MINUTES + 1;
    long[] msg = new long[MINUTES];
    long[] del = new long[MINUTES];
    Long[] p50 = new Long[MINUTES];
    Long[] p99 = new Long[MINUTES];
    long[] all = new long[BOUNDS.length + 1];
    for (int k = 0; k < MINUTES; k++) {
      long m = first + k;
      int i = (int) Math.floorMod(m, MINUTES);
      if (minute[i] != m) {
        continue;
      }
      msg[k] = messages[i];
      del[k] = deliveries[i];
      p50[k] = percentile(latency[i], 0.50);
      p99[k] = percentile(latency[i], 0.99);
      for (int b = 0; b < all.length; b++) {
        all[b] += latency[i][b];
      }
    }
    return new Snapshot(first * MINUTE_MS, msg, del, p50, p99, percentile(all, 0.50), percentile(all, 0.99));
  }

  /** The upper bound of the bucket holding quantile {@code q} (the last bucket reads as its lower bound). */
  static Long percentile(long[] histogram, double q) {
    long total = 0;
    for (long c : histogram) {
      total += c;
    }
    if (total == 0) {
      return null;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int b = 0; b < histogram.length; b++) {
      seen += histogram[b];
      if (seen >= Math.max(1, rank)) {
        return BOUNDS[Math.min(b, BOUNDS.length - 1)];
      }
    }
    return BOUNDS[BOUNDS.length - 1];
  }
}
