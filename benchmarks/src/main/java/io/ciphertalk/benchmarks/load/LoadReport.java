package io.ciphertalk.benchmarks.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one load run (traffic or idle-scale). Immutable; serialises to JSON and to a
 * markdown table row. Latencies are in milliseconds, rates per second, -1 where not measured.
 * {@code drainedSeconds} is how long the run waited after the last send for outstanding
 * deliveries and acknowledgements.
 */
public record LoadReport(
    String target,
    String placement,
    String mode,
    int clients,
    int rooms,
    int roomSize,
    int messageSize,
    boolean preEncrypted,
    double rateTarget,
    int window,
    double durationSeconds,
    int connected,
    int connectFailures,
    double connectSeconds,
    double connectsPerSecond,
    double sentPerSecond,
    double deliveredPerSecond,
    double p50Ms,
    double p95Ms,
    double p99Ms,
    double maxMs,
    double meanMs,
    long latencySamples,
    long sent,
    long refused,
    long expected,
    long delivered,
    long lost,
    long duplicates,
    long unexpected,
    long unacknowledged,
    long errors,
    List<String> errorSamples,
    double serverCpuPercent,
    double generatorCpuPercent,
    long serverHeapUsedBytes,
    long serverHeapMaxBytes,
    long serverRssBytes,
    int serverThreads,
    long idleHeapBeforeBytes,
    long idleHeapAfterBytes,
    long heapBytesPerConnection,
    double drainedSeconds,
    String machine) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** True when every expected delivery arrived exactly once and nothing failed. */
  public boolean clean() {
    return lost == 0 && duplicates == 0 && unexpected == 0 && errors == 0 && connectFailures == 0;
  }

  /** Pretty-printed JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report is not serialisable", e);
    }
  }

  /** Header of the markdown table {@link #markdownRow()} belongs to. */
  public static String markdownHeader() {
    return "| target | mode | clients | room | msg B | rate/s | delivered msg/s | p50 ms | p95 ms | p99 ms | max ms "
        + "| conn/s | lost | dup | errors | server CPU % | server heap MiB |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }

  /** This report as one markdown table row. */
  public String markdownRow() {
    return String.format(Locale.ROOT,
        "| %s | %s | %d | %d | %d | %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.0f | %d | %d | %d | %.0f | %.1f |",
        target, mode, clients, roomSize, messageSize,
        mode.equals("open") ? String.format(Locale.ROOT, "%.0f", rateTarget) : "closed w=" + window,
        deliveredPerSecond, p50Ms, p95Ms, p99Ms, maxMs, connectsPerSecond, lost, duplicates, errors,
        serverCpuPercent, serverHeapUsedBytes < 0 ? -1.0 : serverHeapUsedBytes / 1048576.0);
  }

  /** Reads a report back from {@link #toJson()}. */
  public static LoadReport fromJson(String json) {
    try {
      return JSON.readValue(json, LoadReport.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a load report: " + e.getOriginalMessage(), e);
    }
  }
}
