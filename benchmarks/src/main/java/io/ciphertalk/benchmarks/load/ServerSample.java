package io.ciphertalk.benchmarks.load;

/**
 * One resource sample of the server process; -1 where the placement cannot tell.
 *
 * @param heapUsedBytes used Java heap (after a GC if one was asked for)
 * @param heapMaxBytes the heap limit ({@code -Xmx})
 * @param cpuNanos CPU time consumed by the server so far (process time in a child JVM or external
 *     process; in this JVM, process time minus the generator's own threads)
 * @param rssBytes resident set size of the process
 * @param threads live threads of the server process
 */
record ServerSample(long heapUsedBytes, long heapMaxBytes, long cpuNanos, long rssBytes, int threads) {

  static ServerSample unknown() {
    return new ServerSample(-1, -1, -1, -1, -1);
  }

  String toJson() {
    return "{\"heapUsedBytes\":" + heapUsedBytes + ",\"heapMaxBytes\":" + heapMaxBytes
        + ",\"cpuNanos\":" + cpuNanos + ",\"rssBytes\":" + rssBytes + ",\"threads\":" + threads + "}";
  }

  static ServerSample fromJson(String json) {
    return new ServerSample(field(json, "heapUsedBytes"), field(json, "heapMaxBytes"),
        field(json, "cpuNanos"), field(json, "rssBytes"), (int) field(json, "threads"));
  }

  private static long field(String json, String name) {
    int at = json.indexOf("\"" + name + "\":");
    if (at < 0) {
      return -1;
    }
    int start = at + name.length() + 3;
    int end = start;
    while (end < json.length() && (json.charAt(end) == '-' || Character.isDigit(json.charAt(end)))) {
      end++;
    }
    return Long.parseLong(json.substring(start, end));
  }
}
