package io.ciphertalk.benchmarks.load;

/**
 * A log-linear histogram of non-negative {@code long} values (nanoseconds here), in the spirit of
 * HdrHistogram but small enough to own: values below 128 get an exact bucket each; above that every
 * power-of-two range is split into 64 equal sub-buckets, so a reported percentile is within 1/64
 * (about 1.6 %) of the true value. Exact minimum, maximum, count and sum are kept beside the buckets.
 *
 * <p>Not thread-safe: give each recording thread its own instance and {@link #add(LatencyHistogram)
 * merge} them when the run is over.
 */
public final class LatencyHistogram {

  private static final int SUB_BITS = 6;
  private static final int SUB_COUNT = 1 << SUB_BITS; // 64 sub-buckets per power of two
  private static final int LINEAR_LIMIT = SUB_COUNT << 1; // values < 128 are exact
  /** Highest exponent of a positive long is 62; buckets for exponents 7..62. */
  static final int BUCKETS = LINEAR_LIMIT + (62 - SUB_BITS) * SUB_COUNT;

  private final long[] counts = new long[BUCKETS];
  private long count;
  private long sum;
  private long min = Long.MAX_VALUE;
  private long max = Long.MIN_VALUE;

  /**
   * Records one value.
   *
   * @param value a non-negative value; negative values (a clock that went backwards) count as 0
   */
  public void record(long value) {
    long v = Math.max(0L, value);
    counts[indexOf(v)]++;
    count++;
    sum += v;
    if (v < min) {
      min = v;
    }
    if (v > max) {
      max = v;
    }
  }

  /** Adds every value recorded in {@code other} to this histogram. */
  public void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    count += other.count;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  /** Number of values recorded. */
  public long count() {
    return count;
  }

  /** Exact largest value recorded, 0 when empty. */
  public long max() {
    return count == 0 ? 0 : max;
  }

  /** Exact smallest value recorded, 0 when empty. */
  public long min() {
    return count == 0 ? 0 : min;
  }

  /** Arithmetic mean, 0 when empty. */
  public double mean() {
    return count == 0 ? 0 : (double) sum / count;
  }

  /**
   * The value at the given percentile: the highest value of the bucket holding the value of rank
   * {@code ceil(p/100 * count)}, capped at the exact maximum. Returns 0 when empty.
   *
   * @param percentile in [0, 100]
   */
  public long percentile(double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in [0, 100]: " + percentile);
    }
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1L, (long) Math.ceil(percentile / 100.0 * count));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(Math.max(highestValueOf(i), min), max);
      }
    }
    return max;
  }

  static int indexOf(long v) {
    if (v < LINEAR_LIMIT) {
      return (int) v;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(v); // >= 7
    int shift = exponent - SUB_BITS;
    int sub = (int) (v >>> shift) - SUB_COUNT; // in [0, 63]
    return LINEAR_LIMIT + (exponent - SUB_BITS - 1) * SUB_COUNT + sub;
  }

  static long lowestValueOf(int index) {
    if (index < LINEAR_LIMIT) {
      return index;
    }
    int rel = index - LINEAR_LIMIT;
    int exponent = rel / SUB_COUNT + SUB_BITS + 1;
    int sub = rel % SUB_COUNT;
    int shift = exponent - SUB_BITS;
    return ((long) (SUB_COUNT + sub)) << shift;
  }

  static long highestValueOf(int index) {
    if (index < LINEAR_LIMIT) {
      return index;
    }
    if (index == BUCKETS - 1) {
      return Long.MAX_VALUE;
    }
    return lowestValueOf(index + 1) - 1;
  }
}
